/** Backoff with full jitter, and which Kubernetes failures are retried. */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeFailureOf, kubeRetryDecision } from '../../src/collect/kube-failure.ts';
import { backoffDelay, withRetries } from '../../src/collect/retry.ts';

const POLICY = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelay', () => {
  it('stays between 0 and min(max, base * 2^attempt)', () => {
    expect(backoffDelay(0, POLICY, () => 0.999)).toBe(99);
    expect(backoffDelay(2, POLICY, () => 0.999)).toBe(399);
    expect(backoffDelay(8, POLICY, () => 0.999)).toBe(999);
    expect(backoffDelay(3, POLICY, () => 0)).toBe(0);
  });
});

describe('withRetries', () => {
  const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

  it('retries what the decision allows, up to the limit, then throws the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        () => ({ retry: true }),
        fast,
      ),
    ).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
  });

  it('stops at once on a final failure and returns the first success', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('forbidden');
        },
        () => ({ retry: false }),
        fast,
      ),
    ).rejects.toThrow('forbidden');
    expect(calls).toBe(1);
    let attempts = 0;
    const value = await withRetries(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('flaky');
        return 'ok';
      },
      () => ({ retry: true }),
      fast,
    );
    expect([value, attempts]).toEqual(['ok', 3]);
  });
});

describe('Kubernetes failures', () => {
  const status = (code: number, headers: Record<string, string> = {}) =>
    new ApiException(code, 'x', JSON.stringify({ kind: 'Status', message: `server says ${code}` }), headers);

  it.each([
    [429, true],
    [500, true],
    [503, true],
    [501, false],
    [403, false],
    [404, false],
    [410, false],
    [401, false],
  ])('HTTP %i is retried: %s', (code, retried) => {
    expect(kubeRetryDecision(status(code)).retry).toBe(retried);
  });

  it('reads the Status message and Retry-After', () => {
    expect(kubeFailureOf(status(429, { 'retry-after': '3' }))).toEqual({
      kind: 'status',
      status: 429,
      message: 'server says 429',
      retryAfterMs: 3_000,
    });
    expect(kubeRetryDecision(status(429, { 'retry-after': '3' }))).toEqual({ retry: true, afterMs: 3_000 });
  });

  it('retries network failures and timeouts, with their innermost cause', () => {
    const refused = new TypeError('fetch failed', {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:6443'),
    });
    expect(kubeFailureOf(refused)).toEqual({
      kind: 'network',
      message: 'connect ECONNREFUSED 127.0.0.1:6443',
    });
    expect(kubeRetryDecision(refused).retry).toBe(true);
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(kubeFailureOf(timeout).kind).toBe('timeout');
    expect(kubeRetryDecision(timeout).retry).toBe(true);
    expect(kubeRetryDecision(new Error('exec plugin: gke-gcloud-auth-plugin not found')).retry).toBe(false);
  });
});
