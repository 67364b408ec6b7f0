/**
 * The dump commands docs/snapshots.md gives (generated from the table of kinds), run in real bash
 * with real kubectl against the test API server, produce a snapshot that holds exactly what a live
 * collection of the same cluster holds, part by part.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedBlock } from '../../scripts/generate-kind-docs.ts';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import { KIND_TABLE, type KindDeclaration } from '../../src/snapshot/kinds.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { type ClusterSnapshot, KUBE_KINDS, type KubeKind } from '../../src/snapshot/model.ts';
import { COLLECTED_CUSTOM_RESOURCES, type DemoCluster, ROOT, startDemoCluster } from './demo-cluster.ts';

/** The shell lines of the generated block, without its fence. */
function documentedDump(): string {
  const block = generatedBlock(readFileSync(path.join(ROOT, 'docs', 'snapshots.md'), 'utf8'), 'kinds-dump');
  if (block === undefined) throw new Error('docs/snapshots.md has no kinds-dump block');
  const lines = block.trimEnd().split('\n');
  expect(lines[0]).toBe('```sh');
  expect(lines.at(-1)).toBe('```');
  return lines.slice(1, -1).join('\n');
}

/**
 * A part's objects without where they were read, in a stable order, and without their field
 * managers unless a rule reads them (kubectl leaves them out of a dump unless asked).
 */
function objectsOf(snapshot: ClusterSnapshot, part: KubeKind): unknown[] {
  const declaration: KindDeclaration = KIND_TABLE[part];
  return snapshot.kube[part]
    .map(({ origin: _origin, ...object }) => {
      if (declaration.readsFieldManagers) return object;
      const { managers: _managers, ...metadata } = object.metadata;
      return { ...object, metadata };
    })
    .sort((a, b) =>
      `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
}

describe('the dump commands of docs/snapshots.md, run with kubectl', () => {
  let cluster: DemoCluster;
  let work: string;
  let stderr: string;
  beforeAll(async () => {
    // Every custom kind is installed, so every command has something to list.
    cluster = await startDemoCluster('mid-migration', { kube: { resources: COLLECTED_CUSTOM_RESOURCES } });
    work = await mkdtemp(path.join(tmpdir(), 'meshready-dump-'));
    const run = await promisify(execFile)('bash', ['-c', documentedDump()], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work, KUBECONFIG: cluster.kubeconfig },
      timeout: 120_000,
    });
    stderr = run.stderr;
  }, 150_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('writes one file per resource, without an error', async () => {
    expect(stderr).toBe('');
    const files = await readdir(path.join(work, 'snapshot'));
    expect(files).toContain('pods.yaml');
    expect(files).toContain('configmaps.yaml');
    expect(files).toContain('peerauthentications.security.istio.io.yaml');
    expect(files).toContain('handlers.config.istio.io.yaml');
  });

  it('gives, part by part, the objects a live collection gives', async () => {
    const offline = await loadSnapshot([path.join(work, 'snapshot')]);
    const live = await collectLiveSnapshot(
      {
        kubeconfig: cluster.kubeconfig,
        containerApiEndpoint: cluster.google.url,
        computeApiEndpoint: cluster.google.url,
      },
      { env: {} },
    );
    let objects = 0;
    for (const part of KUBE_KINDS) {
      expect(objectsOf(offline, part), part).toEqual(objectsOf(live, part));
      objects += live.kube[part].length;
    }
    expect(objects).toBeGreaterThan(100);
    // The field managers of the Deployments were dumped (ingress-gateway-upgrade-disruption reads them).
    expect(offline.kube.deployments.filter((d) => d.metadata.managers !== undefined).length).toBeGreaterThan(
      0,
    );
    // The demo holds objects of the kinds the rules decide on.
    for (const part of [
      'pods',
      'services',
      'peerauthentications',
      'backendconfigs',
      'mixerconfigs',
    ] as const) {
      expect(live.kube[part].length, part).toBeGreaterThan(0);
    }
  });
});
