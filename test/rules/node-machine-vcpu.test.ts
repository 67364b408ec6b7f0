import { describe, expect, it } from 'vitest';
import rule from '../../rules/node-machine-vcpu.ts';
import { gkeCluster, list, machineType, namespace, node } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

type Pool = Record<string, unknown>;
const pool = (name: string, type: string, initialNodeCount = 3): Pool => ({
  name,
  initialNodeCount,
  locations: ['europe-west1-b'],
  config: { machineType: type },
});
const withPools = (...pools: Pool[]) => gkeCluster({ nodePools: pools });

ruleTester(rule, {
  pass: [
    {
      name: 'custom-4-16384 counts 4 vCPUs (the middle number), n2-standard-8 from the built-in table (fixture)',
      target: 'asm-1.7',
      fixtures: ['pass-custom-4-16384.json'],
    },
    {
      name: 'e2-standard-4 from the built-in table',
      documents: [withPools(pool('default-pool', 'e2-standard-4'))],
    },
    {
      name: 'guestCpus data wins over the name: an unknown type with 8 guest CPUs',
      documents: [withPools(pool('odd', 'zz-future-8')), [machineType('zz-future-8', 8)]],
    },
    {
      name: 'Node capacity tells the vCPUs of a type the table does not know',
      documents: [withPools(pool('odd', 'zz-future-8')), list([node('n-1', 'odd', '8')])],
    },
  ],
  fail: [
    {
      name: 'shared-core e2-medium and n1-standard-2 from guestCpus data (fixture)',
      target: 'asm-1.6',
      fixtures: ['fail-shared-core-pool'],
      findings: [
        {
          message: /^Node pool batch uses e2-medium \(2 vCPUs, shared-core, from Compute machine type data\)/,
          severity: 'info',
          resource: { kind: 'NodePool', name: 'batch' },
          fix: {
            action: 'replace-node-pool',
            params: {
              cluster: 'shop-prod',
              location: 'europe-west1-b',
              project: 'acme-shop',
              pool: 'batch',
              machineType: 'e2-medium',
              suggestedMachineType: 'e2-standard-4',
            },
          },
        },
        {
          message: 'Node pool legacy uses n1-standard-2 (2 vCPUs, from Compute machine type data)',
          fix: { action: 'replace-node-pool', params: { suggestedMachineType: 'n1-standard-4' } },
        },
      ],
    },
    {
      name: 'shared-core types from the built-in table: e2-micro, e2-small, f1-micro, g1-small',
      documents: [
        withPools(pool('a', 'e2-micro'), pool('b', 'e2-small'), pool('c', 'f1-micro'), pool('d', 'g1-small')),
      ],
      findings: [
        { message: 'e2-micro (2 vCPUs, shared-core' },
        { message: 'e2-small (2 vCPUs, shared-core' },
        { message: 'f1-micro (1 vCPU, shared-core' },
        { message: 'g1-small (1 vCPU, shared-core' },
      ],
    },
    {
      name: "Node capacity (2) for a custom type; a shared-core e2-medium stays shared-core with its Nodes' capacity",
      documents: [
        withPools(pool('custom', 'custom-2-8192'), pool('medium', 'e2-medium')),
        list([node('n-1', 'custom', '2'), node('n-2', 'medium', '2')]),
      ],
      findings: [
        {
          message: "custom-2-8192 (2 vCPUs, from its Nodes' CPU capacity)",
          fix: { action: 'replace-node-pool', params: { suggestedMachineType: 'custom-4-16384' } },
        },
        { message: "e2-medium (2 vCPUs, shared-core, from its Nodes' CPU capacity)" },
      ],
    },
    {
      name: 'a small pool is reported even when another pool cannot be resolved',
      documents: [withPools(pool('small', 'e2-small'), pool('gpu', 'a2-highgpu-1g'))],
      findings: [{ resource: { name: 'small' } }],
    },
  ],
  notApplicable: [
    {
      name: 'the Istio add-on is disabled',
      documents: [gkeCluster({ addonsConfig: { istioConfig: { disabled: true } } })],
      reason: 'add-on is disabled',
    },
  ],
  unknown: [
    { name: 'no GKE cluster data', documents: [namespace('istio-system')], reason: 'no GKE cluster data' },
    {
      name: 'a machine type no source knows (a2-highgpu-1g: the last number counts GPUs)',
      documents: [withPools(pool('gpu', 'a2-highgpu-1g'))],
      reason: 'cannot tell the vCPUs of node pool gpu (a2-highgpu-1g)',
    },
    {
      name: 'two machine types no source knows: both named, and how to add the data',
      documents: [withPools(pool('gpu', 'a2-highgpu-1g'), pool('tpu', 'a2-highgpu-2g'))],
      reason:
        'cannot tell the vCPUs of node pools gpu (a2-highgpu-1g), tpu (a2-highgpu-2g): add ' +
        '`gcloud compute machine-types list --format=json` or the Nodes to the snapshot',
    },
    {
      name: 'a cluster document without node pools',
      documents: [withPools()],
      reason: 'lists no node pools',
    },
  ],
});

