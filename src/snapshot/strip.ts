/**
 * Turns raw API objects (as kubectl, gcloud or the API server return them) into the stripped
 * snapshot shapes: which part an object goes into and which objects a part keeps come from the
 * table of kinds (kinds.ts), the pickers from the shapes it names (kube-shapes.ts, and model.ts
 * for Google documents). Used by the offline loader, its worker threads and the live collector
 * alike, so all produce the same snapshot.
 */
import { KIND_TABLE, type KindDeclaration } from './kinds.ts';
import {
  type FirewallRule,
  firewallRule,
  type GkeCluster,
  gkeCluster,
  type KubeKind,
  type KubeObject,
  kubeShapes,
  type MachineType,
  machineType,
  type ObjectMetadata,
  type Origin,
} from './model.ts';
import type { Raw } from './shape.ts';

export { lastSegment } from './model.ts';
export { isRecord } from './shape.ts';

/** The API group of an apiVersion: "" for the core group. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** What the loader matches an object of one kind of one API group to. */
interface KindMatch {
  readonly part: KubeKind;
  /** `/v1alpha1` for each version the loader takes; undefined: any version. */
  readonly versionSuffixes: readonly string[] | undefined;
}

/** The parts of one API group's kinds, and the part of any other kind of the group, if one takes them all. */
interface GroupMatch {
  readonly byKind: Map<string, KindMatch>;
  anyKind: KindMatch | undefined;
}

/**
 * kinds.ts's table as lookups by API group then kind, built once: an object is classified with
 * two map lookups and no string built per object.
 */
const MATCHES_BY_GROUP: ReadonlyMap<string, GroupMatch> = (() => {
  const byGroup = new Map<string, GroupMatch>();
  for (const part of Object.keys(KIND_TABLE) as KubeKind[]) {
    for (const resource of KIND_TABLE[part].resources) {
      const match: KindMatch = {
        part,
        versionSuffixes: resource.loadedVersions?.map((version) => `/${version}`),
      };
      for (const group of [resource.group, ...resource.alsoLoadedFrom]) {
        let groupMatch = byGroup.get(group);
        if (!groupMatch) {
          groupMatch = { byKind: new Map(), anyKind: undefined };
          byGroup.set(group, groupMatch);
        }
        const taken = resource.kind === '*' ? groupMatch.anyKind : groupMatch.byKind.get(resource.kind);
        if (taken) {
          throw new Error(
            `kinds.ts: ${resource.kind} of ${group || 'the core group'} is in ${taken.part} and ${part}`,
          );
        }
        if (resource.kind === '*') groupMatch.anyKind = match;
        else groupMatch.byKind.set(resource.kind, match);
      }
    }
  }
  return byGroup;
})();

/**
 * The API group's matches by apiVersion, remembered for the few apiVersions a snapshot holds.
 * Measured on 30,800 objects (loaded machine): slicing the group out of every apiVersion and
 * looking that new string up took half again the time of the switch this lookup replaced; looking
 * the apiVersion up here takes the switch's time (1.0 to 1.2 ms for all of them, from JSON.parse).
 * Bounded, so hostile input with endless apiVersions is only no longer remembered.
 */
const GROUP_MATCH_BY_API_VERSION = new Map<string, GroupMatch | null>();
const MAX_REMEMBERED_API_VERSIONS = 512;
function groupMatchOf(apiVersion: string): GroupMatch | null {
  let groupMatch = GROUP_MATCH_BY_API_VERSION.get(apiVersion);
  if (groupMatch === undefined) {
    groupMatch = MATCHES_BY_GROUP.get(apiGroup(apiVersion)) ?? null;
    if (GROUP_MATCH_BY_API_VERSION.size < MAX_REMEMBERED_API_VERSIONS) {
      GROUP_MATCH_BY_API_VERSION.set(apiVersion, groupMatch);
    }
  }
  return groupMatch;
}

/**
 * Which snapshot part a Kubernetes kind belongs to, or undefined when no rule reads it.
 * The caller must never keep Secrets: they are not in the table.
 */
export function kubeKindOf(apiVersion: string, kind: string): KubeKind | undefined {
  const groupMatch = groupMatchOf(apiVersion);
  if (groupMatch === null) return undefined;
  const match = groupMatch.byKind.get(kind) ?? groupMatch.anyKind;
  if (match === undefined) return undefined;
  const suffixes = match.versionSuffixes;
  if (suffixes !== undefined && !suffixes.some((suffix) => apiVersion.endsWith(suffix))) return undefined;
  return match.part;
}

/**
 * API groups Kubernetes itself serves: the core group, the unqualified ones and `*.k8s.io`.
 * Any other group (cloud.google.com, networking.gke.io, cert-manager.io, *.istio.io, …) is
 * served by a CustomResourceDefinition or an aggregated API someone installed.
 */
export function isBuiltInGroup(group: string): boolean {
  return (
    group === '' ||
    ['apps', 'extensions', 'batch', 'autoscaling', 'policy'].includes(group) ||
    group === 'k8s.io' ||
    group.endsWith('.k8s.io')
  );
}

