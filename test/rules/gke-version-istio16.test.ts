import { describe, expect, it } from 'vitest';
import rule from '../../rules/gke-version-istio16.ts';
import { gkeCluster } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const at = (version: string) => [gkeCluster({ currentMasterVersion: version })];

/** The finding for a 1.16+ master below the operator's versions: the whole message, and its fix. */
const tooOld = (version: string) => ({
  message:
    `GKE master version ${version} has no Istio 1.6 operator: upgrade the master to 1.17.9-gke.6300 or later ` +
    '(meshready proposes 1.17.12-gke.1501, the next hop that also avoids the 1.16 upgrade bug).',
  resource: { kind: 'Cluster', name: 'demo' },
  fix: { action: 'upgrade-master', params: { cluster: 'demo', version: '1.17.12-gke.1501', from: version } },
});

ruleTester(rule, {
  pass: [
    { name: 'exactly 1.17.9-gke.6300', documents: at('1.17.9-gke.6300') },
    { name: '1.17.12-gke.1501', documents: at('1.17.12-gke.1501') },
    { name: '1.17.7-gke.8 (early operator within 1.17.7)', documents: at('1.17.7-gke.8') },
    { name: '1.17.8-gke.6 (early operator within 1.17.8)', documents: at('1.17.8-gke.6') },
    { name: 'any 1.18', documents: at('1.18.0-gke.1') },
    { name: 'a later major', documents: at('2.0.0-gke.1') },
    { name: 'a v prefix', documents: at('v1.17.9-gke.6300') },
    { name: 'the cluster from a fixture file', fixtures: ['pass-cluster-1.17.json'] },
  ],
  fail: [
    {
      name: '1.16 master',
      documents: at('1.16.15-gke.4300'),
      findings: [
        {
          message: /1\.16\.15-gke\.4300 has no Istio 1\.6 operator/,
          severity: 'error',
          resource: { kind: 'Cluster', name: 'demo' },
          fix: { action: 'upgrade-master', params: { cluster: 'demo', version: '1.17.12-gke.1501' } },
        },
      ],
    },
    {
      name: '1.16 master with --upgrade-to 1.18.9-gke.1501: skips a minor, suggests 1.17.12-gke.1501, never 1.18',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.18.9-gke.1501',
      findings: [
        {
          message:
            'GKE master version 1.16.15-gke.4300 has no Istio 1.6 operator: upgrade the master to 1.17.9-gke.6300 or ' +
            'later (meshready proposes 1.17.12-gke.1501, the next hop that also avoids the 1.16 upgrade bug). ' +
            '--upgrade-to 1.18.9-gke.1501 skips a minor version, which GKE refuses: masters upgrade one minor ' +
            'version at a time.',
          resource: { kind: 'Cluster', name: 'demo' },
          fix: {
            action: 'upgrade-master',
            params: { version: '1.17.12-gke.1501', from: '1.16.15-gke.4300' },
          },
        },
      ],
    },
    {
      name: '1.16 master with a safe --upgrade-to 1.17.13-gke.1100: that is the suggestion',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.17.13-gke.1100',
      findings: [{ fix: { action: 'upgrade-master', params: { version: '1.17.13-gke.1100' } } }],
    },
    {
      name: '1.16 master with an unsafe --upgrade-to 1.17.9-gke.6300 (deletes CRs): still suggests 1.17.12-gke.1501',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.17.9-gke.6300',
      findings: [{ fix: { action: 'upgrade-master', params: { version: '1.17.12-gke.1501' } } }],
    },
    {
      name: '1.15 master: 1.16 first, one minor at a time (message only, no scripted upgrade)',
      documents: at('1.15.12-gke.20'),
      upgradeTo: '1.17.12-gke.1501',
      findings: [
        {
          message:
            'GKE master version 1.15.12-gke.20 has no Istio 1.6 operator. GKE upgrades a master one minor version ' +
            'at a time: upgrade it to 1.16 first (`gcloud container clusters upgrade demo --master ' +
            '--cluster-version 1.16`), then on to 1.17.12-gke.1501 or later (1.17.9-gke.6300 is the first with the ' +
            'operator; from 1.16 the hop must be 1.17.12-gke.1501 or later to keep the custom resources in ' +
            'istio-system). --upgrade-to 1.17.12-gke.1501 skips a minor version, which GKE refuses: masters upgrade ' +
            'one minor version at a time.',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: '1.17.7-gke.7 (just below the 1.17.7 minimum)',
      documents: at('1.17.7-gke.7'),
      findings: [tooOld('1.17.7-gke.7')],
    },
    { name: '1.17.8-gke.5', documents: at('1.17.8-gke.5'), findings: [tooOld('1.17.8-gke.5')] },
    {
      name: '1.17.9-gke.1600 (gke.N compares numerically)',
      documents: at('1.17.9-gke.1600'),
      findings: [tooOld('1.17.9-gke.1600')],
    },
    { name: '1.17.6-gke.100', documents: at('1.17.6-gke.100'), findings: [tooOld('1.17.6-gke.100')] },
    {
      name: 'the cluster from a fixture file points at its line',
      fixtures: ['fail-cluster-1.16.json'],
      findings: [{ message: '1.16.13-gke.401' }],
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
    { name: 'no GKE cluster data', documents: [], reason: 'no GKE cluster data in the snapshot' },
    { name: 'a malformed version', documents: at('1.17.9'), reason: 'is not a GKE version' },
    { name: 'a version with a suffix', documents: at('1.17.9-gke.6300.1'), reason: 'is not a GKE version' },
    {
      name: 'no master version',
      documents: [gkeCluster({ currentMasterVersion: undefined })],
      reason: 'no currentMasterVersion',
    },
  ],
});

describe('gke-version-istio16 suggestions never skip a minor version', () => {
  it.each([
    ['1.14.10-gke.50', '1.15'],
    ['1.15.12-gke.20', '1.16'],
  ])('from %s: %s first, and no upgrade-master fix the script could run', async (master, hop) => {
    const result = await evaluateRule(rule, { name: master, documents: at(master) });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toContain(`upgrade it to ${hop} first`);
    expect(result.findings[0]?.fix).toBeUndefined();
  });
});
