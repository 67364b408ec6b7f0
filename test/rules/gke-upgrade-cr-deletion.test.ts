import { describe, expect, it } from 'vitest';
import rule from '../../rules/gke-upgrade-cr-deletion.ts';
import { runRules } from '../../src/engine/runner.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import { gkeCluster, istioObject, istioOperator, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep, plannedSteps } from './planned-steps.ts';

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
const vsName = (i: number) => `vs-${String(i + 1).padStart(2, '0')}`;
/** `count` VirtualServices in istio-system, vs-01, vs-02, … (given in reverse: the message sorts them). */
const vs = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    istioObject('networking.istio.io/v1alpha3', 'VirtualService', 'istio-system', vsName(count - 1 - i)),
  );
const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `VirtualService/${vsName(i)}`).join(', ');

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
      name: '1.15 -> 1.16 (one minor at a time; the 1.16 bug is checked once on 1.16)',
      documents: at('1.15.12-gke.20'),
      upgradeTo: '1.16.15-gke.4300',
    },
    {
      name: '1.16 -> 1.16 patch upgrade (no minor skipped, no affected 1.17/1.18 version)',
      documents: at('1.16.13-gke.401'),
      upgradeTo: '1.16.15-gke.4300',
    },
    {
      name: '1.17 master, any --upgrade-to (the rule is about leaving 1.16)',
      documents: at('1.17.12-gke.1501'),
      upgradeTo: '1.18.9-gke.1501',
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
      findings: [
        {
          severity: 'error',
          message:
            'Upgrading the master from 1.16.15-gke.4300 to 1.17.12-gke.1500 deletes the custom resources created in ' +
            'istio-system (fixed from 1.17.12-gke.1501 (1.17) or 1.18.9-gke.1501 (1.18)): upgrade to ' +
            '1.17.12-gke.1501 or later instead.',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: '1.16 -> 1.18 skips a minor even at exactly 1.18.9-gke.1501: the hop is 1.17 >= 1.17.12-gke.1501',
      documents: at('1.16.15-gke.4300', userVirtualService),
      upgradeTo: '1.18.9-gke.1501',
      findings: [
        {
          severity: 'error',
          message:
            '--upgrade-to 1.18.9-gke.1501 skips a minor version: GKE masters upgrade one minor version at a time, so from 1.16.15-gke.4300 the next hop is 1.17, and it must be 1.17.12-gke.1501 or later',
          fix: {
            action: 'backup-istio-system-crs',
            params: { version: '1.17.12-gke.1501', objects: ['VirtualService/edge'] },
          },
        },
      ],
    },
    {
      name: '1.16 -> 1.18.10-gke.600 skips a minor: never suggests going straight to 1.18',
      documents: at('1.16.15-gke.4300'),
      upgradeTo: '1.18.10-gke.600',
      findings: [
        {
          severity: 'error',
          message: 'Upgrade to 1.17.12-gke.1501 first',
          fix: { action: 'backup-istio-system-crs', params: { version: '1.17.12-gke.1501' } },
        },
      ],
    },
    {
      name: '1.16 -> 1.18 target below 1.18.9-gke.1501: skips a minor, proposes 1.17.12-gke.1501',
      documents: at('1.16.13-gke.401'),
      upgradeTo: '1.18.9-gke.1500',
      findings: [
        {
          severity: 'error',
          message: 'skips a minor version',
          fix: { action: 'backup-istio-system-crs', params: { version: '1.17.12-gke.1501', objects: [] } },
        },
      ],
    },
    {
      name: '1.15 -> 1.17 skips a minor: 1.16 first (no scripted upgrade)',
      documents: at('1.15.12-gke.20'),
      upgradeTo: '1.17.12-gke.1501',
      findings: [
        {
          severity: 'error',
          message:
            '--upgrade-to 1.17.12-gke.1501 skips a minor version: GKE masters upgrade one minor version at a time, so ' +
            'from 1.15.12-gke.20 the next hop is 1.16. Upgrade to 1.16 first; from 1.16 the hop to 1.17 must be ' +
            '1.17.12-gke.1501 or later, or the custom resources in istio-system are deleted.',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'non-Istio custom resources in istio-system (BackendConfig, ManagedCertificate, cert-manager) are listed and backed up',
      documents: at(
        '1.16.15-gke.4300',
        userVirtualService,
        istioObject('cloud.google.com/v1', 'BackendConfig', 'istio-system', 'ingress-health'),
        istioObject('networking.gke.io/v1beta2', 'ManagedCertificate', 'istio-system', 'shop-cert'),
        istioObject('cert-manager.io/v1', 'Certificate', 'istio-system', 'ingress-tls'),
        istioObject('cert-manager.io/v1', 'Issuer', 'istio-system', 'letsencrypt'),
        istioObject('networking.istio.io/v1alpha3', 'Gateway', 'istio-system', 'shop-gateway'),
        istioObject('cloud.google.com/v1', 'BackendConfig', 'shop', 'elsewhere'),
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny', namespace: 'istio-system' },
        },
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'job', namespace: 'istio-system' } },
      ),
      findings: [
        {
          severity: 'warning',
          message:
            'the safe next hop is 1.17.12-gke.1501 or later: pass it as --upgrade-to. Custom resources in istio-system to back up: BackendConfig/ingress-health, Certificate/ingress-tls, Gateway/shop-gateway, Issuer/letsencrypt, ManagedCertificate/shop-cert, VirtualService/edge.',
          fix: {
            action: 'backup-istio-system-crs',
            params: {
              version: '1.17.12-gke.1501',
              resources: [
                'backendconfigs.cloud.google.com',
                'certificates.cert-manager.io',
                'gateways.networking.istio.io',
                'issuers.cert-manager.io',
                'managedcertificates.networking.gke.io',
                'virtualservices.networking.istio.io',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'GKE versions with a v prefix on both sides of the fix (v1.16 -> v1.18.6-gke.3504)',
      documents: at('v1.16.15-gke.4300'),
      upgradeTo: 'v1.18.6-gke.3504',
      findings: [
        {
          severity: 'error',
          message:
            '--upgrade-to v1.18.6-gke.3504 skips a minor version: GKE masters upgrade one minor version at a ' +
            'time, so from v1.16.15-gke.4300 the next hop is 1.17, and it must be 1.17.12-gke.1501 or later',
          resource: { kind: 'Cluster', name: 'demo' },
          fix: { action: 'backup-istio-system-crs', params: { version: '1.17.12-gke.1501' } },
        },
      ],
    },
    {
      name: '1.16 without --upgrade-to => warning listing the CRs, user-created ones in istio-system only',
      documents: at('1.16.15-gke.4300', userVirtualService, userEnvoyFilter, addonHandler, elsewhere),
      findings: [
        {
          severity: 'warning',
          message:
            /the safe next hop is 1\.17\.12-gke\.1501 or later: pass it as --upgrade-to\. Custom resources in istio-system to back up: EnvoyFilter\/hsts, VirtualService\/edge\./,
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
      findings: [
        {
          severity: 'warning',
          message:
            'The master runs 1.16.15-gke.4300: upgrading it to a 1.17 version below 1.17.12-gke.1501 deletes the ' +
            'custom resources created in istio-system, and GKE masters upgrade one minor version at a time, so the ' +
            'safe next hop is 1.17.12-gke.1501 or later: pass it as --upgrade-to. meshready found no user-created ' +
            'custom resource in istio-system. The backup step also saves every namespaced custom resource kind the ' +
            'cluster serves.',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: '1.16 without --upgrade-to and no Kubernetes data: still a warning, the list says it may be incomplete',
      documents: at('1.16.15-gke.4300'),
      findings: [
        {
          severity: 'warning',
          message:
            'meshready found no user-created custom resource in istio-system. The list may be incomplete: ' +
            'IstioOperators not collected: no Kubernetes objects in the snapshot; EnvoyFilters not collected: no ' +
            'Kubernetes objects in the snapshot; VirtualServices not collected: no Kubernetes objects in the ' +
            'snapshot; Mixer configuration (config.istio.io) not collected: no Kubernetes objects in the snapshot; ' +
            'v1alpha1 security policies not collected: no Kubernetes objects in the snapshot; AuthorizationPolicies ' +
            '(security.istio.io) not collected: no Kubernetes objects in the snapshot; PeerAuthentications ' +
            '(security.istio.io) not collected: no Kubernetes objects in the snapshot; RequestAuthentications ' +
            '(security.istio.io) not collected: no Kubernetes objects in the snapshot; BackendConfigs ' +
            '(cloud.google.com) not collected: no Kubernetes objects in the snapshot; Custom resources in ' +
            'istio-system not collected: no Kubernetes objects in the snapshot. The backup step also saves every ' +
            'namespaced custom resource kind the cluster serves.',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'eleven custom resources: the message names ten and counts the rest; the fix backs up all',
      documents: at('1.16.15-gke.4300', ...vs(11)),
      findings: [
        {
          message:
            `Custom resources in istio-system to back up: ${names(10)} and 1 more. The backup step also saves every ` +
            'namespaced custom resource kind the cluster serves.',
          resource: { kind: 'Cluster', name: 'demo' },
          fix: { action: 'backup-istio-system-crs', params: { objects: names(11).split(', ') } },
        },
      ],
    },
    {
      name: 'exactly ten custom resources: all named',
      documents: at('1.16.15-gke.4300', ...vs(10)),
      findings: [
        {
          message: `to back up: ${names(10)}. The backup step also saves`,
          resource: { kind: 'Cluster', name: 'demo' },
        },
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
  it('backs up the listed kinds and every namespaced custom resource kind, then upgrades to the safe version', async () => {
    const input = {
      name: 'commands',
      documents: at('1.16.15-gke.4300', userVirtualService),
      upgradeTo: '1.17.9-gke.6300',
    };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'kubectl get virtualservices.networking.istio.io -n istio-system -o yaml > istio-system-virtualservices.networking.istio.io.yaml',
      'kubectl get customresourcedefinitions -o \'jsonpath={range .items[?(@.spec.scope=="Namespaced")]}{.metadata.name}{" "}{end}\'',
      'gcloud container clusters upgrade demo --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-prod --quiet',
      'kubectl get pods -n istio-system',
    ]);
    // The backups are saved to files, and the upgrade comes after them, in a later step.
    const backup = await plannedStep(rule, input, 'backup-istio-system-crs');
    expect(backup.steps.filter((s) => s.kind === 'backup').map((s) => s.kind === 'backup' && s.argv)).toEqual(
      [['kubectl', 'get', 'virtualservices.networking.istio.io', '-n', 'istio-system', '-o', 'yaml']],
    );
    expect(backup.steps.some((s) => s.kind === 'call' && s.fn === 'backup_namespaced_custom_resources')).toBe(
      true,
    );
    const steps = await plannedSteps(rule, input);
    expect(steps.map((step) => step.action)).toEqual(['backup-istio-system-crs', 'upgrade-master']);
  });

  it('keeps a hostile object name inside its comment line', async () => {
    const hostile = istioObject(
      'networking.istio.io/v1alpha3',
      'VirtualService',
      'istio-system',
      'x\nrm -rf ~',
    );
    const input = { name: 'hostile', documents: at('1.16.15-gke.4300', hostile) };
    const result = await evaluateRule(rule, input);
    const commands = result.findings[0]?.remediation?.commands ?? [];
    expect(commands).toContain(
      'kubectl get virtualservices.networking.istio.io -n istio-system -o yaml > istio-system-virtualservices.networking.istio.io.yaml',
    );
    for (const command of commands) expect(command).not.toContain('\n');
    for (const command of commands) expect(command).not.toContain('rm -rf');
    // The object is named in the step's comment for the reviewer, which stays one `#` line.
    const step = await plannedStep(rule, input, 'backup-istio-system-crs');
    expect(step.steps).toContainEqual({ kind: 'comment', text: '  VirtualService/x\nrm -rf ~' });
    const lines = renderPlanStep(step).split('\n');
    expect(lines).toContain('  #   VirtualService/x\\u{a}rm -rf ~');
    expect(lines.filter((line) => line.includes('rm -rf'))).toHaveLength(1);
  });
});

describe('gke-upgrade-cr-deletion on a live scan', () => {
  it('says its list may be incomplete when custom resources of other kinds were not listed (live collector note)', () => {
    const offline = snapshotFromDocuments({ documents: at('1.16.15-gke.4300', userVirtualService) });
    const live: ClusterSnapshot = {
      ...offline,
      coverage: {
        ...offline.coverage,
        customresources: { collected: true, note: 'a live scan lists only the kinds meshready reads' },
      },
    };
    const report = runRules(live, {
      rules: [rule],
      target: 'istio-1.6',
      toolVersion: '0.0.0-test',
      now: new Date('2026-11-25T10:00:00Z'),
    });
    const finding = report.results[0]?.findings[0];
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toBe(
      'The master runs 1.16.15-gke.4300: upgrading it to a 1.17 version below 1.17.12-gke.1501 deletes the custom ' +
        'resources created in istio-system, and GKE masters upgrade one minor version at a time, so the safe next ' +
        'hop is 1.17.12-gke.1501 or later: pass it as --upgrade-to. Custom resources in istio-system to back up: ' +
        'VirtualService/edge. The list may be incomplete: Custom resources in istio-system: a live scan lists only ' +
        'the kinds meshready reads. The backup step also saves every namespaced custom resource kind the cluster serves.',
    );
  });
});
