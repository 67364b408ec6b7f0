/**
 * The gateway port gates (SPEC §9), run for real: remediate.sh --apply with the real kubectl
 * against the test API server and the REAL gcloud against the test GKE and Compute APIs. The step
 * that enables the 1.6 gateway (the IstioOperator change for istio-1.6; install_asm, which installs
 * the ASM gateway, for the ASM targets) reads the NetworkPolicies, AuthorizationPolicies,
 * BackendConfigs and firewall rules again, and stops the phase (exit 1) naming each open item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleApiServer, startGoogleApiServer } from '../helpers/google-api-server.ts';
import type { ServedResource } from '../helpers/kube-api-server.ts';
import { gkeCluster } from '../helpers/objects.ts';
import {
  applyScript,
  deployment,
  istiod,
  namespace,
  OLD_PROXY,
  OPERATOR,
  OPERATOR_PATH,
  OPERATOR_PROXY,
  oldControlPlane,
  operatorProfile,
  pod,
  type Raw,
  scanOf,
  TIMEOUT,
} from './apply-run.ts';
import { CLUSTER, realisticReport } from './reports.ts';

const GATEWAY_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
const NETWORK = `https://www.googleapis.com/compute/v1/projects/${CLUSTER.project}/global/networks/default`;
const RESOURCES: readonly ServedResource[] = [
  {
    group: 'security.istio.io',
    version: 'v1beta1',
    resource: 'authorizationpolicies',
    kind: 'AuthorizationPolicy',
    namespaced: true,
  },
  {
    group: 'cloud.google.com',
    version: 'v1',
    resource: 'backendconfigs',
    kind: 'BackendConfig',
    namespaced: true,
  },
];

const operator: Raw = {
  apiVersion: 'install.istio.io/v1alpha1',
  kind: 'IstioOperator',
  metadata: { name: OPERATOR, namespace: 'istio-system' },
  spec: {
    profile: 'default',
    revision: 'istio-1611',
    components: { ingressGateways: [{ name: 'istio-ingressgateway', enabled: false }] },
  },
  status: { status: 'HEALTHY' },
};
const gateway14: Raw = {
  ...pod('istio-system', 'istio-ingressgateway', OLD_PROXY),
  metadata: { name: 'istio-ingressgateway-1', namespace: 'istio-system', labels: GATEWAY_LABELS },
};
function service(
  name: string,
  selector: Record<string, string>,
  annotations: Record<string, string> = {},
): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'istio-system', annotations },
    spec: { selector, ports: [{ name: 'http2', port: 80, targetPort: 80 }] },
  };
}
const networkPolicy = (
  name: string,
  ports: number[],
  podSelector: Raw = { matchLabels: { istio: 'ingressgateway' } },
) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'istio-system' },
  spec: {
    podSelector,
    policyTypes: ['Ingress'],
    ingress: [{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
  },
});
const authorizationPolicy = (name: string, ports: string[]) => ({
  apiVersion: 'security.istio.io/v1beta1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: 'istio-system' },
  spec: {
    selector: { matchLabels: { app: 'istio-ingressgateway' } },
    rules: [{ to: [{ operation: { ports } }] }],
  },
});
const backendConfig = (name: string, port: number, annotations: Record<string, string> = {}) => ({
  apiVersion: 'cloud.google.com/v1',
  kind: 'BackendConfig',
  metadata: { name, namespace: 'istio-system', annotations },
  spec: { healthCheck: { type: 'HTTP', port, requestPath: '/healthz/ready' } },
});
const firewall = (name: string, ports: string[]) => ({
  name,
  network: NETWORK,
  direction: 'INGRESS',
  disabled: false,
  sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'],
  allowed: [{ IPProtocol: 'tcp', ports }],
});

/** Every workload on 1.6, the old control plane still up: the gateway is what moves next. */
const base: Raw[] = [
  namespace('istio-system'),
  namespace('shop', { 'istio.io/rev': 'istio-1611' }),
  istiod('istio-1611'),
  ...oldControlPlane(1),
  operator,
  deployment('shop', 'cart'),
  pod('shop', 'cart', OPERATOR_PROXY, 'istio-1611'),
  gateway14,
  service('istio-ingressgateway', GATEWAY_LABELS),
];
/** The gateway TODOs half done: the NetworkPolicy has the new ports, the rest not yet. */
const halfDone: Raw[] = [
  ...base,
  networkPolicy('gateway-ingress', [80, 8080, 443, 8443, 15020, 15021]),
  authorizationPolicy('gateway-allow-web', ['80', '443']),
  service(
    'gateway-internal',
    { istio: 'ingressgateway' },
    { 'cloud.google.com/backend-config': '{"default": "internal-health"}' },
  ),
  backendConfig('internal-health', 15020),
];
/**
 * The same, every TODO done: the new ports beside the old ones, and the BackendConfig (one port)
 * kept on 15020, which the 1.4 and the 1.6 gateway pods both answer, and acknowledged.
 */
