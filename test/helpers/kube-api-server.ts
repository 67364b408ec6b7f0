/**
 * A small Kubernetes API server for tests, on 127.0.0.1, speaking enough of the real protocol for
 * `@kubernetes/client-node` and `kubectl`: discovery (/api, /apis, /api/v1, /apis/<g>/<v>), list
 * calls with `limit`/`continue`/`resourceVersion`, kubectl's server-side Table printing, bearer
 * token authentication and Kubernetes `Status` errors. Every request is recorded, and faults can
 * be injected: any status (401, 403, 404, 410, 429, 500), a slow response, a dropped connection.
 *
 * Objects are serialized once when the server starts, and a page is the join of its objects'
 * strings, so it can serve very large clusters (e.g. 150k pods) without re-encoding per request.
 * `latencyMs` adds a delay to every request, to model a remote API server.
 *
 * With `writable`, it also takes what `kubectl` sends to change a cluster (remediate.sh's tests):
 * single-object GETs, `labelSelector` and `fieldSelector` (metadata.name, metadata.namespace) on
 * lists, POST (create, what `kubectl apply` sends for a new object), PATCH (JSON patch, merge
 * patch, and strategic merge patch applied as a merge patch: maps merge, lists are replaced, which
 * is all kubectl label/annotate/rollout restart/apply need), PUT, DELETE, and the `scale`
 * subresource of Deployments, StatefulSets and ReplicaSets. `dryRun=All` (a server-side dry run)
 * answers as the change would but changes nothing. Each change is applied to the served object, so
 * the client's follow-up reads see it, and recorded with its body. It also serves the OpenAPI v3
 * index and, per group version, the PATCH operations with their `fieldValidation` parameter: that
 * is how kubectl's default strict validation learns the server validates fields itself (else it
 * insists on downloading the OpenAPI v2 schema).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

type Raw = Record<string, unknown>;

export interface ServedResource {
  readonly group: string;
  readonly version: string;
  /** Plural resource name, e.g. `pods`. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface Fault {
  /** Requests whose path (without query) equals this string or matches this pattern. */
  readonly path: string | RegExp;
  /** Only requests that carry a `continue` token (to expire a list half-way). */
  readonly onlyContinue?: boolean;
  /** Only requests of this method (e.g. `POST`: a create, not the GET before it). */
  readonly method?: string;
  /** Let this many matching requests through before the fault applies (0 when absent). */
  readonly after?: number;
  /** Answer with this status and a Kubernetes Status body. */
  readonly status?: number;
  /** Retry-After header, with a 429. */
  readonly retryAfterSeconds?: number;
  /** Wait this long before answering (or before dropping). */
  readonly delayMs?: number;
  /** Close the connection without an answer. */
  readonly drop?: boolean;
  /** How many matching requests it affects; unlimited when absent. */
  readonly times?: number;
  /**
   * A list whose `continue` never ends: every page is the first page again, with a continue
   * token that is the same every time (`same-token`) or new every time (`cycle`); or every page
   * holds `limit` objects never listed before (`fresh-objects`: a runaway), or none
   * (`empty-pages`), with a new token.
   */
  readonly continueLoop?: 'same-token' | 'cycle' | 'fresh-objects' | 'empty-pages';
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly userAgent: string | undefined;
  readonly contentType: string | undefined;
  /** The request body ('' for none): a patch, or the object of a PUT. */
  readonly body: string;
  /** What the server answered (0 when the connection was dropped). */
  status: number;
}

export interface KubeApiServerOptions {
  readonly objects?: Iterable<Raw>;
  /** Resources to serve even when no object of them is given (an installed CRD with no objects). */
  readonly resources?: readonly ServedResource[];
  /** When set, every request must carry `Authorization: Bearer <token>`, else 401. */
  readonly token?: string;
  readonly latencyMs?: number;
  readonly faults?: readonly Fault[];
  readonly gitVersion?: string;
  /** The versions GET /api lists (default `["v1"]`); a broken server may list none. */
  readonly coreVersions?: readonly string[];
  /**
   * Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 (made with openssl), as real
   * API servers do. kubectl only sends a bearer token over TLS.
   */
  readonly tls?: boolean;
  /** Accept and apply PATCH, PUT and DELETE (see the file comment); otherwise they get 405. */
  readonly writable?: boolean;
  /** The address to listen on (default 127.0.0.1): a non-loopback one models a remote server. */
  readonly host?: string;
}

