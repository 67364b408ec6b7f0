/**
 * The two Compute Engine calls the collector makes (the firewall rules of a network, one machine
 * type), as plain authenticated REST GETs through google-auth-library: the answers are the REST
 * JSON that `gcloud compute ... --format=json` prints, which is what the offline loader reads.
 * (`@google-cloud/compute`, about 110 MB installed, was used for these two GETs before.)
 *
 * Failures are thrown as ComputeApiError with the gRPC code Google's client libraries would have
 * given (403 -> PERMISSION_DENIED, ...) and the ErrorInfo reason, so they are described like the
 * GKE client's.
 */
import type { AuthClient, GoogleAuth } from 'google-auth-library';
import { isRecord, type Raw } from '../snapshot/shape.ts';

// gRPC status codes (google.rpc.Code), as google-gax maps HTTP statuses.
const GRPC_BY_HTTP: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  409: 10, // ABORTED
  412: 9, // FAILED_PRECONDITION
  429: 8, // RESOURCE_EXHAUSTED
  499: 1, // CANCELLED
  500: 13, // INTERNAL
  501: 12, // UNIMPLEMENTED
  503: 14, // UNAVAILABLE
  504: 4, // DEADLINE_EXCEEDED
};
const UNKNOWN = 2;
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

export class ComputeApiError extends Error {
  /** The gRPC status code. */
  readonly code: number;
  /** google.rpc.ErrorInfo reason, e.g. SERVICE_DISABLED. */
  readonly reason: string | undefined;
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined;
  constructor(message: string, code: number, reason: string | undefined, status: number | undefined) {
    super(message);
    this.name = 'ComputeApiError';
    this.code = code;
    this.reason = reason;
    this.status = status;
  }
}

/** Google's JSON error body: `{ error: { code, message, status, details: [ErrorInfo] } }`. */
function errorOf(status: number, body: unknown): ComputeApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const message =
    typeof error.message === 'string' && error.message !== '' ? error.message : `HTTP ${status}`;
  const details = Array.isArray(error.details) ? error.details.filter(isRecord) : [];
  const info = details.find((d) => String(d['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
  const reason = typeof info?.reason === 'string' ? info.reason : undefined;
  const code = GRPC_BY_HTTP[status] ?? (status >= 500 ? 13 : UNKNOWN);
  return new ComputeApiError(message, code, reason, status);
}

/** A failure with no HTTP answer: unreachable, reset, or out of time. */
function transportErrorOf(error: unknown): ComputeApiError {
  const value = isRecord(error) ? error : {};
  const message = error instanceof Error ? error.message : String(error);
  const timedOut =
    value.code === 'TimeoutError' || value.name === 'TimeoutError' || /timed? ?out/i.test(message);
  return new ComputeApiError(message, timedOut ? DEADLINE_EXCEEDED : UNAVAILABLE, undefined, undefined);
}

export interface ComputeRest {
  /** `GET compute/v1/projects/P/global/firewalls?filter=...`, every page. */
  listFirewalls(project: string, filter: string, timeoutMs: number): Promise<Raw[]>;
  /** `GET compute/v1/projects/P/zones/Z/machineTypes/NAME`. */
  getMachineType(project: string, zone: string, machineType: string, timeoutMs: number): Promise<Raw>;
}

/** The part of an AuthClient used here (PassThroughClient for a loopback endpoint). */
type Requester = Pick<AuthClient, 'request'> | Pick<GoogleAuth, 'request'>;

/**
 * @param origin e.g. `https://compute.googleapis.com`, or a loopback test server
 * @param client sends the request with its credentials (none for PassThroughClient)
 */
export function computeRest(origin: string, client: Requester): ComputeRest {
  const base = `${origin.replace(/\/$/, '')}/compute/v1`;
  async function get(pathname: string, params: Record<string, string>, timeoutMs: number): Promise<Raw> {
    let response: { status: number; data: unknown };
    try {
      response = await client.request<unknown>({
        url: `${base}${pathname}`,
        method: 'GET',
        params,
        timeout: timeoutMs,
        responseType: 'json',
        // withRetries decides; gaxios must not retry on its own.
        retry: false,
        validateStatus: () => true,
      });
    } catch (error) {
      throw transportErrorOf(error);
    }
    if (response.status < 200 || response.status >= 300) throw errorOf(response.status, response.data);
    if (!isRecord(response.data)) {
      throw new ComputeApiError(`${pathname}: the answer is not a JSON object`, UNKNOWN, undefined, 200);
    }
    return response.data;
  }
  const segment = encodeURIComponent;
  return {
    async listFirewalls(project, filter, timeoutMs) {
      const rules: Raw[] = [];
      const seenTokens = new Set<string>();
      let pageToken: string | undefined;
      do {
        const page = await get(
          `/projects/${segment(project)}/global/firewalls`,
          { filter, maxResults: '500', ...(pageToken ? { pageToken } : {}) },
          timeoutMs,
        );
        if (Array.isArray(page.items)) rules.push(...page.items.filter(isRecord));
        pageToken =
          typeof page.nextPageToken === 'string' && page.nextPageToken !== ''
            ? page.nextPageToken
            : undefined;
        if (pageToken !== undefined) {
          if (seenTokens.has(pageToken)) {
            throw new ComputeApiError(
              `the firewall list repeats page token ${pageToken}`,
              UNKNOWN,
              undefined,
              200,
            );
          }
          seenTokens.add(pageToken);
        }
      } while (pageToken !== undefined);
      return rules;
    },
    getMachineType(project, zone, machineType, timeoutMs) {
      return get(
        `/projects/${segment(project)}/zones/${segment(zone)}/machineTypes/${segment(machineType)}`,
        {},
        timeoutMs,
      );
    },
  };
}
