import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { imageTag, isLive } from '../src/engine/snapshot-index.ts';
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION } from '../src/engine/vocabulary.ts';
import {
  networkName,
  networkProject,
  permissionCoversTcp,
  permissionItems,
  portSpecCovers,
} from '../src/gke/firewall.ts';
import { gatewayProxy } from '../src/istio/mesh-index.ts';
import { ISTIO_SYSTEM } from '../src/istio/names.ts';
import { isPreIstio16, sortedVersionTexts } from '../src/istio/version.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { FirewallPermission, FirewallRule, IstioConfig, Pod, Service } from '../src/snapshot/model.ts';
import { isRecord } from '../src/snapshot/shape.ts';

/** Istio 1.4's gateway ports and the 1.6 ones that replace them (the gateways charts of 1.4.0 and 1.6.0). */
const HTTP = { old: 80, new: 8080 };
const HTTPS = { old: 443, new: 8443 };
const STATUS = { old: 15020, new: 15021 };
const TRAFFIC_PORTS = [HTTP, HTTPS];
const ALL_PORTS = [HTTP, HTTPS, STATUS];
const READY_PATH = '/healthz/ready';
/** What every finding ends with: the advice while both gateways run, and the script's gate. */
const GATED = 'remediate.sh checks this again before it enables the 1.6 gateway, and stops until it is done.';
const KEEP_OLD =
  'Add the new ports beside the old ones while 1.4 and 1.6 gateway pods both run; remove the old ones only ' +
  'in retire-old-control-plane, once no 1.4 gateway pod is left.';
const RULE_ID = 'gateway-port-changes';
const BACKEND_CONFIG_ANNOTATIONS = [
  'cloud.google.com/backend-config',
  'beta.cloud.google.com/backend-config',
];

type Labels = Readonly<Record<string, string>>;

/** The gateway workload: its pods carry istio=ingressgateway or app=istio-ingressgateway. */
function isGatewayLabelled(labels: Labels | undefined): boolean {
  return labels?.istio === 'ingressgateway' || labels?.app === 'istio-ingressgateway';
}

function runs14(pod: Pod): boolean {
  const { version } = gatewayProxy(pod);
  return version !== undefined && isPreIstio16(version);
}

