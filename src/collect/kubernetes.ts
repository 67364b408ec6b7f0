/**
 * Reads the Kubernetes part of a live snapshot: discovery first (it also proves the server is
 * reachable and accepts the credentials; if not, the scan cannot run: CollectError), then one
 * paginated list per row of COLLECTED_RESOURCES, a few at a time.
 *
 * Per list: pages of `limit` objects chained with `continue`, each page stripped as it arrives
 * (the raw page is dropped, so memory follows the stripped size); an expired continue token
 * (410 Gone) restarts that list; a list that would never end (a `continue` token given twice, an
 * object listed twice, more objects or pages than maxListObjects allows) stops the scan
 * (CollectError, exit 3): its objects cannot be trusted, and reading on would fill the memory; 429, 5xx, network errors and timeouts are retried with jittered
 * backoff. A 404 (the API group or resource is not installed) means the kind is absent: collected,
 * with no objects. A 403, or a failure that outlasts the retries, leaves the part not collected,
 * with a reason naming the verb, API group and resource, so the rules that need it say `unknown`.
 */

import { CollectError } from '../errors.ts';
import type { SnapshotBuilder } from '../snapshot/builder.ts';
import { KIND_TABLE } from '../snapshot/kinds.ts';
import { KUBE_KINDS, type KubeKind, type KubeObject } from '../snapshot/model.ts';
import { describeRawObject, invalidRawObject } from '../snapshot/raw-schema.ts';
import { kubeKindOf, stripKubeObject, unrepresentableNumberPath } from '../snapshot/strip.ts';
import { type KubeApi, type ListTarget, requestOf } from './kube-api.ts';
import { describeKubeFailure, type KubeFailure, kubeFailureOf, kubeRetryDecision } from './kube-failure.ts';
import { isPlainHttp, type KubeTarget } from './kubeconfig.ts';
import { runWithConcurrency } from './pool.ts';
import { COLLECTED_RESOURCES, type CollectedResource } from './resources.ts';
import { type RetryPolicy, withRetries } from './retry.ts';

export interface KubeCollectTuning {
  /** Lists in flight at once. */
  readonly concurrency: number;
  /** `limit` of each list page. */
  readonly pageSize: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  /** How many times one list may start again after its continue token expired. */
  readonly maxListRestarts: number;
  /**
   * The most objects one list may hold (the pages of one list are at most this over the page
   * size, twice over for short pages): a server whose `continue` never ends stops here, with
   * memory bounded, rather than filling it.
   */
  readonly maxListObjects: number;
}

export interface KubeProgress {
  readonly listsDone: number;
  readonly listsTotal: number;
  readonly objects: number;
}

type ListOutcome =
  | { readonly kind: 'collected'; readonly objects: readonly [KubeKind, KubeObject][] }
  | { readonly kind: 'absent'; readonly note: string }
  | { readonly kind: 'failed'; readonly reason: string };

interface ListTask {
  readonly part: KubeKind;
  readonly target: ListTarget;
}

