/**
 * One table of cases for a predicate that TypeScript decides at scan time and bash decides again
 * at run time (STYLE §15): whether an object that lets traffic reach the ingress gateway still
 * names only the 1.4 gateway ports (80/443, status 15020). TypeScript: the rule
 * gateway-port-changes. Bash: the gate `gateway_ports_ready` of remediate.sh (SPEC §9). Every case
 * is an object of istio-system (or a firewall rule) with a name of its own, and `open` says
 * whether it is an open item; the test runs all of them through both.
 *
 * The gateway pods both languages look at carry GATEWAY_POD_LABELS.
 */

type Raw = Record<string, unknown>;

export const GATEWAY_POD_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway', version: 'v14' };

export interface GatewayPortCase {
  /** The name of the object the case is about (unique in the table). */
  readonly name: string;
  readonly kind: 'NetworkPolicy' | 'AuthorizationPolicy' | 'BackendConfig' | 'Firewall';
  /** Whether it still names only the 1.4 ports (a finding, and an open item of the gate). */
  readonly open: boolean;
  /** Kubernetes objects of the case (a BackendConfig comes with the Service that attaches it). */
  readonly objects?: readonly Raw[];
  /** A Compute firewall rule, as `gcloud compute firewall-rules list --format=json` prints it. */
  readonly firewall?: Raw;
}

export const NETWORK = 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/default';

function networkPolicy(
  name: string,
  podSelector: Raw,
  ingress: readonly Raw[] | undefined,
  types?: string[],
): Raw {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'istio-system' },
    spec: { podSelector, ...(types ? { policyTypes: types } : {}), ...(ingress ? { ingress } : {}) },
  };
}
const tcp = (...ports: number[]) => [{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }];
const gatewaySelector = { matchLabels: { istio: 'ingressgateway' } };

function authorizationPolicy(name: string, selector: Raw | undefined, operation: Raw): Raw {
  return {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'istio-system' },
    spec: { ...(selector ? { selector } : {}), rules: [{ to: [{ operation }] }] },
  };
}

