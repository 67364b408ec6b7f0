import { describe, expect, it } from 'vitest';
import rule from '../../rules/vpc-sc-mesh-ca.ts';
import { gkeCluster, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

ruleTester(rule, {
  pass: [],
  fail: [],
  notApplicable: [],
  noCases: {
    pass: 'SPEC §4: always unknown ("manual check"): a VPC Service Controls perimeter is not visible from the cluster',
    fail: 'SPEC §4: always unknown ("manual check"): a VPC Service Controls perimeter is not visible from the cluster',
    notApplicable: 'it has no subject that could be missing: every ASM migration must check the perimeter',
  },
  unknown: [
    {
      name: 'with a GKE cluster: names its project (fixture)',
      fixtures: ['unknown-cluster.json'],
      reason: /^manual check: .*perimeter around project acme-shop/,
    },
    {
      name: 'asm-1.7 with only Kubernetes objects',
      target: 'asm-1.7',
      documents: [namespace('istio-system')],
      reason: /^manual check: .*meshca\.googleapis\.com/,
    },
    { name: 'an empty snapshot', documents: [], reason: /^manual check: / },
    {
      name: 'a cluster whose add-on is disabled',
      documents: [gkeCluster({ addonsConfig: { istioConfig: { disabled: true } } })],
      reason: /^manual check: /,
    },
  ],
});

describe('vpc-sc-mesh-ca targets', () => {
  it('does not run for istio-1.6 (Mesh CA is an ASM matter)', async () => {
    await expect(evaluateRule(rule, { name: 'istio', target: 'istio-1.6', documents: [] })).rejects.toThrow(
      /did not run for target istio-1\.6/,
    );
  });
  it('is info, so it never makes the verdict unknown', async () => {
    const result = await evaluateRule(rule, { name: 'asm', target: 'asm-1.6', documents: [] });
    expect(result.severity).toBe('info');
  });
});