/** `matchLabels` and `matchExpressions` of a Kubernetes label selector against one pod's labels. */
function selectorMatches(selector: unknown, labels: Labels): boolean {
  if (!isRecord(selector)) return true;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const expression of expressions) {
    if (!isRecord(expression)) continue;
    const key = String(expression.key ?? '');
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function selectsGateway(selector: unknown, gatewayPods: readonly Pod[]): boolean {
  return gatewayPods.some((pod) => selectorMatches(selector, pod.metadata.labels ?? {}));
}

function specOf(object: IstioConfig): Record<string, unknown> {
  return isRecord(object.spec) ? object.spec : {};
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

// ---- AuthorizationPolicy ------------------------------------------------------------------

/** `rules[i].to[j].operation.ports` (and notPorts) naming 80/443 without their 1.6 ports. */
function authorizationPolicyReplacements(policy: IstioConfig): string[] {
  const replacements: string[] = [];
  records(specOf(policy).rules).forEach((rule, i) => {
    records(rule.to).forEach((to, j) => {
      const operation = isRecord(to.operation) ? to.operation : {};
      for (const field of ['ports', 'notPorts']) {
        const ports = Array.isArray(operation[field]) ? (operation[field] as unknown[]).map(String) : [];
        for (const pair of TRAFFIC_PORTS) {
          if (ports.includes(String(pair.old)) && !ports.includes(String(pair.new))) {
            replacements.push(
              `rules[${i}].to[${j}].operation.${field}: add "${pair.new}" beside "${pair.old}"`,
            );
          }
        }
      }
    });
  });
  return replacements;
}

function authorizationPolicyFindings(
  policies: readonly IstioConfig[],
  gatewayPods: readonly Pod[],
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const policy of policies) {
    // Only the gateway's namespace (or the root namespace, which is the same here) applies to it.
    if (policy.metadata.namespace !== ISTIO_SYSTEM) continue;
    const selector = specOf(policy).selector;
    const meshWide = !isRecord(selector) || !isRecord(selector.matchLabels);
    if (!meshWide && !selectsGateway(selector, gatewayPods)) continue;
    const replacements = authorizationPolicyReplacements(policy);
    if (replacements.length === 0) continue;
    const scope = meshWide
      ? 'has no selector in the root namespace istio-system, so it applies to every workload, the ingress gateway included'
      : 'selects the ingress gateway';
    const advice = meshWide
      ? `${KEEP_OLD} (Other workloads may listen on 80/443 for good: keep those ports, or give the gateway its own policy.)`
      : KEEP_OLD;
    findings.push(
      findingAbout(
        policy,
        `AuthorizationPolicy ${policy.metadata.namespace}/${policy.metadata.name} ${scope} and names its Istio 1.4 ` +
          `ports: ${replacements.join('; ')}. From Istio 1.6 \`to.operation.ports\` is matched against the ` +
          `container port, which is 8080/8443 on the 1.6 gateway, so this policy stops matching when the gateway ` +
          `moves. ${advice} ${GATED}`,
        {
          fix: fix('update-gateway-port-refs', {
            kind: 'AuthorizationPolicy',
            resource: 'authorizationpolicies.security.istio.io',
            namespace: ISTIO_SYSTEM,
            name: policy.metadata.name,
            replacements,
            allow: [],
          }),
        },
      ),
    );
  }
  return findings;
}

// ---- NetworkPolicy ------------------------------------------------------------------------

/** Whether an ingress rule admits `port`: no ports means every port; named ports are not judged. */
function ruleAdmits(rule: Record<string, unknown>, port: number): boolean {
  if (!Array.isArray(rule.ports) || rule.ports.length === 0) return true;
  return records(rule.ports).some((entry) => {
    const protocol = entry.protocol === undefined ? 'TCP' : String(entry.protocol).toUpperCase();
    if (protocol !== 'TCP') return false;
    if (entry.port === undefined) return true;
    const start = typeof entry.port === 'number' ? entry.port : Number(entry.port);
    if (!Number.isInteger(start)) return false;
    const end = typeof entry.endPort === 'number' ? entry.endPort : start;
    return port >= start && port <= end;
  });
}

function networkPolicyFindings(policies: readonly IstioConfig[], gatewayPods: readonly Pod[]): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const policy of policies) {
    // A NetworkPolicy selects pods of its own namespace only.
    if (policy.metadata.namespace !== ISTIO_SYSTEM) continue;
    const spec = specOf(policy);
    if (!selectsGateway(spec.podSelector ?? {}, gatewayPods)) continue;
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : ['Ingress'];
    if (!types.includes('Ingress')) continue;
    const rules = records(spec.ingress);
    const admits = (port: number) => rules.some((rule) => ruleAdmits(rule, port));
    const missing = ALL_PORTS.filter((pair) => admits(pair.old) && !admits(pair.new));
    if (missing.length === 0) continue;
    const replacements = missing.map((pair) => `ingress port ${pair.old} -> also allow ${pair.new}`);
    findings.push(
      findingAbout(
        policy,
        `NetworkPolicy ${ISTIO_SYSTEM}/${policy.metadata.name} selects the ingress gateway pods and admits ` +
          `${missing.map((p) => p.old).join('/')} but not ${missing.map((p) => p.new).join('/')}: the 1.6 gateway ` +
          `listens on 8080/8443 with its status port on 15021, so traffic and health checks to the moved gateway ` +
          `are dropped. Add ${missing.map((p) => `port ${p.new}`).join(', ')} to the ingress rule. ${KEEP_OLD} ${GATED}`,
        {
          fix: fix('update-gateway-port-refs', {
            kind: 'NetworkPolicy',
            resource: 'networkpolicies.networking.k8s.io',
            namespace: ISTIO_SYSTEM,
            name: policy.metadata.name,
            replacements,
            allow: [],
          }),
        },
      ),
    );
  }
  return findings;
}

// ---- BackendConfig ------------------------------------------------------------------------

