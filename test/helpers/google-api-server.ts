/**
 * Local stand-ins for the GKE (container v1beta1) and Compute REST APIs, on 127.0.0.1, for the
 * real `@google-cloud/container` client in REST mode and the Compute REST calls of the collector:
 *
 *   GET /v1beta1/projects/P/locations/L/clusters/C          -> the cluster document (also /v1/,
 *                                                              for gcloud container clusters describe)
 *   GET /compute/v1/projects/P/global/firewalls             -> firewall rules (filter, paging)
 *   GET /compute/v1/projects/P/zones/Z/machineTypes/NAME    -> one machine type
 *
 * Documents are served as given (gcloud `--format=json` output is the REST shape). Errors use
 * Google's JSON error format, so the clients map them to gRPC codes as they do in production.
 * Every request is recorded; faults can be injected like in the Kubernetes test server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Raw = Record<string, unknown>;

export interface GoogleFault {
  readonly path: string | RegExp;
  readonly status?: number;
  /** google.rpc.ErrorInfo reason, e.g. SERVICE_DISABLED. */
  readonly reason?: string;
  readonly message?: string;
  readonly delayMs?: number;
  readonly drop?: boolean;
  readonly times?: number;
}

export interface GoogleRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  status: number;
}

export interface GoogleApiServerOptions {
  /** GKE clusters as `gcloud beta container clusters describe --format=json` prints them. */
  readonly clusters?: readonly { project: string; location: string; cluster: Raw }[];
  /** Firewall rules per project (`gcloud compute firewall-rules list --format=json`). */
  readonly firewalls?: Readonly<Record<string, readonly Raw[]>>;
  /** Machine types per project (`gcloud compute machine-types list --format=json`); matched on name and zone. */
  readonly machineTypes?: Readonly<Record<string, readonly Raw[]>>;
  readonly faults?: readonly GoogleFault[];
  /** Largest page the firewall list returns, whatever maxResults asks. */
  readonly maxPageSize?: number;
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function lastSegment(value: unknown): string {
  return typeof value === 'string' ? value.slice(value.lastIndexOf('/') + 1) : '';
}

export class GoogleApiServer {
  readonly requests: GoogleRequest[] = [];
  private readonly server: http.Server;
  private readonly options: GoogleApiServerOptions;
  private readonly faults: { fault: GoogleFault; remaining: number }[] = [];
  url = '';

  constructor(options: GoogleApiServerOptions = {}) {
    this.options = options;
    for (const fault of options.faults ?? []) this.addFault(fault);
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFault(fault: GoogleFault): void {
    this.faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  private takeFault(pathname: string): GoogleFault | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      const matches = typeof fault.path === 'string' ? pathname === fault.path : fault.path.test(pathname);
      if (matches && entry.remaining > 0) {
        entry.remaining--;
        return fault;
      }
    }
    return undefined;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const recorded: GoogleRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      status: 0,
    };
    this.requests.push(recorded);
    const send = (status: number, body: unknown) => {
      recorded.status = status;
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    };
    const fault = this.takeFault(url.pathname);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.drop) {
      request.socket.destroy();
      return;
    }
    if (fault?.status) {
      send(
        fault.status,
        googleError(fault.status, fault.message ?? `injected ${fault.status}`, fault.reason),
      );
      return;
    }
    if (recorded.method !== 'GET') {
      send(405, googleError(405, 'this test server is read-only'));
      return;
    }
    const answer = this.answer(url.pathname, url.searchParams);
    send(answer.status, answer.body);
  }

  private answer(pathname: string, query: URLSearchParams): { status: number; body: unknown } {
    const cluster = /^\/v1(?:beta1)?\/projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/.exec(
      pathname,
    );
    if (cluster) {
      const [, project, location, name] = cluster;
      const found = this.options.clusters?.find(
        (c) => c.project === project && c.location === location && c.cluster.name === name,
      );
      return found
        ? { status: 200, body: found.cluster }
        : {
            status: 404,
            body: googleError(404, `Not found: projects/${project}/locations/${location}/clusters/${name}.`),
          };
    }
    const firewalls = /^\/compute\/v1\/projects\/([^/]+)\/global\/firewalls$/.exec(pathname);
    if (firewalls) return this.firewallPage(firewalls[1] ?? '', query);
    const machineType = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(
      pathname,
    );
    if (machineType) {
      const [, project, zone, name] = machineType;
      const found = (this.options.machineTypes?.[project ?? ''] ?? []).find(
        (m) => m.name === name && lastSegment(m.zone) === zone,
      );
      return found
        ? { status: 200, body: found }
        : {
            status: 404,
            body: googleError(
              404,
              `The resource 'projects/${project}/zones/${zone}/machineTypes/${name}' was not found`,
            ),
          };
    }
    return { status: 404, body: googleError(404, `no such method: ${pathname}`) };
  }

  /** Supports the one filter form the collector sends: `network eq "<RE2 matching the whole URL>"`. */
  private firewallPage(project: string, query: URLSearchParams): { status: number; body: unknown } {
    let rules = [...(this.options.firewalls?.[project] ?? [])];
    const filter = query.get('filter');
    if (filter) {
      const match = /^network eq "(.*)"$/.exec(filter);
      if (!match)
        return { status: 400, body: googleError(400, `Invalid value for field 'filter': '${filter}'.`) };
      const pattern = new RegExp(`^(?:${match[1]})$`);
      rules = rules.filter((rule) => pattern.test(String(rule.network ?? '')));
    }
    const pageSize = Math.min(Number(query.get('maxResults') ?? 500) || 500, this.options.maxPageSize ?? 500);
    const start = Number(query.get('pageToken') ?? 0);
    const items = rules.slice(start, start + pageSize);
    const next = start + pageSize < rules.length ? String(start + pageSize) : undefined;
    return {
      status: 200,
      body: {
        kind: 'compute#firewallList',
        id: `projects/${project}/global/firewalls`,
        items,
        ...(next ? { nextPageToken: next } : {}),
        selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/firewalls`,
      },
    };
  }
}

export async function startGoogleApiServer(options: GoogleApiServerOptions = {}): Promise<GoogleApiServer> {
  return new GoogleApiServer(options).start();
}

/** Google's JSON error body, with an ErrorInfo when a reason is given. */
function googleError(code: number, message: string, reason?: string): Raw {
  return {
    error: {
      code,
      message,
      status: STATUS_NAMES[code] ?? 'UNKNOWN',
      ...(reason
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason,
                domain: 'googleapis.com',
                metadata: { service: 'container.googleapis.com' },
              },
            ],
          }
        : {}),
    },
  };
}
