import rule from '../../rules/install-asm-preconditions.ts';
import { istiod, istioOperator, workload } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

type Raw = Record<string, unknown>;
const BASE = {
  profile: 'default',
  revision: 'istio-1611',
  tag: '1.6.11-gke.0',
  hub: 'gcr.io/gke-release/istio',
};
const operator = (spec: Raw = {}, name = 'istio-1-6-11-gke-0') =>
  istioOperator(name, { spec: { ...BASE, ...spec } });

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
            'customised beyond its gateways (meshConfig.accessLogFile, meshConfig.enableTracing, values.global.proxy, ' +
            "values.pilot.traceSampling, components.pilot.k8s.resources): the guide's plain `install_asm --mode migrate` " +
            'command drops these settings. meshready wrote them to asm-custom-overlay.yaml',
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
          message:
            'istiod runs in namespace mesh-control (Deployment istiod-istio-1611), not in istio-system',
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
            'istio.io/rev=asm-1614-1) and fix that; install_asm is not run again',
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
          message:
            'Two or more Anthos Service Mesh revisions are installed in istio-system (asm-1614-1, asm-173-6',
        },
        {
          severity: 'error',
          resource: { name: 'istiod-asm-173-6' },
          message: /^Two or more .*install_asm is not run again/,
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
  ],
  notApplicable: [
    {
      name: 'no IstioOperator and no istiod (the add-on only)',
      documents: [workload('Deployment', 'istio-system', 'istio-pilot', { labels: { app: 'pilot' } })],
      reason: 'no IstioOperator in istio-system and no istiod',
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