/**
 * BackendConfig names attached, from `{"default": N}` and `{"ports": {P: N}}`, by the Services in
 * istio-system whose selector selects a gateway pod (whatever the Service is called or labelled).
 */
function attachedBackendConfigs(
  services: readonly Service[],
  gatewayPods: readonly Pod[],
): Map<string, string> {
  const attached = new Map<string, string>();
  for (const service of services) {
    if (service.metadata.namespace !== ISTIO_SYSTEM) continue;
    const selector = service.selector ?? {};
    // A Service without a selector selects no pod.
    if (Object.keys(selector).length === 0 || !selectsGateway({ matchLabels: selector }, gatewayPods))
      continue;
    for (const annotation of BACKEND_CONFIG_ANNOTATIONS) {
      const text = service.metadata.annotations?.[annotation];
      if (text === undefined) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      if (!isRecord(value)) continue;
      const names = [value.default, ...(isRecord(value.ports) ? Object.values(value.ports) : [])];
      for (const name of names) {
        if (typeof name === 'string' && !attached.has(name)) attached.set(name, service.metadata.name);
      }
    }
  }
  return attached;
}

function backendConfigFindings(
  configs: readonly IstioConfig[],
  services: readonly Service[],
  gatewayPods: readonly Pod[],
): RuleFinding[] {
  const attached = attachedBackendConfigs(services, gatewayPods);
  const findings: RuleFinding[] = [];
  for (const config of configs) {
    if (config.metadata.namespace !== ISTIO_SYSTEM) continue;
    const service = attached.get(config.metadata.name);
    if (service === undefined) continue;
    const healthCheck = isRecord(specOf(config).healthCheck)
      ? (specOf(config).healthCheck as Record<string, unknown>)
      : {};
    if (Number(healthCheck.port) !== STATUS.old) continue;
    const path = typeof healthCheck.requestPath === 'string' ? healthCheck.requestPath : undefined;
    const replacements = [
      `keep spec.healthCheck.port ${STATUS.old} while 1.4 and 1.6 gateway pods both run (both answer ${READY_PATH} there)`,
      ...(path === READY_PATH ? [] : [`spec.healthCheck.requestPath: ${path ?? '(unset)'} -> ${READY_PATH}`]),
      `acknowledge it: annotate the BackendConfig ${IGNORE_ANNOTATION}=${RULE_ID} (with ${IGNORE_REASON_ANNOTATION})`,
      `in retire-old-control-plane, once no 1.4 gateway pod is left: spec.healthCheck.port ${STATUS.old} -> ${STATUS.new}`,
    ];
    findings.push(
      findingAbout(
        config,
        `BackendConfig ${ISTIO_SYSTEM}/${config.metadata.name}, attached to Service ${service} (whose selector ` +
          `selects the gateway pods), health-checks port ${STATUS.old}. A health check probes one port, so it ` +
          `cannot name both: the 1.6 gateway pods answer ${READY_PATH} on ${STATUS.new} and, through ` +
          `pilot-agent's status server, still on ${STATUS.old}, while the 1.4 pods answer only on ${STATUS.old}. ` +
          `Do not switch it to ${STATUS.new} now: that takes the 1.4 gateway pods out of the load balancer ` +
          `before the 1.6 pods exist. Keep ${STATUS.old}` +
          (path === READY_PATH ? '' : ` with requestPath ${READY_PATH} (it is ${path ?? 'unset'})`) +
          `, acknowledge it with the annotation ${IGNORE_ANNOTATION}: ${RULE_ID} (and ` +
          `${IGNORE_REASON_ANNOTATION}), and switch to ${STATUS.new} in retire-old-control-plane. ${GATED}`,
        {
          fix: fix('update-gateway-port-refs', {
            kind: 'BackendConfig',
            resource: 'backendconfigs.cloud.google.com',
            namespace: ISTIO_SYSTEM,
            name: config.metadata.name,
            replacements,
            allow: [],
          }),
        },
      ),
    );
  }
  return findings;
}

// ---- firewall rules -----------------------------------------------------------------------

