import { describe, expect, it } from 'vitest';
import rule from '../../rules/gke-upgrade-cr-deletion.ts';
import { gkeCluster, istioObject, istioOperator, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const at = (version: string, ...documents: unknown[]) => [
  gkeCluster({ currentMasterVersion: version }),
  ...documents,
];
const userVirtualService = istioObject(
  'networking.istio.io/v1alpha3',
  'VirtualService',
  'istio-system',
  'edge',
);
const userEnvoyFilter = istioObject('networking.istio.io/v1alpha3', 'EnvoyFilter', 'istio-system', 'hsts');
const addonHandler = istioObject(
  'config.istio.io/v1alpha2',
  'handler',
  'istio-system',
  'prometheus',
  {},
  {
    labels: { 'addonmanager.kubernetes.io/mode': 'Reconcile', release: 'istio' },
  },
);
const elsewhere = istioObject('networking.istio.io/v1alpha3', 'VirtualService', 'shop', 'cart');

ruleTester(rule, {
  pass: [
    { name: 'master already on 1.17', documents: at('1.17.12-gke.1501') },
    {
      name: 'master on 1.18 with an old --upgrade-to',
      documents: at('1.18.9-gke.1501'),
      upgradeTo: '1.17.9-gke.6300',
    },
    { name: 'GKE versions with a v prefix (master v1.17.9-gke.6300)', documents: at('v1.17.9-gke.6300') },
    { name: 'master below 1.16 (that upgrade is checked from 1.16)', documents: at('1.15.12-gke.20') },
    {
      name: '1.16 -> 1.17 target exactly 1.17.12-gke.1501 (the fixed version)',
      documents: at('1.16.15-gke.4300', userVirtualService),
      upgradeTo: '1.17.12-gke.1501',
    },
    {
      name: '1.16 -> 1.17 target above 1.17.12-gke.1501 (gke.N compares numerically: 1.17.12-gke.2502)',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.17.12-gke.2502',
    },
    {
      name: '1.16 -> 1.18 target exactly 1.18.9-gke.1501',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.18.9-gke.1501',
    },
    {
      name: '1.16 -> 1.18 target 1.18.10-gke.600',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.18.10-gke.600',
    },
    {
      name: 'GKE versions with a v prefix (--upgrade-to v1.17.12-gke.1501)',
      documents: at('v1.16.15-gke.4300'),
      upgradeTo: 'v1.17.12-gke.1501',
    },
    {
      name: 'the cluster after a safe upgrade (fixture)',
      fixtures: ['pass-1.17-custom-resources.yaml'],
    },
  ],
  fail: [
    {
      name: '1.16 -> 1.17 target below 1.17.12-gke.1501 (1.17.9-gke.6300) is an error',
      documents: at('1.16.15-gke.4300', userVirtualService),
      upgradeTo: '1.17.9-gke.6300',
      findings: [
        {
          severity: 'error',
          message:
            /from 1\.16\.15-gke\.4300 to 1\.17\.9-gke\.6300 deletes the custom resources .*upgrade to 1\.17\.12-gke\.1501 or later/,
          resource: { kind: 'Cluster', name: 'demo' },
          fix: {
            action: 'backup-istio-system-crs',
            params: {
              cluster: 'demo',
              version: '1.17.12-gke.1501',
              resources: ['virtualservices.networking.istio.io'],
              objects: ['VirtualService/edge'],
            },
          },
        },
      ],
    },
    {
      name: '1.16 -> 1.17 target just below the fix (1.17.12-gke.1500)',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.17.12-gke.1500',
      findings: [{ severity: 'error', message: 'to 1.17.12-gke.1500 deletes' }],
    },
    {
      name: '1.16 -> 1.18 target below 1.18.9-gke.1501 proposes the 1.18 fix',
      documents: at('1.16.13-gke.401'),
      upgradeTo: '1.18.9-gke.1500',
      findings: [
        {
          severity: 'error',
          message: 'upgrade to 1.18.9-gke.1501 or later',
          fix: { action: 'backup-istio-system-crs', params: { version: '1.18.9-gke.1501', objects: [] } },
        },
      ],
    },
    {
      name: 'GKE versions with a v prefix on both sides of the fix (v1.16 -> v1.18.6-gke.3504)',
      documents: at('v1.16.15-gke.4300'),
      upgradeTo: 'v1.18.6-gke.3504',
      findings: [{ severity: 'error' }],
    },
    {
      name: '1.16 without --upgrade-to => warning listing the CRs, user-created ones in istio-system only',
      documents: at('1.16.15-gke.4300', userVirtualService, userEnvoyFilter, addonHandler, elsewhere),
      findings: [
        {
          severity: 'warning',
          message:
            /Choose 1\.17\.12-gke\.1501 \(1\.17\) or 1\.18\.9-gke\.1501 \(1\.18\) or later.*to back up: EnvoyFilter\/hsts, VirtualService\/edge\./,
          fix: {
            action: 'backup-istio-system-crs',
            params: {
              version: '1.17.12-gke.1501',
              resources: ['envoyfilters.networking.istio.io', 'virtualservices.networking.istio.io'],
              objects: ['EnvoyFilter/hsts', 'VirtualService/edge'],
            },
          },
        },
      ],
    },
    {
      name: '1.16 without --upgrade-to, nothing to back up',
      documents: at('1.16.15-gke.4300', namespace('istio-system'), addonHandler),
      findings: [{ severity: 'warning', message: 'found no user-created custom resource' }],
    },
    {
      name: '1.16 without --upgrade-to and no Kubernetes data: still a warning, the list says it may be incomplete',
      documents: at('1.16.15-gke.4300'),
      findings: [
        { severity: 'warning', message: /The list may be incomplete: IstioOperators not collected/ },
      ],
    },
    {
      name: 'an IstioOperator a user created in istio-system is listed',
      documents: at('1.16.15-gke.4300', istioOperator('my-istio')),
      findings: [
        { fix: { action: 'backup-istio-system-crs', params: { objects: ['IstioOperator/my-istio'] } } },
      ],
    },
    {
      name: '1.16 master and an unsafe target, from a fixture (cluster as gcloud YAML plus a kubectl List)',
      fixtures: ['fail-1.16-custom-resources.yaml'],
      upgradeTo: '1.17.9-gke.6300',
      findings: [
        {
          severity: 'error',
          message: 'to back up: EnvoyFilter/gateway-hsts, VirtualService/shop-frontend.',
          resource: { kind: 'Cluster', name: 'shop-prod' },
          fix: {
            action: 'backup-istio-system-crs',
            params: { cluster: 'shop-prod', location: 'europe-west1-b', project: 'acme-shop' },
          },
        },
      ],
    },
    {
      name: '1.16 master without --upgrade-to, from a fixture',
      fixtures: ['fail-1.16-custom-resources.yaml'],
      findings: [{ severity: 'warning', message: 'EnvoyFilter/gateway-hsts, VirtualService/shop-frontend' }],
    },
  ],
  notApplicable: [
    {
      name: 'the Istio add-on is disabled',
      documents: [
        gkeCluster({
          currentMasterVersion: '1.16.15-gke.4300',
          addonsConfig: { istioConfig: { disabled: true } },
        }),
      ],
      reason: 'add-on is disabled',
    },
  ],
  unknown: [
    {
      name: 'no GKE cluster data',
      documents: [namespace('istio-system')],
      reason: 'no GKE cluster data in the snapshot',
    },
    {
      name: 'malformed versions => unknown (master 1.16.15)',
      documents: at('1.16.15'),
      reason: 'master version "1.16.15"',
    },
    {
      name: 'malformed versions => unknown (--upgrade-to 1.17)',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.17',
      reason: '--upgrade-to "1.17" is not a GKE version',
    },
    {
      name: 'malformed versions => unknown (--upgrade-to with a suffix, even on a 1.17 master)',
      documents: at('1.17.12-gke.1501'),
      upgradeTo: '1.17.12-gke.1501-beta',
      reason: 'is not a GKE version',
    },
    {
      name: 'no master version',
      documents: [gkeCluster({ currentMasterVersion: undefined })],
      reason: 'no currentMasterVersion',
    },
  ],
});

describe('gke-upgrade-cr-deletion remediation', () => {
  it('backs up the listed kinds and every istio.io kind, then upgrades to the safe version', async () => {
    const result = await evaluateRule(rule, {
      name: 'commands',
      documents: at('1.16.15-gke.4300', userVirtualService),
      upgradeTo: '1.17.9-gke.6300',
    });
    const commands = result.findings[0]?.remediation?.commands ?? [];
    expect(commands).toContain(
      'kubectl get -n istio-system virtualservices.networking.istio.io -o yaml > istio-system-custom-resources.yaml',
    );
    expect(commands.some((c) => c.includes("grep '[.]istio[.]io$'"))).toBe(true);
    expect(commands.at(-1)).toBe(
      'gcloud container clusters upgrade demo --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-prod',
    );
  });

  it('keeps a hostile object name inside its comment line', async () => {
    const hostile = istioObject(
      'networking.istio.io/v1alpha3',
      'VirtualService',
      'istio-system',
      'x\nrm -rf ~',
    );
    const result = await evaluateRule(rule, { name: 'hostile', documents: at('1.16.15-gke.4300', hostile) });
    const commands = result.findings[0]?.remediation?.commands ?? [];
    for (const command of commands) expect(command).not.toContain('\n');
    expect(commands[0]).toBe('# custom resources in istio-system: VirtualService/x\\u{a}rm -rf ~');
  });
});
