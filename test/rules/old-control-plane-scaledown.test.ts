import rule from '../../rules/old-control-plane-scaledown.ts';
import { istiod, namespace, sidecarPod, workload } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const OLD = '1.4.10-gke.4';
const NEW = '1.6.11-gke.0';
const running16 = istiod('istio-1611', NEW);
const oldControlPlane = (replicas: number) =>
  [
    'istio-citadel',
    'istio-galley',
    'istio-pilot',
    'istio-policy',
    'istio-sidecar-injector',
    'istio-telemetry',
    'prometheus',
    'promsd',
  ].map((name) => workload('Deployment', 'istio-system', name, { replicas, labels: { release: 'istio' } }));
const gatewayPod = (version: string) =>
  sidecarPod('istio-system', 'istio-ingressgateway-b4f8986c4-dbr6c', version, {
    labels: { app: 'istio-ingressgateway' },
  });

ruleTester(rule, {
  pass: [
    { name: 'every old Deployment scaled to 0 (fixture)', fixtures: ['pass-scaled-down.yaml'] },
    {
      name: 'ASM target: the add-on gateway on 1.4 does not hold the step back (install_asm replaces it)',
      target: 'asm-1.7',
      documents: [...running16, ...oldControlPlane(0), sidecarPod('shop', 'web', NEW), gatewayPod(OLD)],
    },
  ],
  fail: [
    {
      name: 'proxies and gateway on 1.6; istio-pilot, istio-policy, istio-telemetry still have a replica (fixture)',
      fixtures: ['fail-old-replicas.yaml'],
      findings: [
        {
          message:
            'Deployment istio-system/istio-pilot of the 1.4 control plane still has 1 replica, and every proxy and the ingress gateway now uses Istio 1.6 (revision istio-1611): scale it to 0.',
          severity: 'info',
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istio-pilot' },
          fix: { action: 'scale-down-old-control-plane', params: { deployments: ['istio-pilot'] } },
        },
        { resource: { name: 'istio-policy' } },
        { resource: { name: 'istio-telemetry' } },
      ],
    },
    {
      name: 'all eight Deployments with replicas, every sidecar on 1.6, no gateway',
      documents: [
        ...running16,
        ...oldControlPlane(2),
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        namespace('off', { 'istio-injection': 'disabled' }),
        sidecarPod('shop', 'web', NEW),
      ],
      findings: [
        {
          message:
            'istio-citadel of the 1.4 control plane still has 2 replicas, and every proxy now uses Istio 1.6',
        },
        {},
        {},
        {},
        {},
        {},
        { resource: { name: 'prometheus' } },
        { resource: { name: 'promsd' } },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'proxies still on 1.4 (fixture)',
      fixtures: ['not-applicable-proxies-on-1.4.yaml'],
      reason: /^proxies still use the 1\.4 control plane \(2 workload pods/,
    },
    {
      name: 'istio-1.6: the ingress gateway still on 1.4',
      documents: [...running16, ...oldControlPlane(1), sidecarPod('shop', 'web', NEW), gatewayPod(OLD)],
      reason: 'proxies still use the 1.4 control plane (1 ingress gateway pod on a version before 1.6)',
    },
    {
      name: 'a namespace still labelled istio-injection=enabled with no pods (only a CronJob): no scale-down advice',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        sidecarPod('shop', 'web', NEW),
        namespace('nightly', { 'istio-injection': 'enabled' }),
      ],
      reason:
        "namespace nightly still has istio-injection=enabled: the 1.4 sidecar injector's webhook (failurePolicy: Fail) still answers for them, even with no pod running",
    },
    {
      name: 'several namespaces still on istio-injection=enabled, every proxy on 1.6',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'web', NEW),
        namespace('nightly', { 'istio-injection': 'enabled' }),
        namespace('reports', { 'istio-injection': 'enabled' }),
        namespace('off', { 'istio-injection': 'disabled' }),
      ],
      reason: 'namespaces nightly, reports still have istio-injection=enabled',
    },
    {
      name: 'no 1.6 istiod is ready',
      documents: [namespace('istio-system'), ...oldControlPlane(1)],
      reason: 'no Istio 1.6 control plane',
    },
    {
      name: 'no 1.4 control plane',
      documents: [...running16, sidecarPod('shop', 'web', NEW)],
      reason: 'no Deployment of the 1.4 control plane',
    },
  ],
  unknown: [
    {
      name: 'Namespaces not collected: cannot tell whether a namespace still selects the 1.4 injector',
      documents: [...running16, ...oldControlPlane(1), sidecarPod('shop', 'web', NEW)],
      notCollected: { namespaces: 'namespaces is forbidden' },
      reason: 'cannot tell whether a namespace still selects the 1.4 injector (istio-injection=enabled)',
    },
    {
      name: 'Deployments not collected',
      documents: [namespace('istio-system')],
      notCollected: { deployments: 'deployments.apps is forbidden' },
      reason: 'Deployments not collected',
    },
    {
      name: 'a sidecar whose image has no version tag',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'web', NEW),
        sidecarPod('shop', 'custom', 'dev'),
      ],
      reason:
        'cannot tell whether proxies still use the 1.4 control plane: the istio-proxy image of shop/custom',
    },
  ],
});
