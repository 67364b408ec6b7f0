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
      name: 'an asm-* revision already installed while the operator still runs the control plane is an error',
      target: 'asm-1.6',
      documents: [
        operator(),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-1614-1', '1.6.14-asm.1'),
      ],
      findings: [
        {
          severity: 'error',
          resource: { kind: 'Deployment', name: 'istiod-asm-1614-1' },
          message: 'Anthos Service Mesh revision asm-1614-1 is already installed',
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
