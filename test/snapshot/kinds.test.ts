/**
 * The table of kinds (src/snapshot/kinds.ts) and what is derived from it agree: every part a rule
 * needs is collected, classified by the loader and the collector, checked before stripping,
 * stripped and granted by the RBAC of `meshready manifests`; nothing is granted that is not
 * collected; the printed roles only `list`, with no wildcard and never Secrets; the docs' tables
 * are the generated ones.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import crDeletion from '../../rules/gke-upgrade-cr-deletion.ts';
import { RULES } from '../../rules/index.ts';
import {
  blockMarkers,
  generatedBlock,
  KIND_DOC_BLOCKS,
  withGeneratedBlock,
} from '../../scripts/generate-kind-docs.ts';
import { collectorNamespacedRbacRules, collectorRbacRules, type RbacRule } from '../../src/collect/rbac.ts';
import { COLLECTED_RESOURCES, type CollectedResource } from '../../src/collect/resources.ts';
import { InputError } from '../../src/errors.ts';
import { stripRawKubeObject } from '../../src/snapshot/builder.ts';
import {
  type ApiResource,
  KIND_TABLE,
  type KindDeclaration,
  type KubeKind,
} from '../../src/snapshot/kinds.ts';
import { KUBE_KINDS, type SnapshotPart } from '../../src/snapshot/model.ts';
import { isBuiltInGroup, isKeptObject, kubeKindOf, kubePartOf } from '../../src/snapshot/strip.ts';
import { runInProcess } from '../config/fake-io.ts';
import { ROOT } from '../helpers/cli.ts';
import { gkeCluster, istioObject } from '../helpers/objects.ts';
import { evaluateRule } from '../helpers/rule-tester.ts';

const isKubeKind = (part: SnapshotPart): part is KubeKind => part in KIND_TABLE;
const groupVersion = (group: string, version: string) => (group === '' ? version : `${group}/${version}`);
/** A kind name for a `*` resource: any kind of the group. */
const kindOf = (resource: ApiResource) => (resource.kind === '*' ? 'SomeMixerKind' : resource.kind);
/** The resources RBAC grants for a row: its own, or, for `*`, the named list. */
const grantedFor = (row: CollectedResource) =>
  row.resource === '*' ? (row.grantedResources ?? []) : [row.resource];

/** A small raw object of a row's kind that every part keeps (ClusterRoles: Istio's only). */
function rawObjectOf(part: KubeKind, resource: ApiResource, version: string): Record<string, unknown> {
  const declaration: KindDeclaration = KIND_TABLE[part];
  const namespace = declaration.namespace ?? (resource.scope === 'Namespaced' ? 'shop' : undefined);
  return {
    apiVersion: groupVersion(resource.group, version),
    kind: kindOf(resource),
    metadata: { name: 'istio-reader', uid: `uid-${part}`, ...(namespace ? { namespace } : {}) },
  };
}

function grants(rules: readonly RbacRule[], group: string, resource: string): boolean {
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes('list'),
  );
}

const NEEDED: ReadonlyMap<KubeKind, readonly string[]> = (() => {
  const needed = new Map<KubeKind, string[]>();
  for (const rule of RULES) {
    for (const part of rule.needs.filter(isKubeKind))
      needed.set(part, [...(needed.get(part) ?? []), rule.id]);
  }
  return needed;
})();

describe('the table of kinds', () => {
  it('names the parts the rules need (and the rules need more than a handful)', () => {
    expect(NEEDED.size).toBeGreaterThan(10);
    for (const rule of RULES) {
      for (const part of rule.needs) {
        expect(isKubeKind(part) || ['gkeCluster', 'firewalls', 'machineTypes'].includes(part), part).toBe(
          true,
        );
      }
    }
  });

  it('gives every part either API resources or the reason a live scan lists none', () => {
    for (const part of KUBE_KINDS) {
      const declaration: KindDeclaration = KIND_TABLE[part];
      expect(declaration.label.length, part).toBeGreaterThan(3);
      expect(declaration.resources.length > 0 || declaration.notListedLive !== undefined, part).toBe(true);
      for (const resource of declaration.resources) {
        expect(resource.resource === '*', `${part}: a * resource names what RBAC grants`).toBe(
          resource.grantedResources !== undefined,
        );
        expect(resource.resource === '*').toBe(resource.kind === '*');
        if (declaration.namespace !== undefined) expect(resource.scope, part).toBe('Namespaced');
      }
    }
  });
});

