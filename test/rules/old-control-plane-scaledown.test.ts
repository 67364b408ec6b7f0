import { describe, expect, it } from 'vitest';
import rule from '../../rules/old-control-plane-scaledown.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
import { phaseStatuses } from '../../src/engine/runner.ts';
import { istiod, namespace, sidecarPod, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

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
const gatewayPod = (version: string, name = 'istio-ingressgateway-b4f8986c4-dbr6c') =>
  sidecarPod('istio-system', name, version, {
    labels: { app: 'istio-ingressgateway' },
  });
const INJECTOR_WEBHOOK =
  "istio-injection=enabled: the 1.4 sidecar injector's webhook (failurePolicy: Fail) still answers for them, even " +
  'with no pod running, so scaling it down would make their next pod fail to create; relabel them first ' +
  '(namespace-injection-labels)';
const UNREADABLE = 'cannot tell whether proxies still use the 1.4 control plane: the istio-proxy image of';
const injecting = (...names: string[]) =>
  names.map((name) => namespace(name, { 'istio-injection': 'enabled' }));

ruleTester(rule, {
  pass: [
    { name: 'every old Deployment scaled to 0 (fixture)', fixtures: ['pass-scaled-down.yaml'] },
    {
      name: 'ASM target, after install_asm replaced the add-on gateway: every old Deployment at 0',
      target: 'asm-1.7',
      documents: [
        ...running16,
        ...oldControlPlane(0),
        sidecarPod('shop', 'web', NEW),
        gatewayPod('1.7.3-asm.6'),
      ],
    },
  ],
  fail: [
    {
      name: 'ASM target: the 1.4 control plane already at 0 under the add-on gateway still on 1.4 (all workloads moved): urgent',
      target: 'asm-1.7',
      documents: [...running16, ...oldControlPlane(0), sidecarPod('shop', 'web', NEW), gatewayPod(OLD)],
      findings: [
        {
          message:
            'Deployment istio-system/istio-citadel of the 1.4 control plane has 0 replicas, but 1 ingress gateway pod on a ' +
            'version before 1.6 still depends on it (e.g. istio-system/istio-ingressgateway-b4f8986c4-dbr6c): without ' +
            'istio-citadel their certificates are not renewed',
          severity: 'error',
          phase: 'prepare',
          urgent: true,
          fix: {
            action: 'restore-old-control-plane',
            params: { deployments: ['istio-citadel', 'istio-pilot'] },
          },
        },
        {
          resource: { name: 'istio-pilot' },
          message: 'without istio-pilot they get no configuration changes',
          urgent: true,
        },
      ],
    },
    {
      name: 'istio-1.6: only istio-pilot scaled down while a workload still runs 1.4: urgent, for istio-pilot only',
      documents: [
        ...running16,
        ...oldControlPlane(1).map((d) =>
          (d.metadata as { name: string }).name === 'istio-pilot'
            ? workload('Deployment', 'istio-system', 'istio-pilot', { replicas: 0 })
            : d,
        ),
        sidecarPod('shop', 'web', OLD),
      ],
      findings: [
        {
          resource: { name: 'istio-pilot' },
          message:
            'Deployment istio-system/istio-pilot of the 1.4 control plane has 0 replicas, but 1 workload pod on a ' +
            'version before 1.6 still depends on it (e.g. shop/web): without istio-pilot they get no configuration ' +
            'changes (new endpoints, routes, policies). Scale it back to 1 now; scale the 1.4 control plane down ' +
            'only once no 1.4 proxy or gateway pod runs.',
          urgent: true,
          fix: { action: 'restore-old-control-plane', params: { deployments: ['istio-pilot'] } },
        },
      ],
    },
    {
      name: 'istio-pilot and istio-citadel at 0 (listed out of order) under 1.4 workloads and a 1.4 gateway: three examples',
      documents: [
        ...running16,
        ...oldControlPlane(0).reverse(),
        sidecarPod('shop', 'a', OLD),
        sidecarPod('shop', 'b', OLD),
        sidecarPod('shop', 'c', OLD),
        sidecarPod('shop', 'd', OLD),
        gatewayPod(OLD),
      ],
      findings: [
        {
          resource: { name: 'istio-citadel' },
          message:
            'Deployment istio-system/istio-citadel of the 1.4 control plane has 0 replicas, but 4 workload pods and ' +
            '1 ingress gateway pod on a version before 1.6 still depend on it (e.g. shop/a, shop/b, shop/c): without ' +
            'istio-citadel their certificates are not renewed, and mutual TLS fails once they expire. Scale it back ' +
            'to 1 now; scale the 1.4 control plane down only once no 1.4 proxy or gateway pod runs.',
          phase: 'prepare',
          urgent: true,
          fix: {
            action: 'restore-old-control-plane',
            params: { deployments: ['istio-citadel', 'istio-pilot'] },
          },
        },
        {
          resource: { name: 'istio-pilot' },
          message: 'but 4 workload pods and 1 ingress gateway pod on a version before 1.6 still depend on it',
          fix: {
            action: 'restore-old-control-plane',
            params: { deployments: ['istio-citadel', 'istio-pilot'] },
          },
        },
      ],
    },
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
        { resource: { name: 'istio-galley' } },
        { resource: { name: 'istio-pilot' } },
        { resource: { name: 'istio-policy' } },
        { resource: { name: 'istio-sidecar-injector' } },
        { resource: { name: 'istio-telemetry' } },
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
      name: 'asm-1.6: a 1.4 gateway after all workloads moved holds the scale-down back too',
      target: 'asm-1.6',
      documents: [...running16, ...oldControlPlane(1), sidecarPod('shop', 'web', NEW), gatewayPod(OLD)],
      reason: 'proxies still use the 1.4 control plane (1 ingress gateway pod on a version before 1.6)',
    },
    {
      name: 'proxies on 1.4 with only the other old Deployments (galley, policy, ...) at 0: not urgent',
      documents: [
        ...running16,
        ...oldControlPlane(0).map((d) =>
          ['istio-pilot', 'istio-citadel'].includes((d.metadata as { name: string }).name)
            ? workload('Deployment', 'istio-system', (d.metadata as { name: string }).name, { replicas: 1 })
            : d,
        ),
        sidecarPod('shop', 'web', OLD),
      ],
      reason: 'proxies still use the 1.4 control plane (1 workload pod',
    },
    {
      name: 'workloads and gateway pods on 1.4: both counted',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'a', OLD),
        sidecarPod('shop', 'b', OLD),
        gatewayPod(OLD),
        gatewayPod(OLD, 'istio-ingressgateway-b4f8986c4-k2x9q'),
      ],
      reason:
        'proxies still use the 1.4 control plane (2 workload pods and 2 ingress gateway pods on a version before 1.6)',
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
      name: 'six namespaces still on istio-injection=enabled: sorted, five named, the rest counted',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'web', NEW),
        ...injecting('ns-f', 'ns-c', 'ns-a', 'ns-e', 'ns-b', 'ns-d'),
      ],
      reason: `namespaces ns-a, ns-b, ns-c, ns-d, ns-e and 1 more still have ${INJECTOR_WEBHOOK}`,
    },
    {
      name: 'exactly five namespaces still on istio-injection=enabled: all named',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'web', NEW),
        ...injecting('ns-e', 'ns-d', 'ns-c', 'ns-b', 'ns-a'),
      ],
      reason: `namespaces ns-a, ns-b, ns-c, ns-d, ns-e still have ${INJECTOR_WEBHOOK}`,
    },
    {
      name: 'no 1.6 istiod is ready',
      documents: [namespace('istio-system'), ...oldControlPlane(1)],
      reason:
        'no Istio 1.6 control plane (istiod with an istio.io/rev label) is ready: the 1.4 control plane is still ' +
        'the only one',
    },
    {
      name: 'no 1.4 control plane',
      documents: [...running16, sidecarPod('shop', 'web', NEW)],
      reason: 'no Deployment of the 1.4 control plane',
    },
    {
      name: 'no Deployment in istio-system at all',
      documents: [namespace('istio-system'), sidecarPod('shop', 'web', NEW)],
      reason: 'no Deployment of the 1.4 control plane in istio-system',
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
      reason: `${UNREADABLE} shop/custom has no version tag`,
    },
    {
      name: 'three sidecars whose image has no version tag: all named',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'u1', 'dev'),
        sidecarPod('shop', 'u2', 'dev'),
        sidecarPod('shop', 'u3', 'dev'),
      ],
      reason: `${UNREADABLE} shop/u1, shop/u2, shop/u3 has no version tag`,
    },
    {
      name: 'four sidecars whose image has no version tag: three named, then an ellipsis',
      documents: [
        ...running16,
        ...oldControlPlane(1),
        sidecarPod('shop', 'u1', 'dev'),
        sidecarPod('shop', 'u2', 'dev'),
        sidecarPod('shop', 'u3', 'dev'),
        sidecarPod('shop', 'u4', 'dev'),
      ],
      reason: `${UNREADABLE} shop/u1, shop/u2, shop/u3, … has no version tag`,
    },
  ],
});

