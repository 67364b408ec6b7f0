/**
 * Retries with exponential backoff and full jitter, so that many scanners hitting one throttled
 * API server do not retry in lockstep. The caller decides which failures are worth a retry and
 * may ask for a longer wait (a 429's Retry-After).
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

/** What to do after a failed attempt. */
export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly afterMs?: number };

/** A random delay in [0, min(max, base * 2^attempt)] ("full jitter"); attempt counts from 0. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export async function withRetries<T>(
  operation: () => Promise<T>,
  decide: (error: unknown) => RetryDecision,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const decision = decide(error);
      if (!decision.retry || attempt >= policy.retries) throw error;
      onRetry?.(error, attempt);
      // A server's Retry-After is honoured but capped, so one answer cannot stall the scan.
      const wait = Math.max(
        backoffDelay(attempt, policy),
        Math.min(decision.afterMs ?? 0, policy.maxDelayMs),
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
