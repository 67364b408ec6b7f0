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
        ],
        FIREWALLS,
      ],
      findings: [
        {
          message: 'applies to every workload, the ingress gateway included',
          resource: { name: 'mesh-http' },
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
        },
      ],
    },
    {
      name: 'a firewall rule naming 15020 only; rules that open every port or are disabled are not flagged',
      documents: [
        [gateway14, gatewayService()],
        gkeCluster(),
        [
          firewallRule('allow-lb-health-15020', {
            sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'],
            allowed: [{ IPProtocol: 'tcp', ports: ['80', '15020'] }],
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
          message: 'Firewall rule allow-lb-health-15020 opens TCP 15020',
          resource: { kind: 'Firewall', name: 'allow-lb-health-15020' },
          fix: {
            action: 'update-gateway-port-refs',
            params: { kind: 'Firewall', project: 'acme-prod', allow: ['tcp:80', 'tcp:15020', 'tcp:15021'] },
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
  ],
});
