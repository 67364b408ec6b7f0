/**
 * What the reference evaluators reason about: a small mesh (Services, the workloads behind them,
 * the v1alpha1 objects) and one HTTP request to it. Both evaluators (istio14.ts, istio16.ts) take
 * the same world and request, so their answers can be compared request by request.
 */

export interface ServicePortDef {
  /** The Service port name; every generated port is HTTP (`http-...`). */
  readonly name: string;
  readonly port: number;
  /** The workload (endpoint) port the Service forwards to. */
  readonly targetPort: number;
}

export interface ServiceDef {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortDef[];
}

export interface WorkloadDef {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** An ingress gateway (an Envoy of type Router), not a sidecar. */
  readonly gateway?: boolean;
}

/** A Kubernetes object as read from YAML: apiVersion, kind, metadata, spec. */
export interface KubeDoc {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: unknown;
}

export interface World {
  readonly rootNamespace: string;
  readonly services: readonly ServiceDef[];
  readonly workloads: readonly WorkloadDef[];
  /** The v1alpha1 objects, in creation order (1.4 sorts by creation time). */
  readonly policies: readonly KubeDoc[];
}

/** Where a request carries its JWT. */
export type TokenLocation = 'bearer' | 'x-jwt' | 'access_token';

export interface Token {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  /** Other claims (string or string list), e.g. groups. */
  readonly claims: Readonly<Record<string, string | readonly string[]>>;
  readonly location: TokenLocation;
  /** False for an expired token or a bad signature. */
  readonly valid: boolean;
}

export interface Request {
  /** The Service addressed, its namespace and its (service) port. */
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
  /** The workload behind the Service that receives it. */
  readonly workload: string;
  /** The caller's mTLS identity (`cluster.local/ns/N/sa/S`); absent for a plaintext request. */
  readonly peer?: string | undefined;
  readonly sourceIp: string;
  readonly method: string;
  /** The :path header, with its query string if any. */
  readonly path: string;
  readonly host: string;
  /** Other request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly token?: Token | undefined;
}

/** 'impossible': the request cannot reach the workload's proxy in this version (e.g. mTLS to a port without TLS). */
export type Decision = 'allow' | 'deny' | 'impossible';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

export function fqdn(service: { name: string; namespace: string }): string {
  return `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`;
}

export function isSubset(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
) {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export function serviceOf(world: World, request: Request): ServiceDef {
  const service = world.services.find((s) => s.name === request.service && s.namespace === request.namespace);
  if (!service) throw new Error(`no service ${request.namespace}/${request.service}`);
  return service;
}

export function workloadOf(world: World, request: Request): WorkloadDef {
  const workload = world.workloads.find(
    (w) => w.name === request.workload && w.namespace === request.namespace,
  );
  if (!workload) throw new Error(`no workload ${request.namespace}/${request.workload}`);
  return workload;
}

export function servicePortOf(world: World, request: Request): ServicePortDef {
  const port = serviceOf(world, request).ports.find((p) => p.port === request.port);
  if (!port) throw new Error(`no port ${request.port} on ${request.namespace}/${request.service}`);
  return port;
}

/** The CORS preflight test of istio/proxy's authn filter (origin_authenticator.cc:33-40 at 1.4.10 and 1.6.0). */
export function isCorsPreflight(request: Request): boolean {
  return (
    request.method === 'OPTIONS' &&
    (request.headers.origin ?? '') !== '' &&
    (request.headers['access-control-request-method'] ?? '') !== ''
  );
}

/** The path without its query string or fragment (what Envoy's url_path and the 1.4 trigger rules see). */
export function pathWithoutQuery(path: string): string {
  const cut = path.search(/[?#]/);
  return cut < 0 ? path : path.slice(0, cut);
}
