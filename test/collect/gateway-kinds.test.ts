/**
 * The kinds gateway-port-changes reads (security.istio.io AuthorizationPolicy, networking.k8s.io
 * NetworkPolicy, cloud.google.com BackendConfig), collected live from the test API server: each
 * object arrives stripped with its spec, an API group the cluster does not serve is "absent" (no
 * request made), and a 403 leaves the part not collected so the rule says unknown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import type { Fault } from '../helpers/kube-api-server.ts';
import { type DemoCluster, startDemoCluster } from './demo-cluster.ts';

const AUTHZ = {
  apiVersion: 'security.istio.io/v1beta1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'gateway-allow-http', namespace: 'istio-system' },
  spec: {
    selector: { matchLabels: { istio: 'ingressgateway' } },
    action: 'ALLOW',
    rules: [{ to: [{ operation: { ports: ['80'] } }] }],
  },
};
const NETPOL = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'gateway-ingress', namespace: 'istio-system' },
  spec: {
    podSelector: { matchLabels: { app: 'istio-ingressgateway' } },
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ port: 80 }, { port: 443 }] }],
  },
};
const BACKEND_CONFIG = {
  apiVersion: 'cloud.google.com/v1beta1',
  kind: 'BackendConfig',
  metadata: { name: 'gateway-health', namespace: 'istio-system' },
  spec: { healthCheck: { type: 'HTTP', port: 15020, requestPath: '/healthz/ready' } },
};

let cluster: DemoCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function collect(extraObjects: readonly Record<string, unknown>[], faults: readonly Fault[] = []) {
  cluster = await startDemoCluster('addon-1.4', { extraObjects });
  for (const fault of faults) cluster.kube.addFault(fault);
  const snapshot = await collectLiveSnapshot(
    {
      kubeconfig: cluster.kubeconfig,
      containerApiEndpoint: cluster.google.url,
      computeApiEndpoint: cluster.google.url,
    },
    { env: {} },
  );
  return { snapshot, requests: cluster.kube.requests.map((r) => r.path) };
}

function ruleStatus(snapshot: ClusterSnapshot, ruleId: string) {
  const report = runRules(snapshot, {
    rules: RULES,
    target: 'istio-1.6',
    toolVersion: '0.0.0',
    now: new Date(),
  });
  return report.results.find((r) => r.ruleId === ruleId);
}

describe('collecting AuthorizationPolicies, NetworkPolicies and BackendConfigs', () => {
  it('lists each kind once and keeps its spec (BackendConfig from v1beta1 when the cluster serves no v1)', async () => {
    const { snapshot, requests } = await collect([AUTHZ, NETPOL, BACKEND_CONFIG]);
    expect(requests).toContain('/apis/security.istio.io/v1beta1/authorizationpolicies');
    expect(requests).toContain('/apis/networking.k8s.io/v1/networkpolicies');
    expect(requests).toContain('/apis/cloud.google.com/v1beta1/backendconfigs');
    expect(snapshot.kube.authorizationpolicies).toEqual([
      expect.objectContaining({ kind: 'AuthorizationPolicy', spec: AUTHZ.spec }),
    ]);
    expect(snapshot.kube.networkpolicies).toEqual([
      expect.objectContaining({ kind: 'NetworkPolicy', spec: NETPOL.spec }),
    ]);
    expect(snapshot.kube.backendconfigs).toEqual([
      expect.objectContaining({ kind: 'BackendConfig', spec: BACKEND_CONFIG.spec }),
    ]);
    for (const part of ['authorizationpolicies', 'networkpolicies', 'backendconfigs'] as const) {
      expect(snapshot.coverage[part]).toEqual({ collected: true });
    }
  });

  it('takes an API group the cluster does not serve for an absent kind', async () => {
    const { snapshot, requests } = await collect([NETPOL]);
    // The 1.4 add-on demo has neither group: discovery says so, and nothing is requested.
    expect(snapshot.coverage.authorizationpolicies).toEqual({
      collected: true,
      note: 'authorizationpolicies.security.istio.io is not installed (security.istio.io/v1beta1 is not served)',
    });
    expect(snapshot.coverage.backendconfigs).toEqual({
      collected: true,
      note: 'backendconfigs.cloud.google.com is not installed (cloud.google.com/v1 is not served)',
    });
    expect(requests.filter((p) => /^\/apis\/(cloud\.google\.com|security\.istio\.io)\//.test(p))).toEqual([]);
    expect(snapshot.kube.networkpolicies).toHaveLength(1);
  });

  it('leaves a forbidden kind not collected, and gateway-port-changes unknown', async () => {
    const { snapshot } = await collect(
      [AUTHZ, NETPOL, BACKEND_CONFIG],
      [{ path: '/apis/networking.k8s.io/v1/networkpolicies', status: 403 }],
    );
    expect(snapshot.coverage.networkpolicies).toEqual({
      collected: false,
      reason: expect.stringContaining(
        'permission denied (HTTP 403) to list networkpolicies.networking.k8s.io',
      ),
    });
    const result = ruleStatus(snapshot, 'gateway-port-changes');
    expect(result?.status).toBe('unknown');
    expect(result?.reason).toContain('networkpolicies.networking.k8s.io');
  });
});
