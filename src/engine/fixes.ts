/**
 * The fix actions a finding can carry, with their parameters, defined once with zod. Rules build
 * fixes with `fix(action, params)` (type-checked); src/remediate turns them into the report's
 * commands and into remediate.sh steps. No rule ever writes a shell command.
 */
import { z } from 'zod';
import type { Fix } from './vocabulary.ts';

const name = z.string().min(1);
const optionalText = z.string().optional();
/** Where a gcloud command must point: the cluster, its location and project when known. */
const clusterScope = { cluster: name, location: optionalText, project: optionalText };

export const FIX_ACTIONS = {
  // cluster-upgrade
  /** gke-version-istio16: upgrade the master to `version`. */
  'upgrade-master': z.object({ ...clusterScope, version: name, from: optionalText }),
  /**
   * gke-upgrade-cr-deletion: back up the custom resources of istio-system (`resources` are
   * `kubectl get` resource names, e.g. `gateways.networking.istio.io`; `objects` are
   * `Kind/name` for display), then upgrade to `version`, a safe one.
   */
  'backup-istio-system-crs': z.object({
    ...clusterScope,
    version: name,
    resources: z.array(z.string()),
    objects: z.array(z.string()),
  }),
  /** ingress-gateway-upgrade-disruption: warn about the outage; `editors` are the field managers seen. */
  'gateway-upgrade-outage': z.object({ namespace: name, name, editors: z.array(z.string()) }),

  // prepare
  /** istiod-revision-ready: look at istiod; `revisions` lists what was found (may be empty). */
  'inspect-istiod': z.object({ revisions: z.array(z.string()) }),
  /** istio-operator-health: inspect an unhealthy IstioOperator. */
  'inspect-operator': z.object({ namespace: name, name, status: optionalText }),
  /** galley-webhook-clusterrole: set the verbs on validatingwebhookconfigurations to [get]. */
  'restrict-galley-clusterrole': z.object({ name, ruleIndex: z.number().int().nonnegative() }),
  /** galley-validating-webhook: back up, then delete the webhook configuration. */
  'delete-galley-webhook': z.object({ name }),
  /** v1alpha1-security-policy: instructions only. */
  'migrate-v1alpha1-policy': z.object({
    kind: name,
    resource: name,
    replacement: name,
    name,
    namespace: optionalText,
    /** `meshready convert`'s output for it: "Kind ns/name" of the objects in `convertedFile`. */
    converted: z.array(z.string()).optional(),
    convertedFile: optionalText,
    /** The object as read and its v1beta1 equivalent (YAML), shown side by side in the HTML. */
    sourceYaml: optionalText,
    convertedYaml: optionalText,
    /** Why no v1beta1 object was written for it. */
    notConverted: optionalText,
  }),
  /** envoyfilter-usage: instructions only. */
  'review-envoyfilter': z.object({ namespace: name, name }),
  /** mixer-custom-config: instructions only; `resource` is the kubectl resource name. */
  'review-mixer-config': z.object({ kind: name, resource: name, namespace: optionalText, name }),
  /** virtualservice-removed-fields: instructions only; `fields` are JSON paths of removed fields. */
  'fix-virtualservice-fields': z.object({ namespace: name, name, fields: z.array(z.string()) }),
  /**
   * service-port-naming: instructions only. `ports` describe the failing ports, `suggestions`
   * explain suggested names, `patches` are `index=name` pairs the script shows (never applies).
   */
  'name-service-ports': z.object({
    namespace: name,
    name,
    ports: z.array(z.string()),
    suggestions: z.array(z.string()),
    patches: z.array(z.string()),
    /** Whether `appProtocol` may be offered: only on a 1.19+ master (1.17 drops it, 1.18 gates it off). */
    appProtocol: z.boolean().optional(),
  }),
  /** node-machine-vcpu: move workloads to a pool with >= 4 vCPUs (`suggestedMachineType`). */
  'replace-node-pool': z.object({
    ...clusterScope,
    pool: name,
    machineType: name,
    suggestedMachineType: name,
  }),
  /** cluster-vcpu-capacity: grow a pool to `nodes` nodes (per zone), or raise its autoscaling minimum. */
  'resize-node-pool': z.object({
    ...clusterScope,
    pool: name,
    nodes: z.number().int().positive(),
    autoscaling: z.boolean(),
  }),
  /** workload-identity: enable it on the cluster (`workloadPool`) and on the listed pools. */
  'enable-workload-identity': z.object({
    ...clusterScope,
    workloadPool: name,
    clusterEnabled: z.boolean(),
    pools: z.array(z.string()),
  }),
  /**
   * webhook-firewall-15017: add tcp:15017 to `rule` keeping `allowed` (gcloud `--allow` items),
   * or, without a GKE master rule, create `newRule` from `sourceRange` to `targetTags`.
   */
  'open-webhook-port': z.object({
    project: optionalText,
    network: name,
    rule: optionalText,
    allowed: z.array(z.string()),
    newRule: name,
    sourceRange: name,
    targetTags: z.array(z.string()),
  }),

  // migrate-namespaces
  /** namespace-injection-labels: `revision` is empty when no istiod revision runs yet. */
  'relabel-namespace': z.object({ namespace: name, revision: z.string() }),
  /** sidecar-proxy-version: restart a workload (Deployment, StatefulSet, DaemonSet; Pod = instruction). */
  'restart-workload': z.object({
    kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod']),
    namespace: name,
    name,
    pods: z.number().int().nonnegative(),
  }),

  // migrate-gateway
  /** ingress-gateway-revision: enable ingressGateways[index] (named istio-ingressgateway). */
  'enable-operator-gateway': z.object({ operator: name, index: z.number().int().nonnegative() }),

  /**
   * gateway-port-changes: instructions only. `resource` is the kubectl resource name (or
   * `firewall-rules`), `replacements` say what changes, `allow` is a firewall rule's new `--allow`.
   */
  'update-gateway-port-refs': z.object({
    kind: name,
    resource: name,
    namespace: optionalText,
    name,
    project: optionalText,
    replacements: z.array(z.string()),
    allow: z.array(z.string()),
  }),

  // retire-old-control-plane
  'scale-down-old-control-plane': z.object({ deployments: z.array(z.string()) }),

  // asm-install
  /**
   * install-asm-preconditions: `meshready scan` writes `overlay` (an IstioOperator YAML) to `file`
   * next to the reports, and the install step passes `--custom_overlay file`.
   */
  'write-custom-overlay': z.object({
    operator: name,
    namespace: name,
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$/),
    overlay: name,
    settings: z.array(z.string()),
  }),
  /** istio-operator-profile: set spec.profile to `profile` (disabled before ASM, empty after). */
  'set-operator-profile': z.object({ operator: name, profile: z.enum(['disabled', 'empty']) }),
} as const;

export type FixAction = keyof typeof FIX_ACTIONS;
export type FixParams<A extends FixAction> = z.input<(typeof FIX_ACTIONS)[A]>;

/** A structured fix, with its parameters checked against the action's schema. */
export function fix<A extends FixAction>(action: A, params: FixParams<A>): Fix {
  const parsed = FIX_ACTIONS[action].parse(params) as Record<string, unknown>;
  for (const key of Object.keys(parsed)) if (parsed[key] === undefined) delete parsed[key];
  return { action, params: parsed as Fix['params'] };
}

export function isFixAction(action: string): action is FixAction {
  return Object.hasOwn(FIX_ACTIONS, action);
}