describe('every part a rule needs', () => {
  const neededParts = [...NEEDED.keys()];

  it.each(neededParts)('%s is collected by the live collector', (part) => {
    expect(COLLECTED_RESOURCES.filter((row) => row.part === part)).not.toEqual([]);
  });

  it.each(KUBE_KINDS)(
    '%s: each of its resources is classified into it, in every version it is read',
    (part) => {
      for (const resource of KIND_TABLE[part].resources) {
        const groups = [resource.group, ...resource.alsoLoadedFrom];
        const versions = resource.loadedVersions ?? [resource.version, ...resource.olderVersions, 'v2beta7'];
        for (const group of groups) {
          for (const version of versions) {
            expect(kubeKindOf(groupVersion(group, version), kindOf(resource)), `${group} ${version}`).toBe(
              part,
            );
          }
        }
        // The collector lists these versions: the loader must take them too.
        for (const version of [resource.version, ...resource.olderVersions]) {
          expect(kubeKindOf(groupVersion(resource.group, version), kindOf(resource))).toBe(part);
        }
      }
    },
  );

  it.each(KUBE_KINDS.filter((part) => KIND_TABLE[part].resources.length > 0))(
    '%s: its objects are checked before stripping, then stripped and kept',
    (part) => {
      for (const resource of KIND_TABLE[part].resources) {
        const raw = rawObjectOf(part, resource, resource.version);
        const outcome = stripRawKubeObject(raw, { file: 'kinds.yaml', line: 1 }, 'kinds.yaml');
        expect(outcome).toMatchObject({ kind: part, object: { metadata: { name: 'istio-reader' } } });
        if ('object' in outcome) expect(isKeptObject(part, outcome.object.metadata)).toBe(true);
        // labels as a list is not a Kubernetes object: the raw check runs for this kind.
        const broken = { ...raw, metadata: { ...(raw.metadata as object), labels: ['app'] } };
        expect(() => stripRawKubeObject(broken, { file: 'kinds.yaml', line: 7 }, 'kinds.yaml')).toThrow(
          InputError,
        );
      }
    },
  );

  it.each(neededParts)('%s is granted `list` by the RBAC of `meshready manifests`', (part) => {
    const clusterRules = collectorRbacRules();
    const namespaced = collectorNamespacedRbacRules();
    for (const row of COLLECTED_RESOURCES.filter((r) => r.part === part)) {
      const rules = row.namespace === undefined ? clusterRules : (namespaced.get(row.namespace) ?? []);
      for (const resource of grantedFor(row)) {
        expect(grants(rules, row.group, resource), `${row.group}/${resource}`).toBe(true);
      }
    }
  });
});

describe('the RBAC of `meshready manifests`', () => {
  it('grants nothing the collector does not list, and a namespace only what it lists there', () => {
    const granted = [
      ...collectorRbacRules().map((rule) => ({ namespace: undefined as string | undefined, rule })),
      ...[...collectorNamespacedRbacRules()].flatMap(([namespace, rules]) =>
        rules.map((rule) => ({ namespace: namespace as string | undefined, rule })),
      ),
    ];
    expect(granted.length).toBeGreaterThan(5);
    for (const { namespace, rule } of granted) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const listed = COLLECTED_RESOURCES.some(
            (row) => row.namespace === namespace && row.group === group && grantedFor(row).includes(resource),
          );
          expect(listed, `${namespace ?? 'cluster-wide'}: ${group}/${resource}`).toBe(true);
        }
      }
    }
  });

  it('prints roles that only list, with no wildcard, never watch, never Secrets', async () => {
    const run = await runInProcess(['manifests'], ROOT);
    expect(run.code, run.stderr).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((document) => document.toJS());
    const roles = objects.filter((object) => object?.kind === 'ClusterRole' || object?.kind === 'Role');
    expect(roles.map((role) => role.kind).sort()).toEqual(['ClusterRole', 'Role']);
    const rules: Record<string, unknown>[] = roles.flatMap((role) => role.rules);
    const namespacedRules = [...collectorNamespacedRbacRules().values()].flat();
    expect(rules.length).toBe(collectorRbacRules().length + namespacedRules.length);
    for (const rule of rules) {
      expect(Object.keys(rule).sort()).toEqual(['apiGroups', 'resources', 'verbs']);
      expect(rule.verbs).toEqual(['list']);
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
      expect(JSON.stringify(rule)).not.toMatch(/\*|watch|secret/i);
    }
  });
});

describe('custom resources in istio-system (gke-upgrade-cr-deletion)', () => {
  it('the backup before a 1.16 master upgrade names an object of every custom kind the table reads', async () => {
    const custom = KUBE_KINDS.flatMap((part) =>
      KIND_TABLE[part].resources
        .filter((resource) => !isBuiltInGroup(resource.group))
        .map((resource) => rawObjectOf(part, resource, resource.version)),
    ).map(
      (raw, i): Record<string, unknown> => ({
        ...raw,
        metadata: { name: `istio-cr-${i}`, namespace: 'istio-system' },
      }),
    );
    // And one of a kind no row reads (the `customresources` part).
    const certificate = istioObject('cert-manager.io/v1', 'Certificate', 'istio-system', 'istio-cert');
    expect(custom.length).toBeGreaterThan(10);
    const result = await evaluateRule(crDeletion, {
      name: 'one object of each custom kind in istio-system',
      documents: [gkeCluster({ currentMasterVersion: '1.16.15-gke.4300' }), ...custom, certificate],
      upgradeTo: '1.17.9-gke.1504',
    });
    expect(result.status).toBe('fail');
    // The message names the first ten; the backup step's objects name them all.
    const backup = JSON.stringify(result.findings);
    for (const raw of [...custom, certificate]) {
      expect(backup, String(raw.kind)).toContain(`"${raw.kind}/${(raw.metadata as { name: string }).name}"`);
    }
  });
});

