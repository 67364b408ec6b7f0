import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/install-asm-preconditions.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
import { istiod, istioOperator, pod, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

type Raw = Record<string, unknown>;
const BASE = {
  profile: 'default',
  revision: 'istio-1611',
  tag: '1.6.11-gke.0',
  hub: 'gcr.io/gke-release/istio',
};
const operator = (spec: Raw = {}, name = 'istio-1-6-11-gke-0') =>
  istioOperator(name, { spec: { ...BASE, ...spec } });
/** The objects of `istiod(...)` moved to namespace `ns`. */
const istiodIn = (ns: string, revision: string, version: string, options: { ready?: boolean } = {}) =>
  istiod(revision, version, options).map((o) => ({
    ...o,
    metadata: { ...(o.metadata as Raw), namespace: ns },
  }));
/** An istiod pod with no Deployment, in `phase`. */
const istiodPod = (ns: string, name: string, phase: string) =>
  pod(ns, name, [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }], {
    labels: { app: 'istiod', 'istio.io/rev': 'istio-1611' },
    phase,
  });
const NOT_AGAIN =
  'install_asm is not run again: `--mode migrate` refuses once an asm control plane runs, and `--mode upgrade` ' +
  "(1.7 only) refuses while the operator's istiod runs and for the version already installed.";
const twoAsm = (what: string) =>
  `Two or more Anthos Service Mesh revisions are installed in istio-system (asm-1614-1, asm-173-6; this is ${what}): ` +
  'install_asm leaves exactly one. Keep the revision your namespaces are to select and remove the other once no ' +
  `namespace selects it and no pod runs on it (istioctl x uninstall --revision REVISION); ${NOT_AGAIN}`;
const outside = (ns: string, what: string) =>
  `istiod runs in namespace ${ns} (${what}), not in istio-system: install_asm installs and migrates the control ` +
  'plane in istio-system only. Move this control plane back to istio-system, or migrate it by hand.';
const LONG_NAME = `istio-operator-${'x'.repeat(75)}`;
/** The first 8 hex digits of a name's SHA-256: what tells overlay files of names alike apart. */
const sha8 = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 8);