describe('node-machine-vcpu and install_asm 1.6, which counts a single pool', () => {
  const documents = [withPools(pool('default-pool', 'e2-standard-4'), pool('batch', 'e2-medium'))];

  it('asm-1.6: moves the workloads onto the pool that already qualifies, creating none', async () => {
    const result = await evaluateRule(rule, { name: 'asm-1.6', target: 'asm-1.6', documents });
    const finding = result.findings[0];
    expect(finding?.message).toContain(
      'Consider moving its workloads onto node pool default-pool: install_asm 1.6 counts a single pool, so a new ' +
        'pool of e2-standard-4 beside it would make install_asm refuse (see cluster-vcpu-capacity).',
    );
    expect(finding?.fix?.params).toMatchObject({ pool: 'batch', into: 'default-pool' });
    expect(finding?.remediation?.commands).toEqual([
      'kubectl cordon -l cloud.google.com/gke-nodepool=batch',
      'kubectl drain -l cloud.google.com/gke-nodepool=batch --ignore-daemonsets --delete-local-data',
      'gcloud container node-pools delete batch --cluster demo --location europe-west1-b --project acme-prod',
    ]);
  });

  it('asm-1.6: the pool to move onto is one install_asm counts: enough vCPUs, kept by its filter, a number', async () => {
    const withGpu = [
      withPools(pool('gpu', 'a2-highgpu-1g'), pool('batch', 'e2-medium'), pool('good', 'n1-standard-8')),
      [machineType('a2-highgpu-1g', 12)],
    ];
    const result = await evaluateRule(rule, { name: 'asm-1.6', target: 'asm-1.6', documents: withGpu });
    expect(result.findings.map((f) => [f.resource.name, f.fix?.params?.into])).toEqual([['batch', 'good']]);
    expect(result.findings[0]?.message).toBe(
      "Node pool batch uses e2-medium (2 vCPUs, shared-core, from meshready's table of predefined machine types): ASM needs " +
        'machine types with at least 4 vCPUs, so this pool does not count toward its capacity. Consider moving its ' +
        'workloads onto node pool good: install_asm 1.6 counts a single pool, so a new pool of e2-standard-4 beside ' +
        'it would make install_asm refuse (see cluster-vcpu-capacity).',
    );
  });

  it('asm-1.7 (largest pool counts): a new pool of e2-standard-4, as before', async () => {
    const result17 = await evaluateRule(rule, { name: 'asm-1.7', target: 'asm-1.7', documents });
    expect(result17.findings[0]?.message).toMatch(
      /so this pool does not count toward its capacity\. Consider moving its workloads to a pool of e2-standard-4\.$/,
    );
    const result = await evaluateRule(rule, { name: 'asm-1.7', target: 'asm-1.7', documents });
    expect(result.findings[0]?.fix?.params).not.toHaveProperty('into');
    expect(result.findings[0]?.remediation?.commands[0]).toMatch(
      /^gcloud container node-pools create batch-4vcpu --cluster demo --machine-type e2-standard-4 --num-nodes NODES/,
    );
  });
});

describe('node-machine-vcpu drain command', () => {
  it('uses --delete-local-data, which a kubectl matching a 1.17/1.18 master knows (--delete-emptydir-data is 1.20+)', async () => {
    const result = await evaluateRule(rule, {
      name: 'drain',
      documents: [withPools(pool('batch', 'e2-medium'))],
    });
    const commands = result.findings[0]?.remediation?.commands ?? [];
    expect(commands).toContain(
      'kubectl drain -l cloud.google.com/gke-nodepool=batch --ignore-daemonsets --delete-local-data',
    );
    expect(commands.some((c) => c.includes('--delete-emptydir-data'))).toBe(false);
  });
});
