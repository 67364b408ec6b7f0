/**
 * Turns a configuration into what the runner takes (RunOptions hooks) plus the snapshot with
 * excluded namespaces removed. Pure: the scan's clock comes in as `now`.
 */
import type { RunOptions } from '../engine/runner.ts';
import type { ClusterSnapshot } from '../snapshot/model.ts';
import { findingExcluder, withoutNamespaces } from './exclude.ts';
import { anyGlob } from './glob.ts';
import type { MeshreadyConfig } from './schema.ts';
import {
  annotationSuppressions,
  configSuppressions,
  type ExpiredSuppression,
  firstSuppression,
  type SuppressionLookup,
} from './suppressions.ts';

export interface PolicyOptions {
  readonly now: Date;
  /** False with --no-annotation-exemptions or `annotationExemptions: false`. */
  readonly annotationExemptions: boolean;
}

export interface ScanPolicy {
  /** The snapshot the rules see: objects of excluded namespaces are gone. */
  readonly snapshot: ClusterSnapshot;
  readonly runOptions: Pick<RunOptions, 'severityOverrides' | 'suppressionFor' | 'isExcluded'>;
  /** Configuration suppressions past their date: they no longer apply and are reported. */
  readonly expiredSuppressions: ExpiredSuppression[];
}

export function scanPolicy(
  config: MeshreadyConfig | undefined,
  snapshot: ClusterSnapshot,
  options: PolicyOptions,
): ScanPolicy {
  const excluded = anyGlob(config?.excludeNamespaces ?? []);
  const evaluated = config?.excludeNamespaces?.length ? withoutNamespaces(snapshot, excluded) : snapshot;
  const fromConfig = configSuppressions(config?.suppressions ?? [], options.now);
  const lookups: SuppressionLookup[] = [fromConfig.lookup];
  if (options.annotationExemptions) lookups.push(annotationSuppressions(evaluated));
  return {
    snapshot: evaluated,
    runOptions: {
      severityOverrides: { ...config?.rules },
      suppressionFor: firstSuppression(lookups),
      isExcluded: findingExcluder(excluded),
    },
    expiredSuppressions: fromConfig.expired,
  };
}
