/**
 * Accumulates stripped objects and per-part coverage, then freezes them into a ClusterSnapshot.
 * Shared by the offline loader and the live collector.
 */
import { InputError } from '../errors.ts';
import {
  type ClusterIdentity,
  type ClusterSnapshot,
  emptyKubeObjects,
  type FirewallRule,
  type GkeCluster,
  KUBE_KINDS,
  type KubeKind,
  type KubeObject,
  type MachineType,
  type Origin,
  type PartCoverage,
  type SkippedInput,
  SNAPSHOT_PARTS,
  type SnapshotPart,
} from './model.ts';
import { describeRawObject, invalidRawObject } from './raw-schema.ts';
import { isKeptObject, isRecord, kubePartOf, stripKubeObject, unrepresentableNumberPath } from './strip.ts';

/**
 * An item of a kubectl List as a raw object: typed Lists (PodList) may omit the items' own
 * apiVersion and kind. An item that is not an object is an InputError at its line.
 */
export function listItemObject(
  listApiVersion: unknown,
  listKind: string,
  item: unknown,
  file: string,
  line: number,
): Record<string, unknown> {
  if (!isRecord(item)) throw new InputError(file, line, `an item of ${listKind} is not an object`);
  const itemKind = listKind === 'List' ? undefined : listKind.slice(0, -'List'.length);
  return itemKind && item.kind === undefined ? { apiVersion: listApiVersion, kind: itemKind, ...item } : item;
}

/** A raw Kubernetes object's part and stripped form, or why it is skipped. */
export type RawKubeOutcome =
  | { readonly kind: KubeKind; readonly object: KubeObject }
  | { readonly skip: string };

/**
 * What becomes of a raw Kubernetes object, on the main thread and in the parallel loader's
 * workers alike: its part and stripped form, or why it is skipped (Secrets and kinds no rule
 * reads; nothing of a Secret is kept). An object that breaks the schema of the fields the rules
 * read is an InputError at its file and line.
 */
export function stripRawKubeObject(
  raw: Record<string, unknown>,
  origin: Origin | undefined,
  file: string,
): RawKubeOutcome {
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  const kindName = typeof raw.kind === 'string' ? raw.kind : '';
  const metadata = raw.metadata;
  const namespace =
    typeof metadata === 'object' && metadata !== null && 'namespace' in metadata
      ? String((metadata as { namespace?: unknown }).namespace ?? '')
      : undefined;
  const kind = kubePartOf(apiVersion, kindName, namespace);
  if (!kind) {
    return {
      skip: kindName === 'Secret' ? 'Secrets are never read' : `kind ${kindName} is not read by any rule`,
    };
  }
  const problem = invalidRawObject(kind, raw);
  if (problem !== undefined) {
    throw new InputError(file, origin?.line, `not a valid Kubernetes object: ${problem}`);
  }
  const object = stripKubeObject(kind, raw, origin);
  if (!object) throw new InputError(file, origin?.line, `${kindName} without metadata.name`);
  const unrepresentable = unrepresentableNumberPath(kind, object);
  if (unrepresentable !== undefined) {
    throw new InputError(
      file,
      origin?.line,
      `not a valid Kubernetes object: ${describeRawObject(raw)}: ${unrepresentable}: a number JSON cannot carry (out of range, or not a number)`,
    );
  }
  return { kind, object };
}

export class SnapshotBuilder {
  private readonly kube = emptyKubeObjects();
  private readonly seen = new Set<string>();
  private readonly coverage = new Map<SnapshotPart, PartCoverage>();
  private readonly skippedCounts = new Map<string, Map<string, number>>();
  private gkeCluster: GkeCluster | undefined;
  private identity: ClusterIdentity = {};
  private readonly firewalls: FirewallRule[] = [];
  private readonly machineTypes: MachineType[] = [];
  /** True once any Kubernetes object was read, whatever its kind. */
  kubeObjectsSeen = false;
  objectCount = 0;

