/**
 * A list whose `continue` never ends (issue #25): a server that gives the same token again, the
 * same objects again under new tokens, new objects forever, or empty pages forever. The
 * collection stops after a bounded number of pages with a CollectError naming the list (exit 3),
 * never reading on until the memory is full.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import { CollectError } from '../../src/errors.ts';
import type { Fault } from '../helpers/kube-api-server.ts';
import { type DemoCluster, runChild, startDemoCluster } from './demo-cluster.ts';

const PODS = '/api/v1/pods';
const FAST = { retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20 }, requestTimeoutMs: 5_000 };

let cluster: DemoCluster;
beforeEach(async () => {
  cluster = await startDemoCluster('asm-candidate');
});
afterEach(async () => {
  await cluster.close();
});

async function collectLooping(
  mode: NonNullable<Fault['continueLoop']>,
  tuning: object = {},
): Promise<unknown> {
  cluster.kube.addFault({ path: PODS, continueLoop: mode });
  return collectLiveSnapshot(
    {
      kubeconfig: cluster.kubeconfig,
      containerApiEndpoint: cluster.google.url,
      computeApiEndpoint: cluster.google.url,
    },
    { env: {}, tuning: { ...FAST, ...tuning } },
  ).catch((error: unknown) => error);
}

function podPages(): number {
  return cluster.kube.requests.filter((r) => r.path === PODS).length;
}

describe('a list that never ends', () => {
  it('stops when the server gives the same continue token again', async () => {
    const error = await collectLooping('same-token');
    expect(error).toBeInstanceOf(CollectError);
    expect((error as Error).message).toMatch(
      /^listing pods would never end: the API server gave the same continue token a second time \(page 2, /,
    );
    expect(podPages()).toBe(2);
  });

  it('stops when new tokens bring the same objects again', async () => {
    const error = await collectLooping('cycle');
    expect((error as Error).message).toMatch(
      /^listing pods would never end: the API server returned the object with uid "[^"]+" a second time \(page 2, /,
    );
    expect(podPages()).toBe(2);
  });

  it('stops a runaway of new objects at maxListObjects, with a bounded number of requests', async () => {
    const error = await collectLooping('fresh-objects', { pageSize: 100, maxListObjects: 1_000 });
    expect(error).toBeInstanceOf(CollectError);
    expect((error as Error).message).toMatch(
      /^listing pods would never end: more than 1000 objects in one list \(page 11, 1100 objects\)/,
    );
    expect(podPages()).toBe(11);
  });

  it('stops endless empty pages after twice the pages maxListObjects needs', async () => {
    const error = await collectLooping('empty-pages', { pageSize: 100, maxListObjects: 1_000 });
    expect((error as Error).message).toMatch(
      /^listing pods would never end: more than 30 pages \(page 31, 0 objects\)/,
    );
    expect(podPages()).toBe(31);
  });

  it('is exit 3 with the message, from the CLI', async () => {
    cluster.kube.addFault({ path: PODS, continueLoop: 'same-token' });
    const run = await runChild(['scan', ...cluster.liveArgs, '--output-dir', `${cluster.kubeconfig}-out`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^meshready: listing pods would never end: the API server gave the same continue token/m,
    );
  });
});