/** Whether the permissions name `port` in a TCP port list (all-port permissions are not "15020 only"). */
function namesPort(permissions: readonly FirewallPermission[], port: number): boolean {
  return permissions.some(
    (p) =>
      (p.IPProtocol === 'tcp' || p.IPProtocol === '6') &&
      (p.ports ?? []).some((spec) => portSpecCovers(spec, port)),
  );
}

function firewallFindings(
  rules: readonly FirewallRule[],
  network: string | undefined,
  project: string | undefined,
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const rule of rules) {
    if (rule.disabled || (rule.direction ?? 'INGRESS') !== 'INGRESS') continue;
    if (network !== undefined && networkName(rule.network) !== network) continue;
    const allowed = rule.allowed ?? [];
    if (!namesPort(allowed, STATUS.old) || allowed.some((p) => permissionCoversTcp(p, STATUS.new))) continue;
    const keep = permissionItems(allowed);
    findings.push({
      message:
        `Firewall rule ${rule.name} opens TCP ${STATUS.old}, the 1.4 gateway's status port, but not ${STATUS.new}, ` +
        `where the 1.6 gateway answers health checks. Add tcp:${STATUS.new}, keeping ${keep.join(', ')}. ` +
        `${KEEP_OLD} ${GATED}`,
      resource: { apiVersion: 'compute.googleapis.com/v1', kind: 'Firewall', name: rule.name },
      origin: rule.origin,
      fix: fix('update-gateway-port-refs', {
        kind: 'Firewall',
        resource: 'firewall-rules',
        name: rule.name,
        project: networkProject(rule.network) ?? project,
        replacements: [`allowed: add tcp:${STATUS.new}`],
        allow: [...keep, `tcp:${STATUS.new}`],
      }),
    });
  }
  return findings;
}

const KUBE_PARTS = [
  'pods',
  'services',
  'authorizationpolicies',
  'networkpolicies',
  'backendconfigs',
] as const;