/** `pods`, `envoyfilters.networking.istio.io`: how kubectl names a resource. */
function resourceName(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function permission(target: ListTarget): string {
  const scope = target.namespace ? `, namespace "${target.namespace}"` : '';
  return `verb "list", API group "${target.group}", resource "${target.resource}"${scope}`;
}

function reasonFor(target: ListTarget, failure: KubeFailure, attempts: number): string {
  const name = resourceName(target.group, target.resource);
  if (failure.kind === 'status' && failure.status === 403) {
    return `permission denied (HTTP 403) to list ${name} (${permission(target)}); the read-only ClusterRole from \`meshready manifests\` grants it`;
  }
  if (failure.kind === 'status' && failure.status === 401) {
    return `the credentials were rejected (HTTP 401) while listing ${name}`;
  }
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  return `listing ${name} failed${tries}: ${describeKubeFailure(failure)}`;
}

/** One line saying which server and context failed, for CollectError. */
function serverLabel(target: KubeTarget): string {
  return `the Kubernetes API server ${target.server} (context ${target.context})`;
}

/**
 * Discovery: which API groups and versions the server serves. Failing here means the scan cannot
 * run at all (unreachable server, rejected credentials): CollectError, exit 3.
 */
export async function discoverServedVersions(
  api: KubeApi,
  target: KubeTarget,
  retry: RetryPolicy,
  requestTimeoutMs?: number,
): Promise<Map<string, Set<string>>> {
  let served: Map<string, Set<string>>;
  try {
    // A server that accepts the connection and never answers is not retried: one timeout says
    // enough, and five of them made the scan take minutes to fail.
    served = await withRetries(
      () => api.servedGroupVersions(),
      (error) => (kubeFailureOf(error).kind === 'timeout' ? { retry: false } : kubeRetryDecision(error)),
      retry,
    );
  } catch (error) {
    const failure = kubeFailureOf(error);
    if (failure.kind === 'status' && failure.status === 401) {
      throw new CollectError(
        isPlainHttp(target.server)
          ? `${serverLabel(target)} asks for credentials (HTTP 401 Unauthorized), and like kubectl, meshready sends none over plain http://: use the server's https:// address, or \`kubectl proxy\``
          : `${serverLabel(target)} rejected the credentials (HTTP 401 Unauthorized)`,
      );
    }
    if (failure.kind === 'timeout') {
      const limit = requestTimeoutMs === undefined ? '' : ` within ${requestTimeoutMs / 1000} s`;
      throw new CollectError(
        `${serverLabel(target)} did not answer ${requestOf(error) ?? 'API discovery'}${limit} ` +
          '(--request-timeout sets the limit)',
      );
    }
    if (failure.kind === 'network') {
      throw new CollectError(`cannot reach ${serverLabel(target)}: ${failure.message}`);
    }
    if (failure.kind === 'status') {
      throw new CollectError(
        `${serverLabel(target)} refused API discovery (GET /api, /apis): ${describeKubeFailure(failure)}`,
      );
    }
    throw new CollectError(`cannot talk to ${serverLabel(target)}: ${failure.message}`);
  }
  // Every Kubernetes API server serves the core group: without it nothing the scan needs can be
  // listed, and reading that as "no objects" would pass rules on data never read (SPEC §1: exit 3).
  if (!served.get('')?.has('v1')) {
    throw new CollectError(
      `${serverLabel(target)} answered API discovery without the core API group (GET /api lists no v1): the scan cannot run`,
    );
  }
  return served;
}

/** Groups every Kubernetes API server serves: not served means the answer is wrong, not "absent". */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'admissionregistration.k8s.io',
  'rbac.authorization.k8s.io',
]);

function listTarget(row: CollectedResource, version: string, resource: string, kind: string): ListTarget {
  return { group: row.group, version, resource, kind, namespace: row.namespace };
}

/** The list calls of the table; `*` rows become one call per resource discovery finds. */
async function planLists(
  api: KubeApi,
  served: ReadonlyMap<string, ReadonlySet<string>>,
  retry: RetryPolicy,
): Promise<{ tasks: ListTask[]; settled: { part: KubeKind; outcome: ListOutcome }[] }> {
  const tasks: ListTask[] = [];
  const settled: { part: KubeKind; outcome: ListOutcome }[] = [];
  for (const row of COLLECTED_RESOURCES) {
    const version =
      [row.version, ...(row.olderVersions ?? [])].find((v) => served.get(row.group)?.has(v)) ?? row.version;
    const groupVersion = row.group === '' ? version : `${row.group}/${version}`;
    if (!served.get(row.group)?.has(version)) {
      const what = row.resource === '*' ? groupVersion : resourceName(row.group, row.resource);
      if (BUILT_IN_GROUPS.has(row.group)) {
        settled.push({
          part: row.part,
          outcome: {
            kind: 'failed',
            reason: `API discovery does not list ${groupVersion}, which every supported Kubernetes version serves, so ${what} could not be listed`,
          },
        });
        continue;
      }
      settled.push({
        part: row.part,
        outcome: { kind: 'absent', note: `${what} is not installed (${groupVersion} is not served)` },
      });
      continue;
    }
    if (row.resource !== '*') {
      tasks.push({ part: row.part, target: listTarget(row, version, row.resource, row.kind) });
      continue;
    }
    try {
      const resources = await withRetries(
        () => api.resourcesOf(row.group, version),
        kubeRetryDecision,
        retry,
      );
      const listable = resources.filter((r) => !r.name.includes('/') && r.verbs.includes('list'));
      if (listable.length === 0) {
        settled.push({
          part: row.part,
          outcome: { kind: 'absent', note: `${groupVersion} serves no resources` },
        });
      }
      for (const resource of listable) {
        tasks.push({ part: row.part, target: listTarget(row, version, resource.name, resource.kind) });
      }
    } catch (error) {
      const reason = `discovery of ${groupVersion} (GET /apis/${groupVersion}) failed: ${describeKubeFailure(kubeFailureOf(error))}`;
      settled.push({ part: row.part, outcome: { kind: 'failed', reason } });
    }
  }
  return { tasks, settled };
}

