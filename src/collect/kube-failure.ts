/**
 * What went wrong with a Kubernetes API request, from the errors `@kubernetes/client-node` throws:
 * an ApiException for an HTTP error status, a fetch TypeError (with a `cause`) for a network
 * failure, a TimeoutError when our per-request deadline fired, or anything else (an auth plugin
 * that failed, a malformed answer).
 */
import { ApiException } from '@kubernetes/client-node';
import type { RetryDecision } from './retry.ts';

export type KubeFailure =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly message: string;
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | { readonly kind: 'other'; readonly message: string };

function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().split('\n')[0] || undefined;
    }
  }
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const message = (value as { message: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The innermost useful message of a fetch failure, e.g. "connect ECONNREFUSED 127.0.0.1:6443". */
function networkMessage(error: Error): string {
  let cause: unknown = error.cause;
  let message = error.message;
  while (cause instanceof Error) {
    message = cause.message || message;
    cause = cause.cause;
  }
  return message;
}

export function kubeFailureOf(error: unknown): KubeFailure {
  if (error instanceof ApiException) {
    const status = error.code;
    const message = statusMessage(error.body) ?? `HTTP ${status}`;
    const after = retryAfterMs(error.headers);
    return after === undefined
      ? { kind: 'status', status, message }
      : { kind: 'status', status, message, retryAfterMs: after };
  }
  if (isTimeout(error) || (error instanceof Error && isTimeout(error.cause))) {
    return { kind: 'timeout', message: 'no answer within the request timeout' };
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return { kind: 'network', message: networkMessage(error) };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/** 429 and 5xx (except 501 Not Implemented), network failures and timeouts are worth a retry. */
export function kubeRetryDecision(error: unknown): RetryDecision {
  const failure = kubeFailureOf(error);
  switch (failure.kind) {
    case 'status':
      if (failure.status === 429 || (failure.status >= 500 && failure.status !== 501)) {
        return failure.retryAfterMs === undefined
          ? { retry: true }
          : { retry: true, afterMs: failure.retryAfterMs };
      }
      return { retry: false };
    case 'network':
    case 'timeout':
      return { retry: true };
    default:
      return { retry: false };
  }
}

/** One line for a report or an error message, e.g. "HTTP 500: etcdserver: request timed out". */
export function describeKubeFailure(failure: KubeFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status}: ${failure.message}`;
    case 'timeout':
      return failure.message;
    default:
      return failure.message;
  }
}