export interface ServerCertificate {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway self-signed certificate for 127.0.0.1, valid for two days. */
export function selfSignedCertificate(): ServerCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshready-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kinds a GKE cluster with the Istio add-on serves, with their plural names and scope. */
const KNOWN_RESOURCES: readonly ServedResource[] = [
  core('namespaces', 'Namespace', false),
  core('nodes', 'Node', false),
  core('services', 'Service', true),
  core('pods', 'Pod', true),
  core('configmaps', 'ConfigMap', true),
  core('secrets', 'Secret', true),
  core('serviceaccounts', 'ServiceAccount', true),
  apps('deployments', 'Deployment'),
  apps('statefulsets', 'StatefulSet'),
  apps('daemonsets', 'DaemonSet'),
  apps('replicasets', 'ReplicaSet'),
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
  },
  {
    group: 'authentication.istio.io',
    version: 'v1alpha1',
    resource: 'meshpolicies',
    kind: 'MeshPolicy',
    namespaced: false,
  },
  {
    group: 'rbac.istio.io',
    version: 'v1alpha1',
    resource: 'clusterrbacconfigs',
    kind: 'ClusterRbacConfig',
    namespaced: false,
  },
];

/** Groups every cluster serves, whether or not the test gives objects of them. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'admissionregistration.k8s.io',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
]);

function core(resource: string, kind: string, namespaced: boolean): ServedResource {
  return { group: '', version: 'v1', resource, kind, namespaced };
}
function apps(resource: string, kind: string): ServedResource {
  return { group: 'apps', version: 'v1', resource, kind, namespaced: true };
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** One served list: its objects sorted by namespace and name, each already serialized. */
interface Collection {
  readonly served: ServedResource;
  readonly entries: { namespace: string; name: string; json: string; metadata: string }[];
  /** Indexes of every object, and per namespace, built on first use. */
  all?: number[];
  byNamespace?: Map<string, number[]>;
}

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly certificate: ServerCertificate | undefined;
  private readonly collections = new Map<string, Collection>();
  private readonly faults: { fault: Fault; remaining: number; passed: number }[] = [];
  private readonly options: KubeApiServerOptions;
  private readonly resourceVersion = '424242';
  private inFlight = 0;
  /** The most requests this server was answering at the same time. */
  maxInFlight = 0;
  url = '';

  constructor(options: KubeApiServerOptions = {}) {
    this.options = options;
    for (const served of [...KNOWN_RESOURCES, ...(options.resources ?? [])]) this.serve(served);
    for (const object of options.objects ?? []) this.addObject(object);
    for (const collection of this.collections.values()) {
      collection.entries.sort(
        (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
      );
    }
    for (const fault of options.faults ?? []) this.addFault(fault);
    const listener: http.RequestListener = (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    };
    this.certificate = options.tls ? selfSignedCertificate() : undefined;
    this.server = this.certificate
      ? https.createServer({ key: this.certificate.key, cert: this.certificate.cert }, listener)
      : http.createServer(listener);
  }

  async start(): Promise<this> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    const scheme = this.certificate ? 'https' : 'http';
    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    this.url = `${scheme}://${hostInUrl}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFault(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, passed: 0 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** A kubeconfig for this server; the context is named like gcloud names GKE contexts when asked. */
  async writeKubeconfig(file: string, options: { context?: string; token?: string } = {}): Promise<string> {
    const context = options.context ?? 'test-cluster';
    const token = options.token ?? this.options.token ?? 'test-token';
    const trust = this.certificate
      ? `    certificate-authority-data: ${Buffer.from(this.certificate.cert).toString('base64')}`
      : '    insecure-skip-tls-verify: true';
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${this.url}`,
      trust,
      'users:',
      `- name: ${context}`,
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      `current-context: ${context}`,
      '',
    ].join('\n');
    await writeFile(file, text);
    return file;
  }

  /** Requests for resources (not discovery), as `group/resource` with `""` for the core group. */
  resourceRequests(): { group: string; version: string; resource: string; namespace?: string }[] {
    return this.requests.flatMap((request) => {
      const parsed = parseResourcePath(request.path);
      return parsed ? [parsed] : [];
    });
  }

  private serve(served: ServedResource): Collection {
    const key = `${served.group}/${served.version}/${served.resource}`;
    let collection = this.collections.get(key);
    if (!collection) {
      collection = { served, entries: [] };
      this.collections.set(key, collection);
    }
    return collection;
  }

  private resourceFor(group: string, version: string, kind: string, namespaced: boolean): ServedResource {
    for (const collection of this.collections.values()) {
      const served = collection.served;
      if (served.group === group && served.kind === kind) return { ...served, version };
    }
    return { group, version, resource: pluralOf(kind), kind, namespaced };
  }

  private addObject(object: Raw): void {
    const { group, version } = splitApiVersion(String(object.apiVersion ?? ''));
    const metadata = (object.metadata ?? {}) as Raw;
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
    const served = this.resourceFor(group, version, String(object.kind), namespace !== '');
    const collection = this.serve(served);
    // The API server leaves kind and apiVersion out of the items of a built-in list.
    const item = BUILT_IN_GROUPS.has(group) ? withoutTypeMeta(object) : object;
    collection.entries.push({
      namespace,
      name: String(metadata.name ?? ''),
      json: JSON.stringify(item),
      metadata: JSON.stringify(metadata),
    });
  }

  private servedGroups(): Map<string, Set<string>> {
    const groups = new Map<string, Set<string>>();
    for (const { served, entries } of this.collections.values()) {
      const builtIn = BUILT_IN_GROUPS.has(served.group);
      const declared = this.options.resources?.some(
        (r) => r.group === served.group && r.version === served.version,
      );
      if (!builtIn && !declared && entries.length === 0) continue;
      const versions = groups.get(served.group) ?? new Set<string>();
      versions.add(served.version);
      groups.set(served.group, versions);
    }
    return groups;
  }

  private resourcesOf(group: string, version: string): ServedResource[] {
    const served = this.servedGroups().get(group);
    if (!served?.has(version)) return [];
    return [...this.collections.values()]
      .map((c) => c.served)
      .filter((s) => s.group === group && s.version === version);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      accept: request.headers.accept,
      userAgent: request.headers['user-agent'],
      contentType: request.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
    };
    this.requests.push(recorded);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.once('close', () => this.inFlight--);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);

    const fault = this.takeFault(pathname, url.searchParams.has('continue'), recorded.method);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop) {
      request.socket.destroy();
      return;
    }
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      recorded.status = status;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
    if (
      this.options.token !== undefined &&
      request.headers.authorization !== `Bearer ${this.options.token}`
    ) {
      send(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (fault?.status) {
      const headers: Record<string, string> = fault.retryAfterSeconds
        ? { 'retry-after': String(fault.retryAfterSeconds) }
        : {};
      send(fault.status, faultBody(fault.status, pathname), headers);
      return;
    }
    if (recorded.method !== 'GET' && this.options.writable) {
      const answer = recorded.method === 'POST' ? this.create(recorded) : this.write(recorded);
      send(answer.status, answer.body);
      return;
    }
    if (recorded.method !== 'GET') {
      send(
        405,
        statusBody(405, 'MethodNotAllowed', `${recorded.method} is not allowed: this server is read-only`),
      );
      return;
    }
    if (fault?.continueLoop) {
      send(200, this.loopingPage(pathname, url.searchParams, fault.continueLoop));
      return;
    }
    const answer = this.answer(pathname, url.searchParams, request.headers.accept ?? '');
    send(answer.status, answer.body);
  }

  private loops = 0;

  /** A page of a list that never ends (Fault.continueLoop). */
  private loopingPage(
    pathname: string,
    query: URLSearchParams,
    mode: NonNullable<Fault['continueLoop']>,
  ): string {
    const first = new URLSearchParams(query);
    first.delete('continue');
    const page = JSON.parse(this.answer(pathname, first, 'application/json').body) as Raw;
    const loop = ++this.loops;
    const metadata = (page.metadata ?? {}) as Raw;
    metadata.continue = mode === 'same-token' ? 'again' : `loop-${loop}`;
    page.metadata = metadata;
    if (mode === 'empty-pages') page.items = [];
    if (mode === 'fresh-objects') {
      const limit = Number(query.get('limit') ?? '0') || 10;
      page.items = Array.from({ length: limit }, (_, i) => {
        const name = `runaway-${loop}-${i}`;
        return { metadata: { name, namespace: 'default', uid: name } };
      });
    }
    return JSON.stringify(page);
  }

  private takeFault(pathname: string, hasContinue: boolean, method: string): Fault | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      const matches = typeof fault.path === 'string' ? fault.path === pathname : fault.path.test(pathname);
      if (!matches || entry.remaining <= 0) continue;
      if (fault.onlyContinue && !hasContinue) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (entry.passed < (fault.after ?? 0)) {
        entry.passed++;
        continue;
      }
      entry.remaining--;
      return fault;
    }
    return undefined;
  }

  private answer(pathname: string, query: URLSearchParams, accept: string): { status: number; body: string } {
    if (this.options.writable && pathname.startsWith('/openapi/v3')) return this.openApiV3(pathname);
    if (pathname === '/version') {
      const gitVersion = this.options.gitVersion ?? 'v1.17.13-gke.2600';
      const [major, minor] = gitVersion.replace(/^v/, '').split('.');
      return ok({ major, minor, gitVersion, platform: 'linux/amd64' });
    }
    if (pathname === '/api')
      return ok({
        kind: 'APIVersions',
        versions: [...(this.options.coreVersions ?? ['v1'])],
        serverAddressByClientCIDRs: [],
      });
    if (pathname === '/apis') return ok(this.groupList());
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
    if (discovery) {
      const group = discovery[1] ? '' : (discovery[2] ?? '');
      const version = discovery[1] ?? discovery[3] ?? '';
      const resources = this.resourcesOf(group, version);
      if (resources.length === 0 && !(this.servedGroups().get(group)?.has(version) ?? false)) {
        return notFound(pathname);
      }
      return ok({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: groupVersion(group, version),
        resources: resources.flatMap((r) => [
          {
            name: r.resource,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: this.options.writable ? ['get', 'list', 'patch', 'update', 'delete'] : ['get', 'list'],
          },
          ...(this.options.writable && SCALABLE.has(r.resource)
            ? [
                {
                  name: `${r.resource}/scale`,
                  singularName: '',
                  namespaced: true,
                  group: 'autoscaling',
                  version: 'v1',
                  kind: 'Scale',
                  verbs: ['get', 'patch', 'update'],
                },
              ]
            : []),
        ]),
      });
    }
    const target = parseResourcePath(pathname);
    if (!target) {
      const object = this.options.writable ? parseObjectPath(pathname) : undefined;
      return object ? this.getObject(object) : notFound(pathname);
    }
    const collection = this.collections.get(`${target.group}/${target.version}/${target.resource}`);
    if (!collection || !this.servedGroups().get(target.group)?.has(target.version)) return notFound(pathname);
    if (query.get('watch') === 'true' || query.get('watch') === '1') {
      return {
        status: 405,
        body: statusBody(405, 'MethodNotAllowed', 'watch is not supported by this test server'),
      };
    }
    return this.list(collection, target.namespace, query, accept);
  }

  private groupList(): Raw {
    const groups = [...this.servedGroups()]
      .filter(([group]) => group !== '')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, versions]) => {
        const list = [...versions].sort().map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions: list, preferredVersion: list[list.length - 1] };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  private list(
    collection: Collection,
    namespace: string | undefined,
    query: URLSearchParams,
    accept: string,
  ): { status: number; body: string } {
    const indexes = this.filtered(collection, this.indexesFor(collection, namespace), query);
    let start = 0;
    const token = query.get('continue');
    if (token) {
      const decoded = decodeContinue(token);
      if (!decoded || decoded.resourceVersion !== this.resourceVersion) {
        return { status: 410, body: faultBody(410, '') };
      }
      start = decoded.offset;
    }
    const limit = Number(query.get('limit') ?? '0');
    const end = limit > 0 ? Math.min(indexes.length, start + limit) : indexes.length;
    const slice = indexes.slice(start, end);
    const more = end < indexes.length;
    const metadata: Raw = { resourceVersion: this.resourceVersion };
    if (more) {
      metadata.continue = encodeContinue({ resourceVersion: this.resourceVersion, offset: end });
      metadata.remainingItemCount = indexes.length - end;
    }
    const { served } = collection;
    if (accept.includes('as=Table')) return { status: 200, body: this.table(collection, slice, metadata) };
    const head = JSON.stringify({
      kind: `${served.kind}List`,
      apiVersion: groupVersion(served.group, served.version),
      metadata,
    });
    const items = slice.map((index) => collection.entries[index]?.json).join(',');
    return { status: 200, body: `${head.slice(0, -1)},"items":[${items}]}` };
  }

  /** What kubectl asks for by default: a Table of names, with the metadata of each row's object. */
  private table(collection: Collection, slice: number[], metadata: Raw): string {
    const rows = slice.map((index) => {
      const entry = collection.entries[index];
      return `{"cells":[${JSON.stringify(entry?.name)}],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${entry?.metadata}}}`;
    });
    const head = JSON.stringify({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 }],
    });
    return `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`;
  }

  /** The entries matching the list's labelSelector and fieldSelector (equality-based only). */
  private filtered(collection: Collection, indexes: number[], query: URLSearchParams): number[] {
    const labels = parseSelector(query.get('labelSelector') ?? '');
    const fields = parseSelector(query.get('fieldSelector') ?? '');
    if (labels.length === 0 && fields.length === 0) return indexes;
    return indexes.filter((index) => {
      const entry = collection.entries[index];
      if (!entry) return false;
      const metadata = JSON.parse(entry.metadata) as Raw;
      const labelMap = (metadata.labels ?? {}) as Record<string, string>;
      const fieldMap: Record<string, string> = {
        'metadata.name': entry.name,
        'metadata.namespace': entry.namespace,
      };
      return labels.every((r) => r(labelMap)) && fields.every((r) => r(fieldMap));
    });
  }

  private locate(
    target: ObjectPath,
  ): { collection: Collection; index: number; object: Raw } | { error: { status: number; body: string } } {
    const collection = this.collections.get(`${target.group}/${target.version}/${target.resource}`);
    if (!collection || !this.servedGroups().get(target.group)?.has(target.version)) {
      return { error: notFound(target.path) };
    }
    const index = collection.entries.findIndex(
      (e) => e.name === target.name && e.namespace === (target.namespace ?? ''),
    );
    const entry = collection.entries[index];
    if (!entry) {
      const { served } = collection;
      const what = served.group === '' ? served.resource : `${served.resource}.${served.group}`;
      return {
        error: { status: 404, body: statusBody(404, 'NotFound', `${what} "${target.name}" not found`) },
      };
    }
    const { served } = collection;
    const object = {
      kind: served.kind,
      apiVersion: groupVersion(served.group, served.version),
      ...(JSON.parse(entry.json) as Raw),
    };
    return { collection, index, object };
  }

  private getObject(target: ObjectPath): { status: number; body: string } {
    const found = this.locate(target);
    if ('error' in found) return found.error;
    if (target.subresource === 'scale') return ok(scaleOf(found.object));
    if (target.subresource) return notFound(target.path);
    return ok(found.object);
  }

  /**
   * The OpenAPI v3 index (one entry per served group version) and each group version's document:
   * only the PATCH operation of each resource, with its kind and the `fieldValidation` parameter.
   */
  private openApiV3(pathname: string): { status: number; body: string } {
    const key = (group: string, version: string) =>
      group === '' ? `api/${version}` : `apis/${group}/${version}`;
    if (pathname === '/openapi/v3') {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [group, versions] of this.servedGroups()) {
        for (const version of versions) {
          paths[key(group, version)] = { serverRelativeURL: `/openapi/v3/${key(group, version)}?hash=test` };
        }
      }
      return ok({ paths });
    }
    for (const [group, versions] of this.servedGroups()) {
      for (const version of versions) {
        if (pathname !== `/openapi/v3/${key(group, version)}`) continue;
        const paths: Record<string, unknown> = {};
        for (const served of this.resourcesOf(group, version)) {
          const scope = served.namespaced ? '/namespaces/{namespace}' : '';
          paths[`/${key(group, version)}${scope}/${served.resource}/{name}`] = {
            patch: {
              'x-kubernetes-group-version-kind': { group, version, kind: served.kind },
              parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
              responses: {},
            },
          };
        }
        return ok({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'test' }, paths });
      }
    }
    return notFound(pathname);
  }

  /** POST of a new object to its collection: 201 and the object, 409 when it exists already. */
  private create(request: RecordedRequest): { status: number; body: string } {
    const target = parseResourcePath(request.path);
    const collection = target && this.collections.get(`${target.group}/${target.version}/${target.resource}`);
    if (!target || !collection || !this.servedGroups().get(target.group)?.has(target.version)) {
      return notFound(request.path);
    }
    let object: Raw;
    try {
      object = JSON.parse(request.body) as Raw;
    } catch {
      return { status: 400, body: statusBody(400, 'BadRequest', 'the request body is not JSON') };
    }
    const metadata = { ...((object.metadata ?? {}) as Raw) };
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    if (name === '')
      return { status: 422, body: statusBody(422, 'Invalid', 'metadata.name: Required value') };
    const namespace = collection.served.namespaced ? (target.namespace ?? '') : '';
    if (collection.entries.some((e) => e.name === name && e.namespace === namespace)) {
      const what = `${collection.served.resource}.${collection.served.group}`;
      return {
        status: 409,
        body: statusBody(409, 'AlreadyExists', `${what} "${name}" already exists`),
      };
    }
    if (namespace) metadata.namespace = namespace;
    const stored: Raw = { ...object, metadata: { ...metadata, uid: `uid-${name}`, resourceVersion: '1' } };
    if (request.query.dryRun !== 'All') {
      const item = BUILT_IN_GROUPS.has(collection.served.group) ? withoutTypeMeta(stored) : stored;
      collection.entries.push({
        namespace,
        name,
        json: JSON.stringify(item),
        metadata: JSON.stringify(stored.metadata),
      });
      delete collection.all;
      delete collection.byNamespace;
    }
    return { status: 201, body: JSON.stringify(stored) };
  }

  /** PATCH, PUT or DELETE of one object (or its scale), applied to what is served. */
  private write(request: RecordedRequest): { status: number; body: string } {
    const target = parseObjectPath(request.path);
    if (!target) {
      return { status: 405, body: statusBody(405, 'MethodNotAllowed', `${request.method} ${request.path}`) };
    }
    const found = this.locate(target);
    if ('error' in found) return found.error;
    const { collection, index } = found;
    if (target.subresource && target.subresource !== 'scale') return notFound(target.path);
    const dryRun = request.query.dryRun === 'All';
    if (request.method === 'DELETE' && !target.subresource) {
      if (!dryRun) collection.entries.splice(index, 1);
      delete collection.all;
      delete collection.byNamespace;
      return ok({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: target.name, kind: target.resource },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return { status: 400, body: statusBody(400, 'BadRequest', 'the request body is not JSON') };
    }
    const current = target.subresource === 'scale' ? scaleOf(found.object) : found.object;
    let next: Raw;
    if (request.method === 'PUT') {
      next = body as Raw;
    } else if (request.method === 'PATCH') {
      const type = request.contentType ?? '';
      if (type.startsWith('application/json-patch+json')) {
        const applied = applyJsonPatch(current, body);
        if (typeof applied === 'string') {
          return { status: 422, body: statusBody(422, 'Invalid', applied) };
        }
        next = applied as Raw;
      } else if (
        type.startsWith('application/merge-patch+json') ||
        type.startsWith('application/strategic-merge-patch+json')
      ) {
        next = mergePatch(current, body) as Raw;
      } else {
        return { status: 415, body: statusBody(415, 'UnsupportedMediaType', `patch type ${type}`) };
      }
    } else {
      return { status: 405, body: statusBody(405, 'MethodNotAllowed', `${request.method} ${request.path}`) };
    }
    let stored: Raw = next;
    if (target.subresource === 'scale') {
      const replicas = ((next.spec ?? {}) as Raw).replicas;
      stored = { ...found.object, spec: { ...((found.object.spec ?? {}) as Raw), replicas } };
    }
    const { served } = collection;
    const item = BUILT_IN_GROUPS.has(served.group) ? withoutTypeMeta(stored) : stored;
    const entry = collection.entries[index] as Collection['entries'][number];
    if (!dryRun) {
      entry.json = JSON.stringify(item);
      entry.metadata = JSON.stringify(stored.metadata ?? {});
    }
    return ok(target.subresource === 'scale' ? scaleOf(stored) : stored);
  }

  private indexesFor(collection: Collection, namespace: string | undefined): number[] {
    if (namespace === undefined) {
      // Built once: a page is then a slice, not a pass over every object (150k pods, 300 pages).
      collection.all ??= collection.entries.map((_, index) => index);
      return collection.all;
    }
    if (!collection.byNamespace) {
      collection.byNamespace = new Map();
      collection.entries.forEach((entry, index) => {
        const list = collection.byNamespace?.get(entry.namespace) ?? [];
        list.push(index);
        collection.byNamespace?.set(entry.namespace, list);
      });
    }
    return collection.byNamespace.get(namespace) ?? [];
  }
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  return new KubeApiServer(options).start();
}

