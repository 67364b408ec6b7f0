import rule from '../../rules/gateway-port-changes.ts';
import { firewallRule, gkeCluster, istioObject, pod, service } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

type Raw = Record<string, unknown>;
const GATEWAY_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
const gatewayPod = (name: string, version: string, extraLabels: Record<string, string> = {}) =>
  pod('istio-system', name, [{ name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2:${version}` }], {
    labels: { ...GATEWAY_LABELS, ...extraLabels },
  });
const gateway14 = gatewayPod('istio-ingressgateway-7d9f8b6c5-x2x4z', '1.4.10-gke.4');
const gateway16 = gatewayPod('istio-ingressgateway-5c8d7f9b4-q8k2m', '1.6.11-gke.0', {
  'istio.io/rev': 'istio-1611',
});
const webPod = pod('shop', 'web-6d8f7-abcde', [{ name: 'web', image: 'nginx:1.19' }], {
  labels: { app: 'web' },
});

const authz = (ns: string, name: string, spec: Raw) =>
  istioObject('security.istio.io/v1beta1', 'AuthorizationPolicy', ns, name, spec);
const netpol = (ns: string, name: string, spec: Raw) =>
  istioObject('networking.k8s.io/v1', 'NetworkPolicy', ns, name, spec);
const backendConfig = (ns: string, name: string, healthCheck: Raw) =>
  istioObject('cloud.google.com/v1', 'BackendConfig', ns, name, { healthCheck });
/** A Service in istio-system whose selector picks pods by `selector` (the gateway's own by default). */
const selectingService = (
  name: string,
  annotations: Record<string, string>,
  selector: Record<string, string> | undefined,
  labels: Record<string, string> = {},
) => {
  const base = service('istio-system', name, [{ name: 'http2', port: 80, targetPort: 80 }], {
    labels,
    annotations,
  });
  return { ...base, spec: { ...(base.spec as Raw), ...(selector ? { selector } : {}) } };
};
const gatewayService = (annotations: Record<string, string> = {}) =>
  selectingService('istio-ingressgateway', annotations, GATEWAY_LABELS, GATEWAY_LABELS);
const onPorts = (ports: string[], selector: Raw | null = { matchLabels: { istio: 'ingressgateway' } }) => ({
  ...(selector ? { selector } : {}),
  action: 'ALLOW',
  rules: [{ to: [{ operation: { ports } }] }],
});
const ingressOn = (ports: number[], podSelector: Raw = { matchLabels: { app: 'istio-ingressgateway' } }) => ({
  podSelector,
  policyTypes: ['Ingress'],
  ingress: [{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
});
/** GKE's master rule: firewall data is present, and it names no gateway port. */
const FIREWALLS = [firewallRule('gke-demo-3f2a9c1b-master')];
/** The kubectl part (gateway, Service, a web pod) plus objects, and firewall data. */
const cluster = (...objects: Raw[]) => [
  { kind: 'List', apiVersion: 'v1', items: [gateway14, gatewayService(), webPod, ...objects] },
  FIREWALLS,
];

/** The two sentences every finding ends with. */
const KEEP_OLD =
  'Add the new ports beside the old ones while 1.4 and 1.6 gateway pods both run; remove the old ones only in retire-old-control-plane, once no 1.4 gateway pod is left.';
const GATED = 'remediate.sh checks this again before it enables the 1.6 gateway, and stops until it is done.';
/** The sentence of every AuthorizationPolicy finding after its replacements. */
const AUTHZ_MOVES =
  'From Istio 1.6 `to.operation.ports` is matched against the container port, which is 8080/8443 on the 1.6 gateway, so this policy stops matching when the gateway moves.';
const proxyImage = (version: string) => `gcr.io/gke-release/istio/proxyv2:${version}`;
/** A pod in istio-system with an istio-proxy container and exactly these labels (none when undefined). */
const systemPod = (name: string, version: string, labels?: Record<string, string>, phase?: string) =>
  pod('istio-system', name, [{ name: 'istio-proxy', image: proxyImage(version) }], {
    ...(labels ? { labels } : {}),
    ...(phase ? { phase } : {}),
  });
/** A Service in `ns` selecting the gateway pods, without any annotation. */
const plainService = (ns: string, name: string, annotations?: Record<string, string>) => {
  const base = service(
    ns,
    name,
    [{ name: 'https', port: 443, targetPort: 443 }],
    annotations ? { annotations } : {},
  );
  return { ...base, spec: { ...(base.spec as Raw), selector: GATEWAY_LABELS } };
};
const expressionPolicy = (name: string, matchExpressions: unknown[], ports: number[] = [80]) =>
  netpol('istio-system', name, ingressOn(ports, { matchExpressions }));

ruleTester(rule, {
  pass: [
    {
      name: 'objects of other workloads on port 80 are never flagged (other namespaces, other selectors, unattached BackendConfig)',
      documents: cluster(
        authz('shop', 'web-allow-80', onPorts(['80'], { matchLabels: { app: 'web' } })),
        authz('istio-system', 'prometheus-80', onPorts(['80'], { matchLabels: { app: 'prometheus' } })),
        netpol('shop', 'web-ingress', ingressOn([80, 443], { matchLabels: { app: 'web' } })),
        netpol('istio-system', 'istiod-only', ingressOn([443, 15020], { matchLabels: { app: 'istiod' } })),
        backendConfig('istio-system', 'unattached', { port: 15020, requestPath: '/healthz/ready' }),
        backendConfig('shop', 'web-health', { port: 15020 }),
      ),
    },
    {
      name: 'the gateway objects already list the 1.6 ports next to the old ones',
      documents: [
        [
          gateway14,
          gateway16,
          gatewayService({ 'cloud.google.com/backend-config': '{"default": "gateway-health"}' }),
          authz('istio-system', 'gateway-allow', onPorts(['80', '8080', '443', '8443'])),
          netpol('istio-system', 'gateway-ingress', ingressOn([80, 8080, 443, 8443, 15020, 15021])),
          backendConfig('istio-system', 'gateway-health', { port: 15021, requestPath: '/healthz/ready' }),
        ],
        gkeCluster(),
        [
          firewallRule('lb-health', {
            sourceRanges: ['35.191.0.0/16'],
            allowed: [{ IPProtocol: 'tcp', ports: ['15020-15021'] }],
          }),
        ],
      ],
    },
    {
      name: 'a NetworkPolicy without ports admits every port; an egress-only one is not about ingress',
      documents: cluster(
        netpol('istio-system', 'allow-all', { podSelector: {}, ingress: [{}] }),
        netpol('istio-system', 'egress', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 80 }] }],
        }),
      ),
    },
    {
      name: 'an ingress rule admitting every port (no ports, empty ports, TCP without a port) beside one on old ports; ingress rules of an egress-only policy',
      documents: cluster(
        netpol('istio-system', 'any-port-first', {
          podSelector: {},
          ingress: [{}, { ports: [{ port: 15020 }] }],
        }),
        netpol('istio-system', 'empty-ports', {
          podSelector: {},
          ingress: [{ ports: [] }, { ports: [{ port: 80 }] }],
        }),
        netpol('istio-system', 'tcp-any-port', {
          podSelector: {},
          ingress: [{ ports: [{ protocol: 'TCP' }] }, { ports: [{ port: 443 }] }],
        }),
        // Kubernetes ignores `ingress` when policyTypes leaves Ingress out.
        netpol('istio-system', 'egress-only', {
          podSelector: {},
          policyTypes: ['Egress'],
          ingress: [{ ports: [{ port: 80 }] }],
        }),
      ),
    },
    {
      name: 'NetworkPolicies whose matchExpressions leave the gateway pods out (In, NotIn, Exists, DoesNotExist, unknown operator)',
      documents: cluster(
        expressionPolicy('in-other-value', [{ key: 'istio', operator: 'In', values: ['egressgateway'] }]),
        expressionPolicy('in-missing-key', [{ key: 'team', operator: 'In', values: ['edge'] }]),
        expressionPolicy('not-in-gateway', [
          { key: 'app', operator: 'NotIn', values: ['web', 'istio-ingressgateway'] },
        ]),
        expressionPolicy('exists-missing-key', [{ key: 'team', operator: 'Exists' }]),
        expressionPolicy('does-not-exist-present-key', [{ key: 'istio', operator: 'DoesNotExist' }]),
        expressionPolicy('unknown-operator', [{ key: 'istio', operator: 'Gt', values: ['1'] }]),
      ),
    },
    {
      name: 'objects outside istio-system never count, even when their selectors match the gateway labels',
      documents: [
        [
          gateway14,
          gatewayService({ 'cloud.google.com/backend-config': '{"default": "edge-health"}' }),
          netpol('shop', 'shop-all-pods', ingressOn([80, 443, 15020], {})),
          // A Service of another namespace cannot select the gateway pods.
          plainService('shop', 'shop-gateway-alias', {
            'cloud.google.com/backend-config': '{"default": "alias-health"}',
          }),
          backendConfig('istio-system', 'alias-health', { port: 15020 }),
          // Attached by name from istio-system, but this BackendConfig lives in shop.
          backendConfig('shop', 'edge-health', { port: 15020 }),
        ],
        FIREWALLS,
      ],
    },
  ],
  fail: [
    {
      name: 'a gateway mid-migration: only the gateway objects of each kind are flagged, never the shop ones (fixture)',
      fixtures: ['fail-mid-migration'],
      findings: [
        {
          resource: { kind: 'Firewall', name: 'allow-lb-health-checks' },
          message:
            'Add tcp:15021, keeping tcp:15020. Add the new ports beside the old ones while 1.4 and 1.6 gateway pods both run; remove the old ones only in retire-old-control-plane, once no 1.4 gateway pod is left. remediate.sh checks this again before it enables the 1.6 gateway, and stops until it is done.',
          fix: { action: 'update-gateway-port-refs', params: { allow: ['tcp:15020', 'tcp:15021'] } },
        },
        {
          resource: {
            kind: 'AuthorizationPolicy',
            namespace: 'istio-system',
            name: 'ingressgateway-allow-web',
          },
          message:
            'so this policy stops matching when the gateway moves. Add the new ports beside the old ones while 1.4 and 1.6 gateway pods both run; remove the old ones only in retire-old-control-plane',
        },
        { resource: { kind: 'BackendConfig', namespace: 'istio-system', name: 'ingressgateway-health' } },
        { resource: { kind: 'NetworkPolicy', namespace: 'istio-system', name: 'ingressgateway-ingress' } },
      ],
    },
    {
      name: 'an ALLOW policy selecting the gateway on ports 80 and 443 gets the exact replacement',
      documents: cluster(authz('istio-system', 'gateway-allow', onPorts(['80', '443']))),
      findings: [
        {
          message:
            /^AuthorizationPolicy istio-system\/gateway-allow selects the ingress gateway and names its Istio 1\.4 ports: rules\[0\]\.to\[0\]\.operation\.ports: add "8080" beside "80"; rules\[0\]\.to\[0\]\.operation\.ports: add "8443" beside "443"\./,
          severity: 'warning',
          resource: { kind: 'AuthorizationPolicy', namespace: 'istio-system', name: 'gateway-allow' },
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              resource: 'authorizationpolicies.security.istio.io',
              replacements: [
                'rules[0].to[0].operation.ports: add "8080" beside "80"',
                'rules[0].to[0].operation.ports: add "8443" beside "443"',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'mid-migration (1.4 and 1.6 gateway pods): a mesh-wide policy in the root namespace, and only that one',
      documents: [
        [
          gateway14,
          gateway16,
          webPod,
          authz('istio-system', 'mesh-http', onPorts(['80'], null)),
          authz('shop', 'web-http', onPorts(['80'], null)),
          // Selects only the 1.6 gateway pod: one selected gateway pod is enough.
          authz(
            'istio-system',
            'rev-1611-http',
            onPorts(['80'], { matchLabels: { 'istio.io/rev': 'istio-1611' } }),
          ),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message: `AuthorizationPolicy istio-system/mesh-http has no selector in the root namespace istio-system, so it applies to every workload, the ingress gateway included and names its Istio 1.4 ports: rules[0].to[0].operation.ports: add "8080" beside "80". ${AUTHZ_MOVES} ${KEEP_OLD} (Other workloads may listen on 80/443 for good: keep those ports, or give the gateway its own policy.) ${GATED}`,
          resource: { name: 'mesh-http' },
          fix: { action: 'update-gateway-port-refs', params: { name: 'mesh-http', allow: [] } },
        },
        {
          message: `AuthorizationPolicy istio-system/rev-1611-http selects the ingress gateway and names its Istio 1.4 ports: rules[0].to[0].operation.ports: add "8080" beside "80". ${AUTHZ_MOVES} ${KEEP_OLD} ${GATED}`,
          resource: { name: 'rev-1611-http' },
        },
      ],
    },
    {
      name: 'a gateway labelled only istio=ingressgateway (beside one pinned by digest): notPorts and the indices of rules and to',
      documents: [
        [
          systemPod('istio-ingressgateway-7d9f8b6c5-a1b2c', '1.4.10-gke.4', { istio: 'ingressgateway' }),
          pod(
            'istio-system',
            'istio-ingressgateway-pinned-z9y8x',
            [{ name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2@sha256:0123456789abcdef' }],
            { labels: { istio: 'ingressgateway' } },
          ),
          authz('istio-system', 'gateway-not-https', {
            selector: { matchLabels: { istio: 'ingressgateway' } },
            action: 'DENY',
            rules: [
              { to: [{ operation: { methods: ['DELETE'] } }] },
              { to: [{ operation: { hosts: ['admin.example.com'] } }, { operation: { notPorts: ['443'] } }] },
            ],
          }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message: `AuthorizationPolicy istio-system/gateway-not-https selects the ingress gateway and names its Istio 1.4 ports: rules[1].to[1].operation.notPorts: add "8443" beside "443". ${AUTHZ_MOVES} ${KEEP_OLD} ${GATED}`,
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              kind: 'AuthorizationPolicy',
              namespace: 'istio-system',
              name: 'gateway-not-https',
              replacements: ['rules[1].to[1].operation.notPorts: add "8443" beside "443"'],
              allow: [],
            },
          },
        },
      ],
    },
    {
      name: 'NetworkPolicies selecting the gateway pods (matchExpressions, or every pod of istio-system) that admit only the old ports',
      documents: cluster(
        netpol(
          'istio-system',
          'gateway-by-expression',
          ingressOn([80, 443, 15020], {
            matchExpressions: [{ key: 'istio', operator: 'In', values: ['ingressgateway'] }],
          }),
        ),
        netpol('istio-system', 'all-pods-status', ingressOn([15020], {})),
      ),
      findings: [
        { message: 'admits 15020 but not 15021', resource: { name: 'all-pods-status' } },
        {
          message:
            /^NetworkPolicy istio-system\/gateway-by-expression selects the ingress gateway pods and admits 80\/443\/15020 but not 8080\/8443\/15021/,
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              kind: 'NetworkPolicy',
              replacements: [
                'ingress port 80 -> also allow 8080',
                'ingress port 443 -> also allow 8443',
                'ingress port 15020 -> also allow 15021',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'a gateway labelled only app=istio-ingressgateway: which ports a NetworkPolicy admits (protocol, string and named ports, ranges, several rules) and its whole message',
      documents: [
        [
          systemPod('istio-ingressgateway-6b7c8d9e0-k3l4m', '1.4.10-gke.4', { app: 'istio-ingressgateway' }),
          // No policyTypes: an ingress policy.
          netpol('istio-system', 'gateway-mixed', {
            podSelector: { matchLabels: { app: 'istio-ingressgateway' } },
            ingress: [
              {
                ports: [
                  { port: 80 },
                  { protocol: 'UDP', port: 8080 },
                  { protocol: 'tcp', port: '443' },
                  { port: 'https-alt' },
                ],
              },
              { ports: [{ protocol: 'TCP', port: 15000, endPort: 15020 }] },
            ],
          }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message: `NetworkPolicy istio-system/gateway-mixed selects the ingress gateway pods and admits 80/443/15020 but not 8080/8443/15021: the 1.6 gateway listens on 8080/8443 with its status port on 15021, so traffic and health checks to the moved gateway are dropped. Add port 8080, port 8443, port 15021 to the ingress rule. ${KEEP_OLD} ${GATED}`,
          resource: { kind: 'NetworkPolicy', namespace: 'istio-system', name: 'gateway-mixed' },
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              kind: 'NetworkPolicy',
              resource: 'networkpolicies.networking.k8s.io',
              name: 'gateway-mixed',
              replacements: [
                'ingress port 80 -> also allow 8080',
                'ingress port 443 -> also allow 8443',
                'ingress port 15020 -> also allow 15021',
              ],
              allow: [],
            },
          },
        },
      ],
    },
    {
      name: 'NetworkPolicies selecting the gateway pods by NotIn, Exists and DoesNotExist; the old port only in one of two rules',
      documents: cluster(
        expressionPolicy('by-not-in', [{ key: 'app', operator: 'NotIn', values: ['web'] }], [15020]),
        expressionPolicy('by-exists', [{ key: 'istio', operator: 'Exists' }], [15020]),
        expressionPolicy('by-does-not-exist', [{ key: 'team', operator: 'DoesNotExist' }], [15020]),
        netpol('istio-system', 'two-rules', {
          podSelector: {},
          ingress: [{ ports: [{ port: 443 }] }, { ports: [{ port: 15021 }] }],
        }),
      ),
      findings: [
        {
          message:
            'NetworkPolicy istio-system/by-does-not-exist selects the ingress gateway pods and admits 15020 but not 15021:',
        },
        {
          message:
            'NetworkPolicy istio-system/by-exists selects the ingress gateway pods and admits 15020 but not 15021:',
        },
        {
          message:
            'NetworkPolicy istio-system/by-not-in selects the ingress gateway pods and admits 15020 but not 15021:',
        },
        {
          message:
            'NetworkPolicy istio-system/two-rules selects the ingress gateway pods and admits 443 but not 8443:',
          fix: {
            action: 'update-gateway-port-refs',
            params: { replacements: ['ingress port 443 -> also allow 8443'] },
          },
        },
      ],
    },
    {
      name: 'a BackendConfig attached to the gateway Service (per-port beta annotation) health-checking 15020',
      documents: [
        [
          gateway14,
          gatewayService({
            'beta.cloud.google.com/backend-config': '{"ports": {"http2": "gateway-health"}}',
          }),
          backendConfig('istio-system', 'gateway-health', {
            type: 'HTTP',
            port: 15020,
            requestPath: '/healthz/ready',
          }),
          backendConfig('istio-system', 'other', { port: 15020 }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message:
            "BackendConfig istio-system/gateway-health, attached to Service istio-ingressgateway (whose selector selects the gateway pods), health-checks port 15020. A health check probes one port, so it cannot name both: the 1.6 gateway pods answer /healthz/ready on 15021 and, through pilot-agent's status server, still on 15020, while the 1.4 pods answer only on 15020. Do not switch it to 15021 now: that takes the 1.4 gateway pods out of the load balancer before the 1.6 pods exist. Keep 15020, acknowledge it with the annotation meshready.dev/ignore: gateway-port-changes (and meshready.dev/ignore-reason), and switch to 15021 in retire-old-control-plane.",
          resource: { kind: 'BackendConfig', name: 'gateway-health' },
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              replacements: [
                'keep spec.healthCheck.port 15020 while 1.4 and 1.6 gateway pods both run (both answer /healthz/ready there)',
                'acknowledge it: annotate the BackendConfig meshready.dev/ignore=gateway-port-changes (with meshready.dev/ignore-reason)',
                'in retire-old-control-plane, once no 1.4 gateway pod is left: spec.healthCheck.port 15020 -> 15021',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'a BackendConfig attached through an internal Service named otherwise, unlabelled, whose selector picks the gateway pods',
      documents: [
        [
          gateway14,
          gatewayService(),
          selectingService(
            'gateway-internal',
            { 'cloud.google.com/backend-config': '{"default": "ilb-health"}' },
            {
              istio: 'ingressgateway',
            },
          ),
          // Labelled like the gateway, but selecting other pods: its BackendConfig is not the gateway's.
          selectingService(
            'looks-like-gateway',
            { 'cloud.google.com/backend-config': '{"default": "not-gateway"}' },
            { app: 'web' },
            GATEWAY_LABELS,
          ),
          // No selector: it selects no pod.
          selectingService(
            'headless-manual',
            { 'cloud.google.com/backend-config': '{"default": "manual"}' },
            undefined,
          ),
          backendConfig('istio-system', 'ilb-health', { port: 15020, requestPath: '/healthz/ready' }),
          backendConfig('istio-system', 'not-gateway', { port: 15020 }),
          backendConfig('istio-system', 'manual', { port: 15020 }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message:
            'BackendConfig istio-system/ilb-health, attached to Service gateway-internal (whose selector selects the gateway pods), health-checks port 15020.',
          resource: { kind: 'BackendConfig', name: 'ilb-health' },
        },
      ],
    },
    {
      name: 'a BackendConfig on another path keeps 15020 and gets the path that answers there',
      documents: [
        [
          gateway14,
          gatewayService({ 'cloud.google.com/backend-config': '{"default":"hc"}' }),
          backendConfig('istio-system', 'hc', { port: 15020, requestPath: '/' }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message:
            'Keep 15020 with requestPath /healthz/ready (it is /), acknowledge it with the annotation meshready.dev/ignore: gateway-port-changes',
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              kind: 'BackendConfig',
              resource: 'backendconfigs.cloud.google.com',
              name: 'hc',
              replacements: [
                'keep spec.healthCheck.port 15020 while 1.4 and 1.6 gateway pods both run (both answer /healthz/ready there)',
                'spec.healthCheck.requestPath: / -> /healthz/ready',
                'acknowledge it: annotate the BackendConfig meshready.dev/ignore=gateway-port-changes (with meshready.dev/ignore-reason)',
                'in retire-old-control-plane, once no 1.4 gateway pod is left: spec.healthCheck.port 15020 -> 15021',
              ],
              allow: [],
            },
          },
        },
      ],
    },
    {
      name: 'a BackendConfig without requestPath, attached by two Services: the first one is named; Services without or with unusable annotations are skipped',
      documents: [
        [
          gateway14,
          gatewayService({ 'cloud.google.com/backend-config': '{"default": "gw-hc"}' }),
          plainService('istio-system', 'gateway-metrics'),
          plainService('istio-system', 'gateway-null', {
            'cloud.google.com/backend-config': 'null',
            'beta.cloud.google.com/backend-config': '{not json',
          }),
          plainService('istio-system', 'gateway-internal', {
            'cloud.google.com/backend-config': '{"ports": {"https": "gw-hc"}}',
          }),
          backendConfig('istio-system', 'gw-hc', { port: '15020' }),
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message: `BackendConfig istio-system/gw-hc, attached to Service istio-ingressgateway (whose selector selects the gateway pods), health-checks port 15020. A health check probes one port, so it cannot name both: the 1.6 gateway pods answer /healthz/ready on 15021 and, through pilot-agent's status server, still on 15020, while the 1.4 pods answer only on 15020. Do not switch it to 15021 now: that takes the 1.4 gateway pods out of the load balancer before the 1.6 pods exist. Keep 15020 with requestPath /healthz/ready (it is unset), acknowledge it with the annotation meshready.dev/ignore: gateway-port-changes (and meshready.dev/ignore-reason), and switch to 15021 in retire-old-control-plane. ${GATED}`,
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              replacements: [
                'keep spec.healthCheck.port 15020 while 1.4 and 1.6 gateway pods both run (both answer /healthz/ready there)',
                'spec.healthCheck.requestPath: (unset) -> /healthz/ready',
                'acknowledge it: annotate the BackendConfig meshready.dev/ignore=gateway-port-changes (with meshready.dev/ignore-reason)',
                'in retire-old-control-plane, once no 1.4 gateway pod is left: spec.healthCheck.port 15020 -> 15021',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'firewall rules naming 15020 only (tcp or protocol 6, no direction, a Shared VPC host network); rules that open every port, are disabled, egress, UDP or also open 15021 are not flagged',
      documents: [
        [gateway14, gatewayService()],
        gkeCluster(),
        [
          firewallRule('allow-lb-health-15020', {
            sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'],
            allowed: [
              { IPProtocol: 'tcp', ports: ['80'] },
              { IPProtocol: 'tcp', ports: ['15020'] },
            ],
          }),
          // Protocol by number, no direction (INGRESS), on the default network of a Shared VPC host project.
          firewallRule('shared-vpc-health', {
            network: 'https://www.googleapis.com/compute/v1/projects/net-host/global/networks/default',
            direction: undefined,
            allowed: [{ IPProtocol: '6', ports: ['15000-15020'] }],
          }),
          firewallRule('egress-15020', {
            direction: 'EGRESS',
            allowed: [{ IPProtocol: 'tcp', ports: ['15020'] }],
          }),
          firewallRule('udp-15020', { allowed: [{ IPProtocol: 'udp', ports: ['15020'] }] }),
          firewallRule('split-15020-15021', {
            allowed: [
              { IPProtocol: 'tcp', ports: ['15020'] },
              { IPProtocol: 'tcp', ports: ['15021'] },
            ],
          }),
          firewallRule('allow-all-tcp', { allowed: [{ IPProtocol: 'tcp' }] }),
          firewallRule('disabled-15020', {
            disabled: true,
            allowed: [{ IPProtocol: 'tcp', ports: ['15020'] }],
          }),
          firewallRule('other-network-15020', {
            network: 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/legacy',
            allowed: [{ IPProtocol: 'tcp', ports: ['15020'] }],
          }),
        ],
      ],
      findings: [
        {
          message: `Firewall rule allow-lb-health-15020 opens TCP 15020, the 1.4 gateway's status port, but not 15021, where the 1.6 gateway answers health checks. Add tcp:15021, keeping tcp:80, tcp:15020. ${KEEP_OLD} ${GATED}`,
          resource: { kind: 'Firewall', name: 'allow-lb-health-15020' },
          fix: {
            action: 'update-gateway-port-refs',
            params: {
              kind: 'Firewall',
              resource: 'firewall-rules',
              name: 'allow-lb-health-15020',
              project: 'acme-prod',
              replacements: ['allowed: add tcp:15021'],
              allow: ['tcp:80', 'tcp:15020', 'tcp:15021'],
            },
          },
        },
        {
          message:
            "Firewall rule shared-vpc-health opens TCP 15020, the 1.4 gateway's status port, but not 15021, where the 1.6 gateway answers health checks. Add tcp:15021, keeping 6:15000-15020.",
          fix: {
            action: 'update-gateway-port-refs',
            params: { project: 'net-host', allow: ['6:15000-15020', 'tcp:15021'] },
          },
        },
      ],
    },
    {
      name: 'ASM target: the same policy, in the asm-install phase',
      target: 'asm-1.7',
      documents: cluster(authz('istio-system', 'gateway-allow', onPorts(['443']))),
      findings: [{ message: 'add "8443" beside "443"' }],
    },
    {
      name: 'without firewall data, what the Kubernetes objects show is still reported',
      documents: [[gateway14, authz('istio-system', 'gateway-allow', onPorts(['80']))]],
      findings: [{ resource: { name: 'gateway-allow' } }],
    },
  ],
  notApplicable: [
    {
      name: 'no gateway pod in istio-system',
      documents: cluster().map((d, i) => (i === 0 ? [webPod] : d)),
      reason: 'no ingress gateway pod',
    },
    {
      name: 'every gateway pod already runs 1.6',
      documents: [[gateway16, authz('istio-system', 'gateway-allow', onPorts(['80']))], FIREWALLS],
      reason: 'every ingress gateway pod already runs 1.6.11-gke.0',
    },
    {
      name: 'only other pods on 1.4 in istio-system (unlabelled, another app) and a gateway pod that has failed',
      documents: [
        [
          systemPod('istiod-like-5f6g7h', '1.4.10-gke.4'),
          systemPod('prometheus-7c8d9e', '1.4.10-gke.4', { app: 'prometheus' }),
          systemPod('istio-ingressgateway-old-q1w2e', '1.4.10-gke.4', GATEWAY_LABELS, 'Failed'),
          authz('istio-system', 'gateway-allow', onPorts(['80'], null)),
        ],
        FIREWALLS,
      ],
      reason:
        'no ingress gateway pod (istio=ingressgateway or app=istio-ingressgateway) runs in istio-system: there is no gateway to move',
    },
    {
      name: 'gateway pods on two 1.6 versions: each named once, sorted',
      documents: [
        [
          gatewayPod('istio-ingressgateway-8f9g0h-a1', '1.6.14-gke.1'),
          gatewayPod('istio-ingressgateway-5c8d7f-b2', '1.6.11-gke.0'),
          gatewayPod('istio-ingressgateway-5c8d7f-c3', '1.6.11-gke.0'),
        ],
        FIREWALLS,
      ],
      reason:
        'every ingress gateway pod already runs 1.6.11-gke.0, 1.6.14-gke.1: no 1.4 gateway is left to move (the port change has happened)',
    },
  ],
  unknown: [
    {
      name: 'NetworkPolicies were not collected',
      documents: cluster(),
      notCollected: { networkpolicies: 'forbidden: list networking.k8s.io networkpolicies' },
      reason: 'NetworkPolicies not collected',
    },
    {
      name: 'no firewall data and nothing else names the old ports',
      documents: [[gateway14, gatewayService()]],
      reason: 'a firewall rule opening only 15020 cannot be ruled out',
    },
    {
      name: 'the only other gateway pod runs an image pinned by digest: it may be 1.4, never "every pod already moved"',
      documents: [
        gateway16,
        pod(
          'istio-system',
          'istio-ingressgateway-pinned-1',
          [{ name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2@sha256:${'a'.repeat(64)}` }],
          { labels: GATEWAY_LABELS },
        ),
      ],
      reason:
        'cannot tell whether a 1.4 ingress gateway still runs: the image of gateway pod istio-ingressgateway-pinned-1 has no version tag',
    },
  ],
});