const allDone: Raw[] = [
  ...base,
  networkPolicy('gateway-ingress', [80, 8080, 443, 8443, 15020, 15021]),
  authorizationPolicy('gateway-allow-web', ['80', '8080', '443', '8443']),
  service(
    'gateway-internal',
    { istio: 'ingressgateway' },
    { 'cloud.google.com/backend-config': '{"default": "internal-health"}' },
  ),
  backendConfig('internal-health', 15020, {
    'meshready.dev/ignore': 'gateway-port-changes',
    'meshready.dev/ignore-reason': '15020 answers for both gateways until 1.4 retires',
  }),
];
const OPEN_FIREWALL = [firewall('allow-lb-health', ['80', '15020'])];
const DONE_FIREWALL = [firewall('allow-lb-health', ['80', '15020', '15021'])];

let google: GoogleApiServer;
let firewalls: Raw[] = [];
beforeAll(async () => {
  google = await startGoogleApiServer({
    clusters: [
      {
        project: CLUSTER.project,
        location: CLUSTER.location,
        cluster: gkeCluster({
          networkConfig: { network: `projects/${CLUSTER.project}/global/networks/default` },
        }),
      },
    ],
    // Read on each request: a test sets the rules its cluster has.
    firewalls: {
      get [CLUSTER.project]() {
        return firewalls;
      },
    },
  });
});
afterAll(async () => {
  await google.close();
});

const enablesGateway = (changes: readonly string[]) =>
  changes.some((c) => c.startsWith(`PATCH ${OPERATOR_PATH}`));
/** Whether the last run read the firewall rules through gcloud (the gate's firewall check). */
let readFirewalls = false;
async function run(report: ReturnType<typeof scanOf>, state: readonly Raw[], rules: Raw[]) {
  firewalls = rules;
  const before = google.requests.length;
  const result = await applyScript(report, state, ['--apply', '--yes'], [], { resources: RESOURCES, google });
  readFirewalls = google.requests
    .slice(before)
    .some((r) => r.path === `/compute/v1/projects/${CLUSTER.project}/global/firewalls`);
  return result;
}

