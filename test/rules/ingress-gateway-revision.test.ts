import { describe, expect, it } from 'vitest';
import rule from '../../rules/ingress-gateway-revision.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
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

/** A gateway pod with no owner (the workload is the pod itself). */
const bareGatewayPod = (name: string, version: string) =>
  sidecarPod('istio-system', name, version, { labels: { app: 'istio-ingressgateway' } });
const NOT_MOVED = 'so the ingress gateway is not moved to Istio 1.6.';
const ADD_ENTRY = ' Add {name: istio-ingressgateway, enabled: true} under spec.components.ingressGateways.';
const OPERATOR = 'IstioOperator istio-system/istio-1-6-11-gke-0';

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
      name: 'no ingressGateways list: the demo profile enables the gateway',
      documents: [istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'demo' } })],
    },
    {
      name: 'no ingressGateways list: the preview profile enables the gateway',
      documents: [istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'preview' } })],
    },
    {
      name: 'no ingressGateways list and no profile: the default profile applies',
      documents: [istioOperator('istio-1-6-11-gke-0', { spec: { revision: 'istio-1611' } })],
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
            `${OPERATOR} has ingressGateways[0] (istio-ingressgateway) with enabled: false, ${NOT_MOVED} The gateway ` +
            "still runs the 1.4 add-on's (2 pods on 1.4.10-gke.4). Set spec.components.ingressGateways[0].enabled to true.",
          severity: 'warning',
          resource: { kind: 'IstioOperator', namespace: 'istio-system', name: 'istio-1-6-11-gke-0' },
          fix: { action: 'enable-operator-gateway', params: { operator: 'istio-1-6-11-gke-0', index: 0 } },
        },
      ],
    },
    {
      name: 'the fix points at the index of the istio-ingressgateway entry',
      documents: [...running16, operatorWith(false)],
      findings: [
        {
          message:
            `${OPERATOR} has ingressGateways[1] (istio-ingressgateway) with enabled: false, ${NOT_MOVED} Set ` +
            'spec.components.ingressGateways[1].enabled to true.',
          fix: { action: 'enable-operator-gateway', params: { index: 1 } },
        },
      ],
    },
    {
      name: 'an entry without `enabled` under a profile that does not enable it; 1.4 pods of two builds, in release order (1.4.6 before 1.4.10)',
      documents: [
        ...running16,
        operatorWith(undefined, 'minimal'),
        gatewayDeployment,
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', '1.4.6-gke.0'),
        gatewayPod('istio-ingressgateway-b4f8986c4-k2x9q', OLD),
      ],
      findings: [
        {
          message:
            `${OPERATOR} has ingressGateways[1] (istio-ingressgateway) with enabled: unset, ${NOT_MOVED} The gateway ` +
            "still runs the 1.4 add-on's (2 pods on 1.4.6-gke.0, 1.4.10-gke.4). Set " +
            'spec.components.ingressGateways[1].enabled to true.',
          fix: { action: 'enable-operator-gateway', params: { index: 1 } },
        },
      ],
    },
    {
      name: 'no components at all and a profile that does not enable the gateway; one 1.4 pod',
      documents: [
        istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'minimal' } }),
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD),
      ],
      findings: [
        {
          message:
            `${OPERATOR} has no ingressGateways entry named istio-ingressgateway (profile minimal does not enable ` +
            `it), ${NOT_MOVED} The gateway still runs the 1.4 add-on's (1 pod on 1.4.10-gke.4).${ADD_ENTRY}`,
          fix: null,
        },
      ],
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
            `${OPERATOR} has no ingressGateways entry named istio-ingressgateway (profile minimal does not enable ` +
            `it), ${NOT_MOVED}${ADD_ENTRY}`,
          fix: null,
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
            'Deployment istio-system/istio-ingressgateway: 2 pods of the ingress gateway still run 1.4.10-gke.4 ' +
            'although IstioOperator istio-1-6-11-gke-0 enables the 1.6 gateway. Check that the operator is healthy ' +
            'and has re-created the gateway pods.',
          resource: { kind: 'Deployment', namespace: 'istio-system', name: 'istio-ingressgateway' },
          fix: { action: 'enable-operator-gateway', params: { index: 1 } },
        },
      ],
    },
    {
      name: 'enabled at ingressGateways[0]: one finding per gateway workload on 1.4, an untagged gateway pod aside',
      documents: [
        ...running16,
        istioOperator('istio-1-6-11-gke-0', {
          spec: {
            profile: 'default',
            components: { ingressGateways: [{ name: 'istio-ingressgateway', enabled: true }] },
          },
        }),
        gatewayDeployment,
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD),
        bareGatewayPod('istio-ingressgateway-manual', '1.4.6-gke.0'),
        bareGatewayPod('istio-ingressgateway-dev', 'latest'),
      ],
      findings: [
        {
          message:
            'Deployment istio-system/istio-ingressgateway: 1 pod of the ingress gateway still runs 1.4.10-gke.4 ' +
            'although IstioOperator istio-1-6-11-gke-0 enables the 1.6 gateway. Check that the operator is healthy ' +
            'and has re-created the gateway pods.',
          resource: { kind: 'Deployment', name: 'istio-ingressgateway' },
          fix: { action: 'enable-operator-gateway', params: { operator: 'istio-1-6-11-gke-0', index: 0 } },
        },
        {
          message:
            'Pod istio-system/istio-ingressgateway-manual: 1 pod of the ingress gateway still runs 1.4.6-gke.0',
          resource: { kind: 'Pod', name: 'istio-ingressgateway-manual' },
          fix: { action: 'enable-operator-gateway', params: { index: 0 } },
        },
      ],
    },
    {
      name: 'enabled by the default profile without a list entry, gateway pod on 1.4: no entry to patch, no fix',
      documents: [
        ...running16,
        istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'default' } }),
        gatewayDeployment,
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD),
      ],
      findings: [
        {
          message:
            'Deployment istio-system/istio-ingressgateway: 1 pod of the ingress gateway still runs 1.4.10-gke.4',
          fix: null,
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
      reason: 'the image of ingress gateway pod istio-ingressgateway-b4f8986c4-dbr6c has no version tag',
    },
    {
      name: 'two gateway images without a version tag: both named',
      documents: [
        operatorWith(true),
        gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', 'latest'),
        gatewayPod('istio-ingressgateway-b4f8986c4-k2x9q', 'dev'),
      ],
      reason:
        'the image of ingress gateway pod istio-ingressgateway-b4f8986c4-dbr6c, istio-ingressgateway-b4f8986c4-k2x9q ' +
        'has no version tag',
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

describe('ingress-gateway-revision fingerprints', () => {
  it.each([
    ['a disabled entry', [operatorWith(false)], 'gateway-disabled'],
    ['no entry', [istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'minimal' } })], 'gateway-disabled'],
    [
      'gateway pods on 1.4',
      [operatorWith(true), gatewayDeployment, gatewayPod('istio-ingressgateway-b4f8986c4-dbr6c', OLD)],
      'gateway-pods-on-1.4',
    ],
  ])('%s: keyed %s so that baselines keep matching', async (_name, documents, key) => {
    const result = await evaluateRule(rule, { name: 'keys', documents });
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.fingerprint).toBe(
      fingerprintOf(rule.id, finding?.resource ?? { apiVersion: '', kind: '', name: '' }, key),
    );
  });
});