describe('old-control-plane-scaledown', () => {
  it('keys a scaled-down-too-early finding apart from the scale-down step on the same Deployment', async () => {
    const result = await evaluateRule(rule, {
      name: 'keys',
      documents: [
        ...running16,
        ...oldControlPlane(1).map((d) =>
          (d.metadata as { name: string }).name === 'istio-pilot'
            ? workload('Deployment', 'istio-system', 'istio-pilot', { replicas: 0 })
            : d,
        ),
        sidecarPod('shop', 'web', OLD),
      ],
    });
    const [finding] = result.findings;
    expect(finding?.resource.name).toBe('istio-pilot');
    expect(finding?.fingerprint).toBe(
      fingerprintOf(
        rule.id,
        finding?.resource ?? { apiVersion: '', kind: '', name: '' },
        'scaled-down-too-early',
      ),
    );
  });

  it('is a step: its info findings keep the retire-old-control-plane phase to do', async () => {
    const result = await evaluateRule(rule, { name: 'step', fixtures: ['fail-old-replicas.yaml'] });
    expect(result.findings.map((f) => f.severity)).toEqual(['info', 'info', 'info']);
    const phases = phaseStatuses('istio-1.6', [result], new Map([[rule.id, rule]]));
    expect(phases.find((p) => p.id === 'retire-old-control-plane')?.status).toBe('todo');
  });
});