export default defineRule({
  id: RULE_ID,
  title: "Nothing still names the 1.4 ingress gateway's ports when the gateway moves to 1.6",
  phase: { 'istio-1.6': 'migrate-gateway', 'asm-1.6': 'asm-install', 'asm-1.7': 'asm-install' },
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: [...KUBE_PARTS],
  docs: {
    summary:
      "An object still names the 1.4 ingress gateway's ports (80/443, status 15020), which the 1.6 gateway no longer listens on.",
    checks:
      'Finds the ingress gateway pods in istio-system (labels `istio=ingressgateway` or `app=istio-ingressgateway`) ' +
      'and, while one of them still runs a 1.4 proxy, flags what names its old ports: AuthorizationPolicies ' +
      '(`security.istio.io`) in istio-system whose selector matches a gateway pod (or that have no selector, so ' +
      'apply mesh-wide) with `to.operation.ports` or `notPorts` 80/443 and not 8080/8443; NetworkPolicies in ' +
      'istio-system whose `podSelector` matches a gateway pod and whose ingress rules admit 80, 443 or 15020 but ' +
      'not 8080, 8443 or 15021; BackendConfigs in istio-system attached (annotation ' +
      '`cloud.google.com/backend-config` or `beta.cloud.google.com/backend-config`) to any Service there whose ' +
      '**selector** selects a gateway pod, whatever the Service is called or labelled, and whose ' +
      "`healthCheck.port` is 15020; enabled ingress firewall rules on the cluster's network that name TCP 15020 " +
      'but do not open 15021. ' +
      'Objects of other workloads and namespaces are never flagged, whatever ports they use. Not applicable when ' +
      'no gateway pod runs or every gateway pod already runs 1.6; unknown when Pods, Services or one of the three ' +
      'kinds was not collected, or when nothing else is flagged and the snapshot has no firewall rules.',
    why:
      "Istio 1.4's gateway listens on container ports 80/443 with its status port on 15020 (the 1.4.0 gateways " +
      "chart); the 1.6 gateway, the operator's and Anthos Service Mesh's alike, listens on 8080/8443 with status " +
      'port 15021 (the 1.6.0 istio-ingress chart). From 1.6 an AuthorizationPolicy port is matched against the ' +
      'container port, so an ALLOW policy on 80 stops admitting traffic, and policies, health checks and firewall ' +
      'rules written for the old ports break the moment the gateway moves.',
    fix:
      'Before the gateway moves, **add** the new port beside the old one while 1.4 and 1.6 gateway pods both ' +
      'run: AuthorizationPolicy `ports: ["80"]` -> `["80", "8080"]`, NetworkPolicy ingress ports 8080, 8443 ' +
      'and 15021 beside 80, 443 and 15020, tcp:15021 on the firewall rule (`gcloud compute firewall-rules ' +
      'update RULE --allow tcp:15020,tcp:15021`). A BackendConfig probes one port, so it cannot name both: ' +
      'keep `healthCheck.port: 15020` with `requestPath: /healthz/ready` while both gateways run (the 1.6 ' +
      "gateway's pilot-agent still answers there: its status server on the mesh's default status port " +
      '15020, Istio 1.6.0 `pilot/cmd/pilot-agent/main.go` lines 257-275 and `pkg/config/mesh/mesh.go` line 59; ' +
      'the 1.4 pods never answer on 15021, so switching first takes them out of the load balancer), ' +
      'acknowledge it with the annotation `meshready.dev/ignore: gateway-port-changes` (and ' +
      '`meshready.dev/ignore-reason`), and switch it to 15021 in retire-old-control-plane. Remove the old ' +
      'ports only in retire-old-control-plane, once no 1.4 gateway pod is left. These are run-time gates: the step of ' +
      'remediate.sh that enables the 1.6 gateway (the IstioOperator change for istio-1.6; install_asm, which ' +
      'installs the ASM gateway, for the ASM targets) reads the NetworkPolicies, AuthorizationPolicies, ' +
      'BackendConfigs and firewall rules again and stops, exit 1, naming what is still open (a BackendConfig ' +
      'acknowledged with that annotation is not open).',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Istio 1.6 upgrade notes: ingress gateway ports and AuthorizationPolicy ports',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
      {
        title: 'GKE Ingress: custom health checks with BackendConfig',
        url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-features#direct_health',
      },
    ],
  },
  check(snapshot, { index }) {
    const gatewayPods = (index.podsByNamespace().get(ISTIO_SYSTEM) ?? []).filter(
      (pod) => isGatewayLabelled(pod.metadata.labels) && isLive(pod),
    );
    if (gatewayPods.length === 0) {
      return notApplicable(
        'no ingress gateway pod (istio=ingressgateway or app=istio-ingressgateway) runs in istio-system: there is no gateway to move',
      );
    }
    const old = gatewayPods.filter(runs14);
    if (old.length === 0) {
      // A pod whose version cannot be read (an image pinned by digest) may be a 1.4 gateway.
      const unreadable = gatewayPods.filter((pod) => gatewayProxy(pod).version === undefined);
      if (unreadable.length > 0) {
        return unknown(
          `cannot tell whether a 1.4 ingress gateway still runs: the image of gateway pod ${unreadable
            .map((pod) => pod.metadata.name)
            .sort()
            .join(', ')} has no version tag`,
        );
      }
      const versions = sortedVersionTexts(gatewayPods.map((pod) => imageTag(gatewayProxy(pod).image) ?? '?'));
      return notApplicable(
        `every ingress gateway pod already runs ${versions.join(', ')}: no 1.4 gateway is left to move (the ` +
          'port change has happened)',
      );
    }
    const cluster = snapshot.gkeCluster;
    const findings = [
      ...authorizationPolicyFindings(snapshot.kube.authorizationpolicies, gatewayPods),
      ...networkPolicyFindings(snapshot.kube.networkpolicies, gatewayPods),
      ...backendConfigFindings(snapshot.kube.backendconfigs, snapshot.kube.services, gatewayPods),
    ];
    const firewallsMissing = index.missing('firewalls');
    if (!firewallsMissing) {
      findings.push(...firewallFindings(snapshot.firewalls, networkName(cluster?.network), cluster?.project));
    } else if (findings.length === 0) {
      return unknown(
        `${firewallsMissing}; nothing else names the 1.4 gateway ports, but a firewall rule opening only 15020 cannot be ruled out`,
      );
    }
    return findings;
  },
});