function attached(
  name: string,
  port: number,
  selector: Record<string, string> | undefined,
  annotation = 'cloud.google.com/backend-config',
  value = `{"default": "${name}"}`,
): Raw[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${name}`, namespace: 'istio-system', annotations: { [annotation]: value } },
      spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http2', port: 80 }] },
    },
    {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: { name, namespace: 'istio-system' },
      spec: { healthCheck: { type: 'HTTP', port, requestPath: '/healthz/ready' } },
    },
  ];
}

function firewall(name: string, allowed: readonly Raw[], extra: Raw = {}): Raw {
  return {
    name,
    network: NETWORK,
    direction: 'INGRESS',
    disabled: false,
    sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'],
    allowed,
    ...extra,
  };
}

export const GATEWAY_PORT_CASES: readonly GatewayPortCase[] = [
  // ---- NetworkPolicies of istio-system
  {
    name: 'np-old-only',
    kind: 'NetworkPolicy',
    open: true,
    objects: [networkPolicy('np-old-only', gatewaySelector, tcp(80, 443, 15020))],
  },
  {
    name: 'np-both',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-both', gatewaySelector, tcp(80, 8080, 443, 8443, 15020, 15021))],
  },
  {
    name: 'np-status-only',
    kind: 'NetworkPolicy',
    open: true,
    objects: [networkPolicy('np-status-only', gatewaySelector, tcp(15020))],
  },
  {
    name: 'np-rule-without-ports',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-rule-without-ports', gatewaySelector, [{}])],
  },
  {
    name: 'np-range-covers-both',
    kind: 'NetworkPolicy',
    open: false,
    objects: [
      networkPolicy('np-range-covers-both', gatewaySelector, [{ ports: [{ port: 80, endPort: 16000 }] }]),
    ],
  },
  {
    name: 'np-range-ends-at-15020',
    kind: 'NetworkPolicy',
    open: true,
    objects: [
      networkPolicy('np-range-ends-at-15020', gatewaySelector, [
        { ports: [{ protocol: 'TCP', port: 15000, endPort: 15020 }] },
      ]),
    ],
  },
  {
    name: 'np-udp-only',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-udp-only', gatewaySelector, [{ ports: [{ protocol: 'UDP', port: 80 }] }])],
  },
  {
    name: 'np-named-port',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-named-port', gatewaySelector, [{ ports: [{ port: 'http2' }] }])],
  },
  {
    name: 'np-other-pods',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-other-pods', { matchLabels: { app: 'web' } }, tcp(80))],
  },
  {
    name: 'np-two-labels',
    kind: 'NetworkPolicy',
    open: true,
    objects: [
      networkPolicy(
        'np-two-labels',
        { matchLabels: { app: 'istio-ingressgateway', version: 'v14' } },
        tcp(443),
      ),
    ],
  },
  {
    name: 'np-label-mismatch',
    kind: 'NetworkPolicy',
    open: false,
    objects: [
      networkPolicy(
        'np-label-mismatch',
        { matchLabels: { app: 'istio-ingressgateway', version: 'v16' } },
        tcp(443),
      ),
    ],
  },
  {
    name: 'np-expression-in',
    kind: 'NetworkPolicy',
    open: true,
    objects: [
      networkPolicy(
        'np-expression-in',
        { matchExpressions: [{ key: 'istio', operator: 'In', values: ['ingressgateway', 'egressgateway'] }] },
        tcp(80),
      ),
    ],
  },
  {
    name: 'np-expression-notin',
    kind: 'NetworkPolicy',
    open: false,
    objects: [
      networkPolicy(
        'np-expression-notin',
        { matchExpressions: [{ key: 'istio', operator: 'NotIn', values: ['ingressgateway'] }] },
        tcp(80),
      ),
    ],
  },
  {
    name: 'np-expression-notin-other',
    kind: 'NetworkPolicy',
    open: true,
    objects: [
      networkPolicy(
        'np-expression-notin-other',
        { matchExpressions: [{ key: 'istio', operator: 'NotIn', values: ['pilot'] }] },
        tcp(80),
      ),
    ],
  },
  {
    name: 'np-expression-exists',
    kind: 'NetworkPolicy',
    open: true,
    objects: [
      networkPolicy(
        'np-expression-exists',
        { matchExpressions: [{ key: 'version', operator: 'Exists' }] },
        tcp(15020),
      ),
    ],
  },
  {
    name: 'np-expression-does-not-exist',
    kind: 'NetworkPolicy',
    open: false,
    objects: [
      networkPolicy(
        'np-expression-does-not-exist',
        { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
        tcp(80),
      ),
    ],
  },
  {
    name: 'np-labels-and-expression',
    kind: 'NetworkPolicy',
    open: false,
    objects: [
      networkPolicy(
        'np-labels-and-expression',
        {
          matchLabels: { istio: 'ingressgateway' },
          matchExpressions: [{ key: 'version', operator: 'In', values: ['v16'] }],
        },
        tcp(80),
      ),
    ],
  },
  {
    name: 'np-every-pod',
    kind: 'NetworkPolicy',
    open: true,
    objects: [networkPolicy('np-every-pod', {}, tcp(443))],
  },
  {
    name: 'np-egress-only',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-egress-only', {}, undefined, ['Egress'])],
  },
  {
    name: 'np-deny-all-ingress',
    kind: 'NetworkPolicy',
    open: false,
    objects: [networkPolicy('np-deny-all-ingress', gatewaySelector, undefined, ['Ingress'])],
  },
  // ---- AuthorizationPolicies of istio-system
  {
    name: 'az-80',
    kind: 'AuthorizationPolicy',
    open: true,
    objects: [authorizationPolicy('az-80', gatewaySelector, { ports: ['80'] })],
  },
  {
    name: 'az-both',
    kind: 'AuthorizationPolicy',
    open: false,
    objects: [authorizationPolicy('az-both', gatewaySelector, { ports: ['80', '8080', '443', '8443'] })],
  },
  {
    name: 'az-443',
    kind: 'AuthorizationPolicy',
    open: true,
    objects: [authorizationPolicy('az-443', gatewaySelector, { ports: ['443', '8080'] })],
  },
  {
    name: 'az-not-ports',
    kind: 'AuthorizationPolicy',
    open: true,
    objects: [authorizationPolicy('az-not-ports', gatewaySelector, { notPorts: ['80'] })],
  },
  {
    name: 'az-mesh-wide',
    kind: 'AuthorizationPolicy',
    open: true,
    objects: [authorizationPolicy('az-mesh-wide', undefined, { ports: ['80'] })],
  },
  {
    name: 'az-other-workload',
    kind: 'AuthorizationPolicy',
    open: false,
    objects: [authorizationPolicy('az-other-workload', { matchLabels: { app: 'web' } }, { ports: ['80'] })],
  },
  {
    name: 'az-new-only',
    kind: 'AuthorizationPolicy',
    open: false,
    objects: [authorizationPolicy('az-new-only', gatewaySelector, { ports: ['8080'] })],
  },
  {
    name: 'az-paths-only',
    kind: 'AuthorizationPolicy',
    open: false,
    objects: [authorizationPolicy('az-paths-only', gatewaySelector, { paths: ['/admin'] })],
  },
  {
    name: 'az-port-8000',
    kind: 'AuthorizationPolicy',
    open: false,
    objects: [authorizationPolicy('az-port-8000', gatewaySelector, { ports: ['8000', '4430'] })],
  },
  // ---- BackendConfigs, through the Service that attaches them
  {
    name: 'bc-gateway-15020',
    kind: 'BackendConfig',
    open: true,
    objects: attached('bc-gateway-15020', 15020, { app: 'istio-ingressgateway', istio: 'ingressgateway' }),
  },
  {
    name: 'bc-gateway-15021',
    kind: 'BackendConfig',
    open: false,
    objects: attached('bc-gateway-15021', 15021, { app: 'istio-ingressgateway' }),
  },
  {
    name: 'bc-per-port',
    kind: 'BackendConfig',
    open: true,
    objects: attached(
      'bc-per-port',
      15020,
      { istio: 'ingressgateway' },
      'cloud.google.com/backend-config',
      '{"ports": {"80": "bc-per-port"}}',
    ),
  },
  {
    name: 'bc-beta-annotation',
    kind: 'BackendConfig',
    open: true,
    objects: attached(
      'bc-beta-annotation',
      15020,
      { istio: 'ingressgateway' },
      'beta.cloud.google.com/backend-config',
    ),
  },
  {
    name: 'bc-other-workload',
    kind: 'BackendConfig',
    open: false,
    objects: attached('bc-other-workload', 15020, { app: 'web' }),
  },
  {
    name: 'bc-no-selector',
    kind: 'BackendConfig',
    open: false,
    objects: attached('bc-no-selector', 15020, undefined),
  },
  // ---- firewall rules of the cluster's network
  {
    name: 'fw-15020',
    kind: 'Firewall',
    open: true,
    firewall: firewall('fw-15020', [{ IPProtocol: 'tcp', ports: ['80', '15020'] }]),
  },
  {
    name: 'fw-both',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-both', [{ IPProtocol: 'tcp', ports: ['15020', '15021'] }]),
  },
  {
    name: 'fw-range-both',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-range-both', [{ IPProtocol: 'tcp', ports: ['15000-15030'] }]),
  },
  {
    name: 'fw-range-old',
    kind: 'Firewall',
    open: true,
    firewall: firewall('fw-range-old', [{ IPProtocol: 'tcp', ports: ['15000-15020'] }]),
  },
  {
    name: 'fw-every-tcp-port',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-every-tcp-port', [{ IPProtocol: 'tcp' }]),
  },
  {
    name: 'fw-15020-and-all',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-15020-and-all', [{ IPProtocol: 'tcp', ports: ['15020'] }, { IPProtocol: 'all' }]),
  },
  {
    name: 'fw-numeric-protocol',
    kind: 'Firewall',
    open: true,
    firewall: firewall('fw-numeric-protocol', [{ IPProtocol: '6', ports: ['15020'] }]),
  },
  {
    name: 'fw-udp',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-udp', [{ IPProtocol: 'udp', ports: ['15020'] }]),
  },
  {
    name: 'fw-disabled',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-disabled', [{ IPProtocol: 'tcp', ports: ['15020'] }], { disabled: true }),
  },
  {
    name: 'fw-egress',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-egress', [{ IPProtocol: 'tcp', ports: ['15020'] }], {
      direction: 'EGRESS',
      destinationRanges: ['0.0.0.0/0'],
    }),
  },
  {
    name: 'fw-other-network',
    kind: 'Firewall',
    open: false,
    firewall: firewall('fw-other-network', [{ IPProtocol: 'tcp', ports: ['15020'] }], {
      network: 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/other',
    }),
  },
];
