/**
 * The node-pool steps of cluster-vcpu-capacity, from a scanned snapshot to remediate.sh run for
 * real (bash) against stand-in gcloud: each re-reads the pool at --apply, never lowers an
 * autoscaling limit, creates a pool once, and, for install_asm 1.6, creates none while another
 * pool passes install_asm's own filter.
 */
import { describe, expect, it } from 'vitest';
import rule from '../../rules/cluster-vcpu-capacity.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { Target } from '../../src/engine/vocabulary.ts';
import { INSTALL_ASM_POOL_FILTER } from '../../src/gke/install-asm-node-pools.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { gkeCluster, machineType } from '../helpers/objects.ts';
import { type Call, describeCall, type FakeResponse, isChanging, runScript } from './fake-tools.ts';

const CONTEXT = 'gke_acme-prod_europe-west1-b_demo';
const SCOPE = '--location europe-west1-b --project acme-prod';
const regional = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'];

async function scriptFor(target: Target, documents: readonly unknown[]): Promise<string> {
  const snapshot = await snapshotFromDocuments({ documents });
  const report = withRemediation(
    runRules(snapshot, {
      rules: [rule],
      target,
      toolVersion: '0.0.0-test',
      now: new Date('2026-11-25T10:00:00Z'),
    }),
  );
  return renderRemediationScript(report);
}

function apply(script: string, responses: readonly FakeResponse[]) {
  const run = runScript(script, {
    args: ['--apply', '--yes', '--phase', 'prepare'],
    responses: [
      { match: 'kubectl config current-context', stdout: `${CONTEXT}\n` },
      { match: 'gcloud config get-value project', stdout: 'acme-prod\n' },
      ...responses,
    ],
  });
  return { ...run, changes: run.calls.filter(isChanging).map(describeCall) };
}

const gcloudCalls = (calls: readonly Call[]) =>
  calls.filter((c) => c.tool === 'gcloud' && c.args[0] !== 'config').map(describeCall);

describe('autoscale_node_pool (install_asm 1.6 reads a regional pool of 1 node per zone as 1 x 4)', () => {
  const documents = [
    gkeCluster({
      locations: regional,
      nodePools: [
        {
          name: 'default-pool',
          initialNodeCount: 1,
          locations: regional,
          config: { machineType: 'e2-standard-4' },
        },
      ],
    }),
  ];
  const describeAnswer = (stdout: string): FakeResponse => ({
    match: 'gcloud container node-pools describe default-pool *',
    stdout,
  });

  it('enables autoscaling at the current size with a maximum install_asm counts (2 x 4), never a resize', async () => {
    const run = apply(await scriptFor('asm-1.6', documents), [describeAnswer(',,\n')]);
    expect(run.status, run.stderr).toBe(0);
    expect(gcloudCalls(run.calls)).toEqual([
      'gcloud container node-pools describe default-pool --cluster demo --location europe-west1-b --project acme-prod ' +
        '--format=value[separator=","](autoscaling.enabled,autoscaling.minNodeCount,autoscaling.maxNodeCount)',
      `gcloud container clusters update demo --node-pool default-pool --enable-autoscaling --min-nodes 1 --max-nodes 2 ${SCOPE} --quiet`,
    ]);
    expect(run.changes.some((c) => c.includes(' resize '))).toBe(false);
  });

  it('keeps higher limits it reads at run time (an omitted minimum is 0, not the next field)', async () => {
    const run = apply(await scriptFor('asm-1.6', documents), [describeAnswer('True,,3\n')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.changes).toEqual([
      `gcloud container clusters update demo --node-pool default-pool --enable-autoscaling --min-nodes 1 --max-nodes 3 ${SCOPE} --quiet`,
    ]);
  });

  it('changes nothing when the pool already autoscales within higher limits', async () => {
    const run = apply(await scriptFor('asm-1.6', documents), [describeAnswer('True,4,6\n')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.changes).toEqual([]);
    expect(run.stdout).toContain(
      'Nothing to do: node pool default-pool already autoscales with 4 to 6 nodes per zone',
    );
  });

  it('stops, changing nothing, when the pool cannot be read', async () => {
    const run = apply(await scriptFor('asm-1.6', documents), [
      { match: 'gcloud container node-pools describe *', exit: 1 },
    ]);
    expect(run.status).toBe(1);
    expect(run.changes).toEqual([]);
    expect(run.stderr).toContain('cannot read node pool default-pool');
  });
});

describe('add_node_pool', () => {
  const shortage = [
    gkeCluster({
      nodePools: [
        {
          name: 'default-pool',
          initialNodeCount: 1,
          locations: ['europe-west1-b'],
          config: { machineType: 'e2-standard-4' },
        },
      ],
    }),
  ];
  const create = `gcloud container node-pools create asm-pool --cluster demo --machine-type e2-standard-4 --num-nodes 1 ${SCOPE} --quiet`;

  it('asm-1.7, 4 of 8 vCPUs: creates one pool, once', async () => {
    const script = await scriptFor('asm-1.7', shortage);
    const before = apply(script, [{ match: 'gcloud container node-pools list *', stdout: 'default-pool\n' }]);
    expect(before.status, before.stderr).toBe(0);
    expect(before.changes).toEqual([create]);
    const after = apply(script, [
      { match: 'gcloud container node-pools list *', stdout: 'default-pool\nasm-pool\n' },
    ]);
    expect(after.changes).toEqual([]);
    expect(after.stdout).toContain('Nothing to do: node pool asm-pool exists');
  });

  const gpuOnly = [
    gkeCluster({
      nodePools: [
        {
          name: 'gpu',
          initialNodeCount: 1,
          locations: ['europe-west1-b'],
          config: { machineType: 'a2-highgpu-1g' },
        },
      ],
    }),
    [machineType('a2-highgpu-1g', 12)],
  ];

  it("asm-1.6, no pool install_asm counts: asks gcloud with install_asm's own filter, then creates the pool", async () => {
    const run = apply(await scriptFor('asm-1.6', gpuOnly), [
      { match: 'gcloud container node-pools list *--filter*', stdout: '' },
      { match: 'gcloud container node-pools list *', stdout: 'gpu\n' },
    ]);
    expect(run.status, run.stderr).toBe(0);
    const filtered = run.calls.find((c) => c.args.includes('--filter'));
    expect(filtered?.args[filtered.args.indexOf('--filter') + 1]).toBe(INSTALL_ASM_POOL_FILTER);
    expect(run.changes).toEqual([
      `gcloud container node-pools create asm-pool --cluster demo --machine-type e2-standard-4 --num-nodes 2 ${SCOPE} --quiet`,
    ]);
  });

  it('asm-1.6: withholds the new pool while another pool passes that filter (install_asm 1.6 would refuse two)', async () => {
    const run = apply(await scriptFor('asm-1.6', gpuOnly), [
      { match: 'gcloud container node-pools list *--filter*', stdout: "batch\nodd'name\n" },
      { match: 'gcloud container node-pools list *', stdout: "gpu\nbatch\nodd'name\n" },
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.changes).toEqual([]);
    expect(run.stdout).toContain(
      "Withheld: install_asm 1.6 would also count node pool(s) batch, 'odd'\\''name' and refuses two",
    );
  });
});
