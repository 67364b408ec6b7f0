/**
 * VirtualService fields Istio 1.6 no longer accepts. istio/api removed them for 1.5 (#1214) and
 * reserved their names, so a 1.6 control plane rejects or ignores them:
 * - HTTPRoute: `websocketUpgrade`, `appendHeaders`, `appendRequestHeaders`,
 *   `appendResponseHeaders`, `removeRequestHeaders`, `removeResponseHeaders`;
 * - HTTPRouteDestination (`http[].route[]`): the four `append*`/`remove*` header fields;
 * - HTTPFaultInjection.Abort: the integer `percent` (Delay keeps its deprecated `percent`).
 * Shared by the rule (which finds them) and the remediation (which explains each replacement).
 */
import { isRecord } from '../snapshot/strip.ts';

const HEADER_REPLACEMENTS: Readonly<Record<string, string>> = {
  appendHeaders: 'headers.request.add',
  appendRequestHeaders: 'headers.request.add',
  appendResponseHeaders: 'headers.response.add',
  removeRequestHeaders: 'headers.request.remove',
  removeResponseHeaders: 'headers.response.remove',
};
const ROUTE_ONLY: Readonly<Record<string, string>> = {
  websocketUpgrade: 'nothing: delete it (WebSocket upgrades are allowed by default)',
};
const ABORT_PERCENT = 'abort.percentage.value';

/** What to write instead of a removed field, given its JSON path (as produced by removedFields). */
export function replacementFor(path: string): string {
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (path.endsWith('.fault.abort.percent')) return ABORT_PERCENT;
  const replacement = HEADER_REPLACEMENTS[field] ?? ROUTE_ONLY[field];
  return replacement ?? 'see the Istio 1.6 VirtualService reference';
}

export interface RemovedFieldsScan {
  /** JSON paths such as `spec.http[0].appendHeaders`, in document order. */
  readonly paths: readonly string[];
  /** What could not be read (e.g. `spec.http is not a list`), when the spec is malformed. */
  readonly malformed: readonly string[];
}

/** Finds removed fields in a VirtualService spec (untrusted input: every level is checked). */
export function removedFields(spec: unknown): RemovedFieldsScan {
  const paths: string[] = [];
  const malformed: string[] = [];
  if (spec === undefined || spec === null) return { paths, malformed };
  if (!isRecord(spec)) return { paths, malformed: ['spec is not an object'] };
  const http = spec.http;
  if (http === undefined || http === null) return { paths, malformed };
  if (!Array.isArray(http)) return { paths, malformed: ['spec.http is not a list'] };
  http.forEach((route, i) => {
    const at = `spec.http[${i}]`;
    if (!isRecord(route)) {
      malformed.push(`${at} is not an object`);
      return;
    }
    for (const field of [...Object.keys(ROUTE_ONLY), ...Object.keys(HEADER_REPLACEMENTS)]) {
      if (field in route) paths.push(`${at}.${field}`);
    }
    const fault = route.fault;
    if (isRecord(fault) && isRecord(fault.abort) && 'percent' in fault.abort) {
      paths.push(`${at}.fault.abort.percent`);
    }
    const destinations = route.route;
    if (destinations === undefined || destinations === null) return;
    if (!Array.isArray(destinations)) {
      malformed.push(`${at}.route is not a list`);
      return;
    }
    destinations.forEach((destination, j) => {
      if (!isRecord(destination)) return;
      for (const field of Object.keys(HEADER_REPLACEMENTS)) {
        if (field !== 'appendHeaders' && field in destination) paths.push(`${at}.route[${j}].${field}`);
      }
    });
  });
  return { paths, malformed };
}