class ObjectCounter {
  value = 0;
}

/**
 * Watches one list's pages for a server that would never end it: a real API server never gives
 * the same `continue` token twice, nor the same object twice in one list, and a list holds at most
 * maxListObjects objects (Kubernetes' own limits are far below: 150,000 pods per cluster).
 */
class PaginationGuard {
  private readonly tokens = new Set<string>();
  private readonly uids = new Set<string>();
  private objects = 0;
  private pages = 0;
  private readonly target: ListTarget;
  private readonly maxObjects: number;
  private readonly maxPages: number;

  constructor(target: ListTarget, tuning: KubeCollectTuning) {
    this.target = target;
    this.maxObjects = tuning.maxListObjects;
    this.maxPages = 2 * Math.ceil(tuning.maxListObjects / tuning.pageSize) + 10;
  }

  page(items: readonly Record<string, unknown>[], continueToken: string | undefined): void {
    this.pages++;
    this.objects += items.length;
    const name = resourceName(this.target.group, this.target.resource);
    const stop = (why: string) =>
      new CollectError(
        `listing ${name} would never end: ${why} (page ${this.pages}, ${this.objects} objects); the list cannot be trusted, so the scan stops`,
      );
    if (continueToken !== undefined && this.tokens.has(continueToken)) {
      throw stop('the API server gave the same continue token a second time');
    }
    if (continueToken !== undefined) this.tokens.add(continueToken);
    for (const item of items) {
      const metadata = item.metadata;
      const uid =
        typeof metadata === 'object' && metadata !== null ? (metadata as { uid?: unknown }).uid : undefined;
      if (typeof uid !== 'string' || uid === '') continue;
      if (this.uids.has(uid)) {
        throw stop(
          `the API server returned the object with uid ${JSON.stringify(uid.slice(0, 80))} a second time`,
        );
      }
      this.uids.add(uid);
    }
    if (this.objects > this.maxObjects) throw stop(`more than ${this.maxObjects} objects in one list`);
    if (this.pages > this.maxPages) throw stop(`more than ${this.maxPages} pages`);
  }
}

