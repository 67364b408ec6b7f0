/**
 * The benchmark's API server: the test Kubernetes API server of test/helpers, loaded with a
 * generated cluster and an added latency per request, as a remote API server would have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKubeApiServer } from '../test/helpers/kube-api-server.ts';

export interface BenchApiServer {
  readonly kubeconfig: string;
  requestCount(): number;
  resetRequests(): void;
  close(): Promise<void>;
}

function* objectsOf(jsonDir: string): Generator<Record<string, unknown>> {
  for (const file of readdirSync(jsonDir).sort()) {
    const list = JSON.parse(readFileSync(path.join(jsonDir, file), 'utf8')) as {
      items: Record<string, unknown>[];
    };
    yield* list.items;
  }
}

export async function startBenchApiServer(jsonDir: string, latencyMs: number): Promise<BenchApiServer> {
  const server = await startKubeApiServer({ objects: objectsOf(jsonDir), latencyMs });
  const kubeconfig = await server.writeKubeconfig(
    path.join(await mkdtemp(path.join(tmpdir(), 'meshready-bench-')), 'kubeconfig'),
  );
  return {
    kubeconfig,
    requestCount: () => server.requests.length,
    resetRequests: () => {
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}