/** The resource a list path names, or undefined for discovery and other paths. */
export function parseResourcePath(
  pathname: string,
): { group: string; version: string; resource: string; namespace?: string } | undefined {
  const match =
    /^\/api\/(v1)(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(pathname) ??
    /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  if (pathname.startsWith('/api/')) {
    const [, version, namespace, resource] = match;
    return {
      group: '',
      version: version ?? 'v1',
      resource: resource ?? '',
      ...(namespace ? { namespace } : {}),
    };
  }
  const [, group, version, namespace, resource] = match;
  return {
    group: group ?? '',
    version: version ?? '',
    resource: resource ?? '',
    ...(namespace ? { namespace } : {}),
  };
}

/** A path naming one object, possibly a subresource of it. */
export interface ObjectPath {
  readonly path: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly subresource?: string;
}

export function parseObjectPath(pathname: string): ObjectPath | undefined {
  const segments = pathname.split('/').slice(1).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 4) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...more] = rest;
  if (!resource || !name || more.length > 0) return undefined;
  return {
    path: pathname,
    group,
    version,
    resource,
    name,
    ...(namespace ? { namespace } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

const SCALABLE = new Set(['deployments', 'statefulsets', 'replicasets']);

function scaleOf(object: Raw): Raw {
  const metadata = (object.metadata ?? {}) as Raw;
  const replicas = ((object.spec ?? {}) as Raw).replicas ?? 1;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: metadata.name, namespace: metadata.namespace },
    spec: { replicas },
    status: { replicas: ((object.status ?? {}) as Raw).replicas ?? 0 },
  };
}

