/**
 * Which findings are suppressed: by a `suppressions` entry of the configuration (until it
 * expires) or by an annotation on the object itself (unless annotation exemptions are off).
 * Suppressed findings stay in every report; the runner only keeps them out of the verdict.
 */

import type { Report, Suppression } from '../engine/report-model.ts';
import type { SuppressionQuery } from '../engine/runner.ts';
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION, type ResourceRef } from '../engine/vocabulary.ts';
import { type ClusterSnapshot, KUBE_KINDS, type KubeObject } from '../snapshot/model.ts';
import { apiGroup } from '../snapshot/strip.ts';
import { namespaceOfResource } from './exclude.ts';
import { globMatcher } from './glob.ts';
import type { SuppressionConfig } from './schema.ts';

export type ExpiredSuppression = NonNullable<Report['expiredSuppressions']>[number];
export type SuppressionLookup = (query: SuppressionQuery) => Suppression | undefined;

/** The scan day in UTC, YYYY-MM-DD, from the scan's own clock. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** A suppression applies through its whole `expires` day (UTC) and stops the day after. */
export function isExpired(suppression: SuppressionConfig, now: Date): boolean {
  return suppression.expires !== undefined && utcDay(now) > suppression.expires;
}

function matcherFor(glob: string | undefined): (value: string | undefined) => boolean {
  if (glob === undefined) return () => true;
  const matches = globMatcher(glob);
  return (value) => value !== undefined && matches(value);
}

interface ActiveSuppression {
  readonly rule: string;
  readonly matches: (resource: ResourceRef) => boolean;
  readonly suppression: Suppression;
}

function activeSuppression(entry: SuppressionConfig): ActiveSuppression {
  const namespace = matcherFor(entry.namespace);
  const kind = matcherFor(entry.kind);
  const name = matcherFor(entry.name);
  return {
    rule: entry.rule,
    matches: (resource) =>
      namespace(namespaceOfResource(resource)) && kind(resource.kind) && name(resource.name),
    suppression: {
      reason: entry.reason,
      ...(entry.owner === undefined ? {} : { owner: entry.owner }),
      ...(entry.expires === undefined ? {} : { expires: entry.expires }),
      source: 'config',
    },
  };
}

export interface ConfigSuppressions {
  readonly lookup: SuppressionLookup;
  readonly expired: ExpiredSuppression[];
}

export function configSuppressions(entries: readonly SuppressionConfig[], now: Date): ConfigSuppressions {
  const expired: ExpiredSuppression[] = [];
  const active: ActiveSuppression[] = [];
  for (const entry of entries) {
    if (isExpired(entry, now)) {
      expired.push({
        rule: entry.rule,
        reason: entry.reason,
        ...(entry.owner === undefined ? {} : { owner: entry.owner }),
        expires: entry.expires as string,
      });
    } else active.push(activeSuppression(entry));
  }
  return {
    expired,
    lookup: ({ ruleId, finding }) =>
      active.find((entry) => entry.rule === ruleId && entry.matches(finding.resource))?.suppression,
  };
}

function resourceKey(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return [apiGroup(apiVersion), kind, namespace ?? '', name].join('\u0000');
}

/** The rule ids an `meshready.dev/ignore` value names: comma-separated, spaces allowed. */
export function ignoredRuleIds(value: string): string[] {
  return value
    .split(',')
    .map((ruleId) => ruleId.trim())
    .filter(Boolean);
}

/**
 * Exemptions from `meshready.dev/ignore: "<rule>[,<rule>...]"` on the object a finding is about
 * (stripped objects keep their annotations). Only objects that carry the annotation are indexed.
 */
export function annotationSuppressions(snapshot: ClusterSnapshot): SuppressionLookup {
  const exemptions = new Map<string, { rules: ReadonlySet<string>; suppression: Suppression }>();
  for (const kind of KUBE_KINDS) {
    for (const object of snapshot.kube[kind] as readonly KubeObject[]) {
      const annotations = object.metadata.annotations;
      const ignore = annotations?.[IGNORE_ANNOTATION];
      if (ignore === undefined) continue;
      const reason = annotations?.[IGNORE_REASON_ANNOTATION]?.trim();
      exemptions.set(
        resourceKey(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name),
        {
          rules: new Set(ignoredRuleIds(ignore)),
          suppression: {
            reason: reason || `no reason given (set the ${IGNORE_REASON_ANNOTATION} annotation)`,
            source: 'annotation',
          },
        },
      );
    }
  }
  return ({ ruleId, finding }) => {
    const { apiVersion, kind, namespace, name } = finding.resource;
    const exemption = exemptions.get(resourceKey(apiVersion, kind, namespace, name));
    return exemption?.rules.has(ruleId) ? exemption.suppression : undefined;
  };
}

/** The configuration's suppressions first (they carry owners and expiry), then annotations. */
export function firstSuppression(lookups: readonly SuppressionLookup[]): SuppressionLookup {
  return (query) => {
    for (const lookup of lookups) {
      const suppression = lookup(query);
      if (suppression) return suppression;
    }
    return undefined;
  };
}