describe('the kind lookup of the loader and the collector', () => {
  it.each([
    ['extensions/v1beta1', 'Deployment', 'istio-system', 'deployments'],
    ['apps/v1beta2', 'DaemonSet', 'shop', 'daemonsets'],
    ['config.istio.io/v1alpha2', 'rule', 'shop', 'mixerconfigs'],
    ['cert-manager.io/v1', 'Certificate', 'istio-system', 'customresources'],
    ['networking.istio.io/v1alpha3', 'Gateway', 'istio-system', 'customresources'],
    // Not read: other groups' kinds of the same name, older versions of the v1alpha1-only kinds.
    ['extensions/v1beta1', 'NetworkPolicy', 'shop', undefined],
    ['rbac.istio.io/v1beta1', 'ServiceRole', 'shop', undefined],
    ['cert-manager.io/v1', 'Certificate', 'shop', undefined],
    ['batch/v1', 'Job', 'istio-system', undefined],
    ['v1', 'Secret', 'istio-system', undefined],
    ['v1', '', 'istio-system', undefined],
    // Group names that are members of every JS object: the old lookup threw a TypeError here.
    ['constructor/v1alpha1', 'Policy', 'shop', undefined],
    ['toString/v1', 'Thing', 'shop', undefined],
    ['__proto__/v1', 'Thing', 'shop', undefined],
  ] as const)('%s %s in %s -> %s', (apiVersion, kind, namespace, part) => {
    expect(kubePartOf(apiVersion, kind, namespace)).toBe(part);
  });

  it('classifies the same after more apiVersions than it remembers', () => {
    for (let i = 0; i < 2000; i++)
      expect(kubeKindOf(`group-${i}.example.com/v${i}`, 'Deployment')).toBeUndefined();
    expect(kubeKindOf('extensions/v1beta1', 'Deployment')).toBe('deployments');
    expect(kubeKindOf('rbac.istio.io/v1alpha1', 'ServiceRole')).toBe('securitypolicies');
    expect(kubeKindOf('rbac.istio.io/v1beta1', 'ServiceRole')).toBeUndefined();
    expect(kubeKindOf('group-1999.example.com/v1999', 'Deployment')).toBeUndefined();
  });

  it('keeps ConfigMaps of istio-system only and the Istio ClusterRoles only', () => {
    expect(isKeptObject('configmaps', { name: 'istio', namespace: 'istio-system' })).toBe(true);
    expect(isKeptObject('configmaps', { name: 'istio', namespace: 'shop' })).toBe(false);
    expect(isKeptObject('clusterroles', { name: 'istio-galley-istio-system' })).toBe(true);
    expect(isKeptObject('clusterroles', { name: 'cluster-admin' })).toBe(false);
    expect(isKeptObject('pods', { name: 'cart', namespace: 'shop' })).toBe(true);
  });
});

describe('the docs generated from the table', () => {
  for (const [file, blocks] of Object.entries(KIND_DOC_BLOCKS)) {
    for (const [name, make] of Object.entries(blocks)) {
      it(`${file} holds the current ${name} (run \`npm run docs\`)`, () => {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        expect(generatedBlock(text, name)).toBe(make());
      });
    }
  }

  it('list every part and every resource the collector lists', () => {
    const table = KIND_DOC_BLOCKS['docs/live.md']?.['kinds-read']?.() ?? '';
    for (const part of KUBE_KINDS) expect(table).toContain(`| ${KIND_TABLE[part].label} |`);
    const dump = KIND_DOC_BLOCKS['docs/snapshots.md']?.['kinds-dump']?.() ?? '';
    for (const row of COLLECTED_RESOURCES) {
      const name = row.group === '' ? row.resource : `${row.resource}.${row.group}`;
      expect(dump).toContain(row.resource === '*' ? `--api-group=${row.group}` : name);
    }
  });

  it('are replaced between their markers, and a file without them is an error', () => {
    const { begin, end } = blockMarkers('x');
    expect(withGeneratedBlock(`a\n${begin}old\n${end}b\n`, 'x', 'new\n')).toBe(`a\n${begin}new\n${end}b\n`);
    expect(() => withGeneratedBlock('no markers', 'x', 'new\n')).toThrow(/no generated block x/);
  });
});