/** Equality-based selector requirements: `k=v`, `k==v`, `k!=v`, `k`, `!k`. */
function parseSelector(selector: string): ((values: Record<string, string>) => boolean)[] {
  return selector
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const unequal = /^([^!=]+)!=(.*)$/.exec(part);
      if (unequal) return (values) => values[unequal[1] as string] !== unequal[2];
      const equal = /^([^!=]+)==?(.*)$/.exec(part);
      if (equal) return (values) => values[equal[1] as string] === equal[2];
      if (part.startsWith('!')) return (values) => !(part.slice(1) in values);
      return (values) => part in values;
    });
}

function isPlainObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 merge patch; keys starting with `$` (strategic merge directives) are ignored. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Raw = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 JSON patch (add, replace, remove, test); a string explains a failed operation. */
function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) return 'a JSON patch must be an array';
  let result: unknown = structuredClone(document);
  for (const operation of operations as Raw[]) {
    const pointer = String(operation.path ?? '');
    const keys =
      pointer === ''
        ? []
        : pointer
            .slice(1)
            .split('/')
            .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    let parent: unknown = result;
    for (const key of keys) {
      parent = Array.isArray(parent) ? parent[Number(key)] : isPlainObject(parent) ? parent[key] : undefined;
      if (parent === undefined) return `path ${pointer}: ${key} does not exist`;
    }
    if (last === undefined) {
      if (operation.op === 'test') {
        if (JSON.stringify(result) !== JSON.stringify(operation.value)) return `test failed at ${pointer}`;
        continue;
      }
      result = operation.value;
      continue;
    }
    const container = parent as Raw | unknown[];
    const current = Array.isArray(container) ? container[Number(last)] : (container as Raw)[last];
    switch (operation.op) {
      case 'test':
        if (JSON.stringify(current) !== JSON.stringify(operation.value)) return `test failed at ${pointer}`;
        break;
      case 'add':
        if (Array.isArray(container)) {
          container.splice(last === '-' ? container.length : Number(last), 0, operation.value);
        } else {
          (container as Raw)[last] = operation.value;
        }
        break;
      case 'replace':
        if (current === undefined) return `path ${pointer} does not exist`;
        if (Array.isArray(container)) container[Number(last)] = operation.value;
        else (container as Raw)[last] = operation.value;
        break;
      case 'remove':
        if (current === undefined) return `path ${pointer} does not exist`;
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete (container as Raw)[last];
        break;
      default:
        return `unsupported operation ${String(operation.op)}`;
    }
  }
  return result;
}