/** The part that takes the custom resources no other part takes, and the namespace it reads them in. */
const CUSTOM_KINDS_CATCHER = (() => {
  const part = (Object.keys(KIND_TABLE) as KubeKind[]).find(
    (kind) => KIND_TABLE[kind].catchesOtherCustomKinds,
  );
  return part === undefined ? undefined : { part, namespace: KIND_TABLE[part].namespace };
})();

/**
 * The part an object goes into: its kind's (kubeKindOf), or, for a namespaced object in
 * istio-system of a group that is not built in, `customresources` (only its name is kept: the
 * backup before a 1.16 master upgrade must name every custom resource there).
 */
export function kubePartOf(
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
): KubeKind | undefined {
  const part = kubeKindOf(apiVersion, kind);
  if (part) return part;
  if (
    CUSTOM_KINDS_CATCHER !== undefined &&
    namespace === CUSTOM_KINDS_CATCHER.namespace &&
    kind !== '' &&
    !isBuiltInGroup(apiGroup(apiVersion))
  ) {
    return CUSTOM_KINDS_CATCHER.part;
  }
  return undefined;
}

/** Which objects a part keeps, for the parts that keep only some (most keep all: one miss). */
interface KeptObjects {
  readonly namespace: string | undefined;
  readonly test: ((metadata: ObjectMetadata) => boolean) | undefined;
}
const KEPT_OBJECTS: ReadonlyMap<KubeKind, KeptObjects> = new Map(
  (Object.keys(KIND_TABLE) as KubeKind[]).flatMap((kind): [KubeKind, KeptObjects][] => {
    const declaration: KindDeclaration = KIND_TABLE[kind];
    const test = declaration.keepOnly?.test;
    return declaration.namespace === undefined && test === undefined
      ? []
      : [[kind, { namespace: declaration.namespace, test }]];
  }),
);

/**
 * Objects a part keeps. ConfigMaps only matter in istio-system and ClusterRoles only when they
 * belong to Istio, so the others are dropped (the live collector does the same).
 */
export function isKeptObject(kind: KubeKind, metadata: ObjectMetadata): boolean {
  const kept = KEPT_OBJECTS.get(kind);
  if (kept === undefined) return true;
  if (kept.namespace !== undefined && metadata.namespace !== kept.namespace) return false;
  return kept.test === undefined || kept.test(metadata);
}

/**
 * Strips a raw Kubernetes object of a known kind. Returns undefined when the object has no name
 * (not a valid object) so the caller can report it as skipped.
 */
export function stripKubeObject(kind: KubeKind, raw: Raw, origin?: Origin): KubeObject | undefined {
  return kubeShapes[kind].pick(raw, origin);
}

/**
 * Where a stripped object holds a number JSON cannot carry, or undefined: JSON.parse reads `1e999`
 * as Infinity (and YAML has `.inf` and `.nan`), which the snapshot's JSON (a bundle, the parallel
 * loader's transfer between threads) would turn into `null`, so such an input is refused rather
 * than read two ways. Only the fields that keep raw values are walked (Field.raw): every other
 * number was read by shape.ts's `num`, which keeps finite numbers only. On the way, -0 becomes 0
 * (as `num` does): JSON has one zero, and the transfer would make it 0 on one path only.
 */
export function unrepresentableNumberPath(kind: KubeKind, object: KubeObject): string | undefined {
  const fields = kubeShapes[kind].rawFields;
  for (const name of fields) {
    const found = numberPathIn((object as unknown as Raw)[name], name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Iterative, so a spec nested a million levels deep is walked like any other. */
function numberPathIn(value: unknown, path: string): string | undefined {
  const pending: [unknown, string][] = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [holder, at] = next;
    if (typeof holder !== 'object' || holder === null) continue;
    const isArray = Array.isArray(holder);
    const record = holder as Raw;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'number') {
        if (!Number.isFinite(child)) return isArray ? `${at}[${key}]` : `${at}.${key}`;
        if (child === 0) record[key] = 0;
      } else if (typeof child === 'object' && child !== null) {
        pending.push([child, isArray ? `${at}[${key}]` : `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

// ---- Google Cloud documents -------------------------------------------------------------

/** A gcloud/REST GKE Cluster resource (v1 or v1beta1). */
export function looksLikeGkeCluster(value: Raw): boolean {
  return typeof value.name === 'string' && ('currentMasterVersion' in value || 'nodePools' in value);
}

export function stripGkeCluster(raw: Raw, origin?: Origin): GkeCluster {
  return gkeCluster.pick(raw, origin);
}

export function looksLikeFirewall(value: Raw): boolean {
  return (
    value.kind === 'compute#firewall' || ('direction' in value && ('allowed' in value || 'denied' in value))
  );
}

export function looksLikeMachineType(value: Raw): boolean {
  return value.kind === 'compute#machineType' || ('guestCpus' in value && 'name' in value);
}

export function stripFirewall(raw: Raw, origin?: Origin): FirewallRule {
  return firewallRule.pick(raw, origin);
}

export function stripMachineType(raw: Raw, origin?: Origin): MachineType {
  return machineType.pick(raw, origin);
}