ruleTester(rule, {
  pass: [
    {
      name: 'the add-on operator as installed: gateways only, and a default value written out',
      documents: [
        operator({
          components: {
            ingressGateways: [
              { name: 'istio-ingressgateway', enabled: true, k8s: { hpaSpec: { minReplicas: 3 } } },
            ],
            pilot: { enabled: true },
          },
          values: { global: { proxy: { clusterDomain: 'cluster.local' } } },
        }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
    },
    {
      name: 'ASM installed after the operator was disabled (the migration itself)',
      documents: [
        operator({ profile: 'disabled' }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
      ],
    },
    {
      name: 'one ready asm-* revision with the operator still live (profile default): install_asm has nothing left to do',
      target: 'asm-1.6',
      documents: [
        operator(),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-1614-1', '1.6.14-asm.1'),
      ],
    },
    {
      name: 'one ready asm-* revision and a customised operator: the overlay no longer matters',
      target: 'asm-1.7',
      documents: [
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
      ],
    },
    {
      name: 'one ready asm-* revision and the operator already emptied (its istiod gone)',
      documents: [operator({ profile: 'empty' }), ...istiod('asm-173-6', '1.7.3-asm.6')],
    },
    {
      name: 'an istiod without istio.io/rev in istio-system is not an asm-* one; a Deployment without labels is no istiod',
      documents: [
        operator(),
        workload('Deployment', 'istio-system', 'istiod', {
          labels: { app: 'istiod' },
          containers: [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }],
        }),
        workload('Deployment', 'shop', 'web'),
      ],
    },
    {
      name: 'an operator in istio-system and only finished (Succeeded, Failed) istiod pods elsewhere',
      documents: [
        operator(),
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-done', 'Succeeded'),
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-oom', 'Failed'),
      ],
    },
  ],
  fail: [
    {
      name: 'the fixture operator: meshConfig, values and istiod resources, the default clusterDomain left out (fixture)',
      fixtures: ['fail-customised-operator.yaml'],
      findings: [
        {
          message: '(meshConfig.accessLogFile, values.pilot.traceSampling, components.pilot.k8s.resources)',
          fix: {
            action: 'write-custom-overlay',
            params: {
              settings: [
                'meshConfig.accessLogFile',
                'values.pilot.traceSampling',
                'components.pilot.k8s.resources',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'meshConfig, values and a component k8s block: a warning naming the settings and the overlay file',
      target: 'asm-1.7',
      documents: [
        operator({
          meshConfig: { accessLogFile: '/dev/stdout', enableTracing: true },
          values: {
            global: { proxy: { clusterDomain: 'cluster.local', logLevel: 'debug' } },
            pilot: { traceSampling: 5 },
          },
          components: { pilot: { enabled: true, k8s: { resources: { requests: { cpu: '1' } } } } },
        }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        {
          severity: 'warning',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          message:
            'IstioOperator istio-system/istio-1-6-11-gke-0 is customised beyond its gateways (meshConfig.accessLogFile, ' +
            'meshConfig.enableTracing, values.global.proxy, values.pilot.traceSampling, components.pilot.k8s.resources): ' +
            "the guide's plain `install_asm --mode migrate` command drops these settings. meshready wrote them to " +
            'asm-custom-overlay.yaml; review it and pass `--custom_overlay asm-custom-overlay.yaml` to install_asm (the ' +
            'install step of remediate.sh does).',
          fix: {
            action: 'write-custom-overlay',
            params: { file: 'asm-custom-overlay.yaml', operator: 'istio-1-6-11-gke-0' },
          },
        },
      ],
    },
    {
      name: 'an istiod outside istio-system is an error (one finding for its Deployment and pod)',
      documents: [
        operator(),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('istio-1611', '1.6.11-gke.0').map((o) => ({
          ...o,
          metadata: { ...(o.metadata as Raw), namespace: 'mesh-control' },
        })),
      ],
      findings: [
        {
          severity: 'error',
          resource: { kind: 'Deployment', namespace: 'mesh-control', name: 'istiod-istio-1611' },
          message: outside('mesh-control', 'Deployment istiod-istio-1611'),
        },
      ],
    },
    {
      name: 'an asm-* istiod installed but not ready: an error that never says to run install_asm again',
      target: 'asm-1.6',
      documents: [
        operator({ profile: 'disabled', meshConfig: { accessLogFile: '/dev/stdout' } }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-1614-1', '1.6.14-asm.1', { ready: false }),
      ],
      findings: [
        {
          severity: 'error',
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istiod-asm-1614-1' },
          message:
            'Anthos Service Mesh revision asm-1614-1 is installed (Deployment istio-system/istiod-asm-1614-1) but ' +
            'not ready: find out why its istiod does not start (kubectl -n istio-system describe pods -l ' +
            `istio.io/rev=asm-1614-1) and fix that; ${NOT_AGAIN}`,
        },
      ],
    },
    {
      name: 'two asm-* revisions installed (both ready): one error each, no overlay advice',
      target: 'asm-1.7',
      documents: [
        operator({ profile: 'disabled', meshConfig: { accessLogFile: '/dev/stdout' } }),
        ...istiod('asm-1614-1', '1.6.14-asm.1'),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
      ],
      findings: [
        {
          severity: 'error',
          resource: { name: 'istiod-asm-1614-1' },
          message: twoAsm('Deployment istio-system/istiod-asm-1614-1'),
        },
        {
          severity: 'error',
          resource: { name: 'istiod-asm-173-6' },
          message: twoAsm('Deployment istio-system/istiod-asm-173-6'),
        },
      ],
    },
    {
      name: 'two asm-* revisions, found out of order, one not ready: listed sorted, only that one says not ready',
      documents: [
        operator({ profile: 'disabled' }),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
        ...istiod('asm-1614-1', '1.6.14-asm.1', { ready: false }),
      ],
      findings: [
        {
          resource: { kind: 'Deployment', name: 'istiod-asm-1614-1' },
          message: twoAsm('Deployment istio-system/istiod-asm-1614-1, not ready'),
          fix: null,
        },
        {
          resource: { kind: 'Deployment', name: 'istiod-asm-173-6' },
          message: twoAsm('Deployment istio-system/istiod-asm-173-6'),
        },
      ],
    },
    {
      name: 'an asm-* istiod outside istio-system is no installed ASM revision: the overlay still matters, and it is misplaced',
      documents: [
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }),
        ...istiodIn('mesh-control', 'asm-173-6', '1.7.3-asm.6'),
      ],
      findings: [
        {
          resource: { kind: 'IstioOperator', name: 'istio-1-6-11-gke-0' },
          message:
            'IstioOperator istio-system/istio-1-6-11-gke-0 is customised beyond its gateways (meshConfig.accessLogFile)',
          fix: { action: 'write-custom-overlay', params: { file: 'asm-custom-overlay.yaml' } },
        },
        {
          severity: 'error',
          resource: { kind: 'Deployment', namespace: 'mesh-control', name: 'istiod-asm-173-6' },
          message: outside('mesh-control', 'Deployment istiod-asm-173-6'),
        },
      ],
    },
    {
      name: 'control planes outside istio-system: one finding per namespace and revision',
      documents: [
        operator(),
        ...istiodIn('mesh-control', 'istio-1611', '1.6.11-gke.0'),
        ...istiodIn('mesh-control', 'istio-1612', '1.6.12-gke.0'),
        ...istiodIn('other-control', 'istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        { resource: { namespace: 'mesh-control', name: 'istiod-istio-1611' } },
        { resource: { namespace: 'mesh-control', name: 'istiod-istio-1612' } },
        {
          resource: { kind: 'Deployment', namespace: 'other-control', name: 'istiod-istio-1611' },
          message: outside('other-control', 'Deployment istiod-istio-1611'),
        },
      ],
    },
    {
      name: 'no IstioOperator, a running istiod pod outside istio-system with no Deployment: the pod is named',
      documents: [
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-2p9c8', 'Running'),
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-done', 'Succeeded'),
      ],
      findings: [
        {
          severity: 'error',
          resource: { kind: 'Pod', namespace: 'mesh-control', name: 'istiod-istio-1611-5fccfcf4dd-2p9c8' },
          message: outside('mesh-control', 'Pod istiod-istio-1611-5fccfcf4dd-2p9c8'),
        },
      ],
    },
    {
      name: 'two customised operators get one overlay file each',
      documents: [
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }, 'a-operator'),
        operator({ values: { global: { logging: { level: 'default:debug' } } } }, 'b-operator'),
      ],
      findings: [
        { fix: { action: 'write-custom-overlay', params: { file: 'asm-custom-overlay-a-operator.yaml' } } },
        { fix: { action: 'write-custom-overlay', params: { file: 'asm-custom-overlay-b-operator.yaml' } } },
      ],
    },
    {
      name: 'overlay file names: a name unsafe in a file name or over 80 characters is cut and gets a hash of the whole name, so names alike never share a file',
      documents: [
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }, 'ops::main'),
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }, 'ops;main'),
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }, LONG_NAME),
        operator({ meshConfig: { accessLogFile: '/dev/stdout' } }, `${LONG_NAME}-b`),
      ],
      findings: [
        {
          resource: { name: LONG_NAME },
          fix: {
            action: 'write-custom-overlay',
            params: { file: `asm-custom-overlay-${LONG_NAME.slice(0, 71)}-${sha8(LONG_NAME)}.yaml` },
          },
        },
        {
          resource: { name: `${LONG_NAME}-b` },
          fix: {
            action: 'write-custom-overlay',
            params: { file: `asm-custom-overlay-${LONG_NAME.slice(0, 71)}-${sha8(`${LONG_NAME}-b`)}.yaml` },
          },
        },
        {
          resource: { name: 'ops;main' },
          fix: {
            action: 'write-custom-overlay',
            params: { file: `asm-custom-overlay-ops_main-${sha8('ops;main')}.yaml` },
          },
        },
        {
          resource: { name: 'ops::main' },
          fix: {
            action: 'write-custom-overlay',
            params: { file: `asm-custom-overlay-ops_main-${sha8('ops::main')}.yaml` },
          },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'no IstioOperator and no istiod (the add-on only)',
      documents: [workload('Deployment', 'istio-system', 'istio-pilot', { labels: { app: 'pilot' } })],
      reason: 'no IstioOperator in istio-system and no istiod',
    },
    {
      name: 'only an IstioOperator outside istio-system, finished istiod pods and other pods',
      documents: [
        istioOperator('sandbox', { namespace: 'sandbox', spec: { ...BASE } }),
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-done', 'Succeeded'),
        istiodPod('mesh-control', 'istiod-istio-1611-5fccfcf4dd-oom', 'Failed'),
        pod('istio-system', 'istio-pilot-6d9f8b7c5-q8w2e', [
          { name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.4.10-gke.4' },
        ]),
      ],
      reason: 'no IstioOperator in istio-system and no istiod: there is no Istio 1.6 installation to migrate',
    },
  ],
  unknown: [
    {
      name: 'IstioOperators were not collected',
      documents: [...istiod('istio-1611', '1.6.11-gke.0')],
      notCollected: { istiooperators: 'forbidden: list install.istio.io istiooperators' },
      reason: 'IstioOperators not collected',
    },
  ],
});

describe('install-asm-preconditions fingerprints', () => {
  it('key each finding by what it is about, so that baselines keep matching', async () => {
    const result = await evaluateRule(rule, {
      name: 'keys',
      documents: [
        operator({ profile: 'disabled' }),
        ...istiod('asm-1614-1', '1.6.14-asm.1', { ready: false }),
        ...istiodIn('mesh-control', 'istio-1611', '1.6.11-gke.0'),
      ],
    });
    expect(result.findings.map((f) => f.fingerprint)).toEqual([
      fingerprintOf(
        rule.id,
        result.findings[0]?.resource ?? { apiVersion: '', kind: '', name: '' },
        'asm-revision-asm-1614-1',
      ),
      fingerprintOf(
        rule.id,
        result.findings[1]?.resource ?? { apiVersion: '', kind: '', name: '' },
        'outside-istio-system',
      ),
    ]);
    expect(result.findings.map((f) => f.resource.name)).toEqual(['istiod-asm-1614-1', 'istiod-istio-1611']);
  });
});