/** Kubernetes' default plural of a kind (what CRDs use): lower case, `y` -> `ies`, else `s`. */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

function withoutTypeMeta(object: Raw): Raw {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

function ok(body: unknown): { status: number; body: string } {
  return { status: 200, body: JSON.stringify(body) };
}

function notFound(pathname: string): { status: number; body: string } {
  return {
    status: 404,
    body: statusBody(404, 'NotFound', `the server could not find the requested resource (${pathname})`),
  };
}

const REASONS: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function faultBody(status: number, pathname: string): string {
  const reason = REASONS[status] ?? 'Unknown';
  const message =
    status === 403
      ? `forbidden: User "system:serviceaccount:meshready:meshready" cannot list resource at ${pathname}`
      : status === 410
        ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
        : `${reason} (injected by the test server)`;
  return statusBody(status, reason, message);
}

function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

function encodeContinue(token: { resourceVersion: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(token: string): { resourceVersion: string; offset: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof value?.offset === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- fixture files -> raw objects -------------------------------------------------------------

/**
 * The raw Kubernetes objects of kubectl dumps (YAML or JSON, Lists flattened), to serve what an
 * offline scan of the same files reads. gcloud documents (no apiVersion) are left out.
 */
export function rawKubeObjectsFromFiles(files: readonly string[]): Raw[] {
  const objects: Raw[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const documents: unknown[] =
      path.extname(file) === '.json'
        ? [JSON.parse(text)]
        : parseAllDocuments(text).map((document) => document.toJS());
    for (const document of documents) objects.push(...flatten(document));
  }
  return objects;
}

function flatten(document: unknown): Raw[] {
  if (Array.isArray(document)) return document.flatMap(flatten);
  if (typeof document !== 'object' || document === null) return [];
  const raw = document as Raw;
  if (typeof raw.apiVersion !== 'string' || typeof raw.kind !== 'string') return [];
  if (raw.kind.endsWith('List') && Array.isArray(raw.items)) {
    const itemKind = raw.kind === 'List' ? undefined : raw.kind.slice(0, -'List'.length);
    return raw.items.flatMap((item) =>
      flatten(
        itemKind && (item as Raw).kind === undefined
          ? { apiVersion: raw.apiVersion, kind: itemKind, ...(item as Raw) }
          : item,
      ),
    );
  }
  return [raw];
}