async function listAll(
  api: KubeApi,
  task: ListTask,
  tuning: KubeCollectTuning,
  counter: ObjectCounter,
  onPage: () => void,
): Promise<ListOutcome> {
  const { target } = task;
  for (let restart = 0; ; restart++) {
    const objects: [KubeKind, KubeObject][] = [];
    let read = 0;
    let continueToken: string | undefined;
    let attempts = 0;
    const pagination = new PaginationGuard(target, tuning);
    try {
      do {
        attempts = 0;
        const page = await withRetries(
          () => {
            attempts++;
            return api.listPage(target, tuning.pageSize, continueToken);
          },
          kubeRetryDecision,
          tuning.retry,
        );
        pagination.page(page.items, page.continueToken);
        for (const raw of page.items) {
          // The same classification and checks as the offline loader, so both build the same snapshot.
          const part = kubeKindOf(String(raw.apiVersion ?? ''), String(raw.kind ?? ''));
          if (!part) continue;
          // An object the API server should never return: the kind cannot be trusted, so it is
          // not collected (its rules answer `unknown`), never read as if the field were absent.
          const invalid = invalidRawObject(part, raw);
          const stripped = invalid === undefined ? stripKubeObject(part, raw) : undefined;
          const unrepresentable = stripped && unrepresentableNumberPath(part, stripped);
          if (!stripped || unrepresentable !== undefined) {
            const problem =
              invalid ??
              (unrepresentable === undefined
                ? `${describeRawObject(raw)} without metadata.name`
                : `${describeRawObject(raw)}: ${unrepresentable}: a number JSON cannot carry`);
            counter.value -= read;
            return {
              kind: 'failed',
              reason: `${resourceName(target.group, target.resource)}: the API server returned an invalid object: ${problem}`,
            };
          }
          objects.push([part, stripped]);
        }
        read += page.items.length;
        counter.value += page.items.length;
        onPage();
        continueToken = page.continueToken;
      } while (continueToken !== undefined);
      return { kind: 'collected', objects };
    } catch (error) {
      counter.value -= read;
      if (error instanceof CollectError) throw error;
      const failure = kubeFailureOf(error);
      if (failure.kind === 'status' && failure.status === 410) {
        if (restart < tuning.maxListRestarts) continue;
        return {
          kind: 'failed',
          reason: `the list of ${resourceName(target.group, target.resource)} kept expiring (HTTP 410 Gone, ${restart + 1} times): the cluster changes faster than it can be listed`,
        };
      }
      if (failure.kind === 'status' && failure.status === 404) {
        return {
          kind: 'absent',
          note: `${resourceName(target.group, target.resource)} is not installed (HTTP 404)`,
        };
      }
      return { kind: 'failed', reason: reasonFor(target, failure, attempts) };
    }
  }
}

/** Lists every kind and records, per part, its objects and whether it was collected. */
export async function collectKubernetes(
  builder: SnapshotBuilder,
  api: KubeApi,
  served: ReadonlyMap<string, ReadonlySet<string>>,
  tuning: KubeCollectTuning,
  onProgress?: (progress: KubeProgress) => void,
): Promise<void> {
  const { tasks, settled } = await planLists(api, served, tuning.retry);
  const counter = new ObjectCounter();
  let listsDone = 0;
  const report = () => onProgress?.({ listsDone, listsTotal: tasks.length, objects: counter.value });
  report();
  const outcomes = await runWithConcurrency(
    tasks.map((task) => async () => {
      const outcome = await listAll(api, task, tuning, counter, report);
      listsDone++;
      report();
      return { part: task.part, outcome };
    }),
    tuning.concurrency,
  );
  const byPart = new Map<KubeKind, ListOutcome[]>();
  for (const { part, outcome } of [...settled, ...outcomes]) {
    byPart.set(part, [...(byPart.get(part) ?? []), outcome]);
  }
  for (const part of KUBE_KINDS) {
    const results = byPart.get(part) ?? [];
    for (const result of results) {
      if (result.kind === 'collected')
        for (const [kind, object] of result.objects) builder.addKubeObject(kind, object);
    }
    const failures = results.flatMap((r) => (r.kind === 'failed' ? [r.reason] : []));
    const notes = results.flatMap((r) => (r.kind === 'absent' ? [r.note] : []));
    // A part no API resource fills (custom resources of any kind in istio-system) is read from
    // snapshot files only: listing every custom group live would need a role that can read
    // everything, Secrets included. It is empty with the table's note, and its rules say so.
    const notListed = KIND_TABLE[part].notListedLive;
    if (notListed !== undefined && results.length === 0) {
      builder.setCoverage(part, { collected: true, note: notListed });
      continue;
    }
    if (failures.length > 0) builder.setCoverage(part, { collected: false, reason: failures.join('; ') });
    else if (notes.length > 0) builder.setCoverage(part, { collected: true, note: notes.join('; ') });
    else builder.setCoverage(part, { collected: true });
  }
}