describe('migrate-gateway (istio-1.6): the 1.6 gateway is enabled only once nothing names only the 1.4 ports', () => {
  const scanned = scanOf('istio-1.6', halfDone, [[...OPEN_FIREWALL]]);

  it('the scan has migrate-gateway current, with the three open items', () => {
    expect(scanned.currentPhase).toBe('migrate-gateway');
    const open = scanned.results.find((r) => r.ruleId === 'gateway-port-changes')?.findings ?? [];
    expect(open.map((f) => `${f.resource.kind} ${f.resource.name}`).sort()).toEqual([
      'AuthorizationPolicy gateway-allow-web',
      'BackendConfig internal-health',
      'Firewall allow-lb-health',
    ]);
  });

  it(
    'TODOs half done: the phase stops, exit 1, naming each open item; the operator is not touched',
    async () => {
      const result = await run(scanned, halfDone, OPEN_FIREWALL);
      expect(result.status).toBe(1);
      expect(enablesGateway(result.changes)).toBe(false);
      expect(result.stdout).toContain(
        'open: AuthorizationPolicy istio-system/gateway-allow-web applies to the gateway and lists 80/443 without 8080/8443',
      );
      expect(result.stdout).toContain(
        'open: BackendConfig istio-system/internal-health (attached to Service gateway-internal) health-checks 15020: keep it (1.4 and 1.6 gateway pods both answer /healthz/ready there) and acknowledge it with the annotation meshready.dev/ignore=gateway-port-changes',
      );
      expect(result.stdout).toContain(
        'open: firewall rule allow-lb-health opens tcp:15020 but not tcp:15021',
      );
      expect(result.stdout).not.toContain('NetworkPolicy istio-system/gateway-ingress');
      expect(result.stdout).toContain(
        'A check stopped the last phase before its later steps (see Withheld): exit status 1.',
      );
      // The firewall rules were read through gcloud, from the cluster's network.
      expect(readFirewalls).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'all done since the scan (the new ports beside the old ones): the gateway is enabled',
    async () => {
      const result = await run(scanned, allDone, DONE_FIREWALL);
      expect(result.status, result.stderr).toBe(0);
      expect(readFirewalls).toBe(true);
      expect(result.changes).toEqual([
        expect.stringMatching(
          new RegExp(
            `^PATCH ${OPERATOR_PATH} .*"op":"add","path":"/spec/components/ingressGateways/0/enabled","value":true`,
          ),
        ),
      ]);
    },
    TIMEOUT,
  );

  it(
    'only the firewall rule left open: it alone is named, and the phase stops',
    async () => {
      const result = await run(scanned, allDone, OPEN_FIREWALL);
      expect(result.status).toBe(1);
      expect(enablesGateway(result.changes)).toBe(false);
      expect(result.stdout.match(/ {4}open: /g)).toHaveLength(1);
      expect(result.stdout).toContain(
        'open: firewall rule allow-lb-health opens tcp:15020 but not tcp:15021',
      );
    },
    TIMEOUT,
  );

  it(
    'a NetworkPolicy created after the scan, selecting the gateway by expression with 80/443/15020 only: stops',
    async () => {
      const added = networkPolicy('late-lockdown', [80, 443, 15020], {
        matchExpressions: [{ key: 'app', operator: 'In', values: ['istio-ingressgateway'] }],
      });
      const clean = scanOf('istio-1.6', allDone, [[...DONE_FIREWALL]]);
      // Nothing open: the BackendConfig kept on 15020 is acknowledged, so the scan suppresses it.
      const findings = clean.results.find((r) => r.ruleId === 'gateway-port-changes')?.findings ?? [];
      expect(findings.map((f) => [f.resource.name, f.suppressed?.source])).toEqual([
        ['internal-health', 'annotation'],
      ]);
      const result = await run(clean, [...allDone, added], DONE_FIREWALL);
      expect(result.status).toBe(1);
      expect(enablesGateway(result.changes)).toBe(false);
      expect(result.stdout).toContain(
        'open: NetworkPolicy istio-system/late-lockdown selects the gateway pods and admits the 1.4 ports but not 8080 8443 15021',
      );
    },
    TIMEOUT,
  );
});

describe('asm-install (asm-1.7): install_asm, which installs the ASM gateway, is held the same way', () => {
  const disabled: Raw = { ...operator, spec: { ...(operator.spec as Raw), profile: 'disabled' } };
  const withDisabled = (state: readonly Raw[]) => state.map((o) => (o === operator ? disabled : o));
  // Planned before the operator was disabled: its install step follows the operator step.
  const stale = realisticReport('asm-1.7', [operatorProfile('disabled')]);

  it(
    'TODOs half done: the phase stops before the install_asm TODO is even printed',
    async () => {
      const result = await run(stale, withDisabled(halfDone), OPEN_FIREWALL);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('open: firewall rule allow-lb-health');
      expect(result.stdout).not.toContain('install_asm --project_id');
    },
    TIMEOUT,
  );

  it(
    'all done: the install_asm TODO is printed',
    async () => {
      const result = await run(stale, withDisabled(allDone), DONE_FIREWALL);
      expect(result.status, result.stderr).toBe(0);
      expect(readFirewalls).toBe(true);
      expect(result.stdout).toContain('./install_asm --project_id acme-prod');
    },
    TIMEOUT,
  );
});
