import { describe, expect, it } from 'vitest';
import rule from '../../rules/ingress-gateway-revision.ts';
import { istiod, istioOperator, namespace, pod, sidecarPod, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const OLD = '1.4.10-gke.4';
const NEW = '1.6.11-gke.0';
const running16 = istiod('istio-1611', NEW);
const gatewaySpec = (enabled: boolean | undefined, profile = 'default') => ({
  profile,
  revision: 'istio-1611',
  components: {
    ingressGateways: [
      { name: 'istio-ilbgateway', enabled: false },
      { name: 'istio-ingressgateway', ...(enabled === undefined ? {} : { enabled }) },
    ],
  },
});
const operatorWith = (enabled: boolean | undefined, profile?: string) =>
  istioOperator('istio-1-6-11-gke-0', { spec: gatewaySpec(enabled, profile), status: 'HEALTHY' });
const gatewayDeployment = workload('Deployment', 'istio-system', 'istio-ingressgateway', { uid: 'uid-gw' });
const gatewayPod = (name: string, version: string) =>
  sidecarPod('istio-system', name, version, {
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway', 'pod-template-hash': 'b4f8986c4' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'istio-ingressgateway-b4f8986c4', controller: true },
    ],
  });

ruleTester(rule, {
  pass: [
    {
      name: 'components.ingressGateways enabled and gateway pods on 1.6 (fixture)',
      fixtures: ['pass-gateway-on-1.6.yaml'],
    },
    {
      name: 'an entry without `enabled` follows the default profile, which enables the gateway',
      documents: [
        ...running16,
        operatorWith(undefined),
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', NEW),
      ],
    },
    {
      name: 'no ingressGateways list: the default profile enables the gateway',
      documents: [istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'default' } })],
    },
    {
      name: "istioctl's installed-state copy is ignored",
      documents: [
        operatorWith(true),
        istioOperator('installed-state-istio-1611', {
          spec: { profile: 'empty', components: { ingressGateways: [] } },
        }),
      ],
    },
  ],
  fail: [
    {
      name: 'spec.components.ingressGateways[istio-ingressgateway] enabled: false, gateway on 1.4 (fixture)',
      fixtures: ['fail-gateway-disabled.yaml'],
      findings: [
        {
          message:
            /^IstioOperator istio-system\/istio-1-6-11-gke-0 has ingressGateways\[0\] \(istio-ingressgateway\) with enabled: false.*The gateway still runs the 1\.4 add-on's \(2 pods on 1\.4\.10-gke\.4\)/,
          severity: 'warning',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          fix: { action: 'enable-operator-gateway', params: { operator: 'istio-1-6-11-gke-0', index: 0 } },
        },
      ],
    },
    {
      name: 'the fix points at the index of the istio-ingressgateway entry',
      documents: [...running16, operatorWith(false)],
      findings: [{ fix: { action: 'enable-operator-gateway', params: { index: 1 } } }],
    },
    {
      name: 'no istio-ingressgateway entry and a profile that does not enable it: no index to patch',
      documents: [
        istioOperator('istio-1-6-11-gke-0', {
          spec: { profile: 'minimal', components: { ingressGateways: [] } },
        }),
      ],
      findings: [
        {
          message:
            'has no ingressGateways entry named istio-ingressgateway (profile minimal does not enable it)',
        },
      ],
    },
    {
      name: 'enabled in the IstioOperator but gateway pods still run a 1.4 image',
      documents: [
        ...running16,
        operatorWith(true),
        gatewayDeployment,
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD),
        gatewayPod('istio-ingressgateway-b4f8986c4-k2x9q', OLD),
      ],
      findings: [
        {
          message:
            'Deployment istio-system/istio-ingressgateway: 2 pods of the ingress gateway still run 1.4.10-gke.4 although IstioOperator istio-1-6-11-gke-0 enables the 1.6 gateway',
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istio-ingressgateway' },
          fix: { action: 'enable-operator-gateway', params: { index: 1 } },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'no IstioOperator: the 1.6 operator is not installed yet',
      documents: [namespace('istio-system'), gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD)],
      reason: 'no IstioOperator in istio-system',
    },
    {
      name: 'an IstioOperator outside istio-system does not count',
      documents: [istioOperator('sandbox', { namespace: 'sandbox', spec: gatewaySpec(false) })],
      reason: 'no IstioOperator in istio-system',
    },
  ],
  unknown: [
    {
      name: 'IstioOperators not collected',
      documents: [pod('istio-system', 'x', [])],
      notCollected: { istiooperators: 'the API group install.istio.io is forbidden' },
      reason: 'IstioOperators not collected',
    },
    {
      name: 'a gateway image without a version tag',
      documents: [operatorWith(true), gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', 'latest')],
      reason: 'has no version tag',
    },
  ],
});

describe('ingress-gateway-revision targets', () => {
  it('runs only for istio-1.6 (ASM replaces the gateway itself)', async () => {
    await expect(evaluateRule(rule, { name: 'asm', target: 'asm-1.7', documents: [] })).rejects.toThrow(
      /did not run for target asm-1\.7/,
    );
  });
});