  /**
   * Adds a raw Kubernetes object. Secrets and kinds no rule reads are counted as skipped for
   * the given file; nothing of a Secret is kept.
   */
  addRawKubeObject(raw: Record<string, unknown>, origin: Origin | undefined, file: string): void {
    this.kubeObjectsSeen = true;
    const outcome = stripRawKubeObject(raw, origin, file);
    if ('skip' in outcome) this.skip(file, outcome.skip);
    else this.addKubeObject(outcome.kind, outcome.object);
  }

  /** Adds an already stripped object; duplicates (same kind, namespace and name) keep the first. */
  addKubeObject(kind: KubeKind, object: KubeObject): void {
    if (!isKeptObject(kind, object.metadata)) return;
    // The uid identifies an object on its own; without one (hand-written manifests) use its name.
    const key =
      object.metadata.uid ??
      `${kind}\u0000${object.kind}\u0000${object.metadata.namespace ?? ''}\u0000${object.metadata.name}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    (this.kube[kind] as KubeObject[]).push(object);
    this.objectCount++;
  }

  setGkeCluster(cluster: GkeCluster, file: string): void {
    if (this.gkeCluster && this.gkeCluster.name !== cluster.name) {
      throw new ClusterConflict(file, this.gkeCluster.name, cluster.name);
    }
    this.gkeCluster ??= cluster;
    this.coverage.set('gkeCluster', { collected: true });
  }

  addFirewalls(rules: readonly FirewallRule[]): void {
    this.firewalls.push(...rules);
    this.coverage.set('firewalls', { collected: true });
  }

  addMachineTypes(types: readonly MachineType[]): void {
    this.machineTypes.push(...types);
    this.coverage.set('machineTypes', { collected: true });
  }

  /** Identity facts that do not come from the GKE cluster document (a bundle's, a kube context). */
  mergeIdentity(identity: ClusterIdentity): void {
    this.identity = { ...this.identity, ...identity };
  }

  setCoverage(part: SnapshotPart, coverage: PartCoverage): void {
    this.coverage.set(part, coverage);
  }

  hasCoverage(part: SnapshotPart): boolean {
    return this.coverage.has(part);
  }

  skip(file: string, reason: string): void {
    let reasons = this.skippedCounts.get(file);
    if (!reasons) {
      reasons = new Map();
      this.skippedCounts.set(file, reasons);
    }
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  /**
   * Freezes the snapshot. Parts with no recorded coverage get `missingReason(part)`; the caller
   * decides what "missing" means (offline: not in the files; live: not requested).
   */
  build(options: {
    source: ClusterSnapshot['source'];
    identity?: ClusterIdentity;
    missingReason: (part: SnapshotPart) => PartCoverage;
  }): ClusterSnapshot {
    const coverage = Object.fromEntries(
      SNAPSHOT_PARTS.map((part) => [part, this.coverage.get(part) ?? options.missingReason(part)]),
    ) as Record<SnapshotPart, PartCoverage>;
    const skipped: SkippedInput[] = [];
    for (const [file, reasons] of this.skippedCounts) {
      for (const [reason, count] of reasons) {
        skipped.push({ file, reason: count > 1 ? `${reason} (${count} documents)` : reason });
      }
    }
    for (const kind of KUBE_KINDS) Object.freeze(this.kube[kind]);
    const cluster = this.gkeCluster;
    const identity: ClusterIdentity = {
      ...options.identity,
      ...this.identity,
      ...(cluster ? { name: cluster.name, project: cluster.project, location: cluster.location } : {}),
    };
    for (const key of Object.keys(identity) as (keyof ClusterIdentity)[]) {
      if (identity[key] === undefined) delete identity[key];
    }
    return Object.freeze({
      source: options.source,
      identity: Object.freeze(identity),
      coverage: Object.freeze(coverage),
      kube: Object.freeze(this.kube),
      gkeCluster: cluster,
      firewalls: Object.freeze(this.firewalls),
      machineTypes: Object.freeze(this.machineTypes),
      skipped: Object.freeze(skipped),
    });
  }
}

export class ClusterConflict extends Error {
  readonly file: string;
  constructor(file: string, first: string, second: string) {
    super(`holds GKE cluster "${second}" but "${first}" was already loaded: scan one cluster at a time`);
    this.file = file;
  }
}
