import rule from '../../rules/gke-version-istio16.ts';
import { gkeCluster } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const at = (version: string) => [gkeCluster({ currentMasterVersion: version })];

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
    { name: '1.17.7-gke.7 (just below the 1.17.7 minimum)', documents: at('1.17.7-gke.7'), findings: [{}] },
    { name: '1.17.8-gke.5', documents: at('1.17.8-gke.5'), findings: [{}] },
    {
      name: '1.17.9-gke.1600 (gke.N compares numerically)',
      documents: at('1.17.9-gke.1600'),
      findings: [{}],
    },
    { name: '1.17.6-gke.100', documents: at('1.17.6-gke.100'), findings: [{}] },
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
