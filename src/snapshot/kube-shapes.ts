/**
 * What is kept of each Kubernetes object: the stripped shapes, declared in shape.ts's language
 * (each field names its zod schema and where in the raw API object it is read from). The zod
 * schemas (TypeScript types, the validation of the bundle written by `meshready collect`) and the
 * strippers strip.ts runs are both derived from these declarations; kinds.ts says which kind
 * keeps which shape.
 */
import { z } from 'zod';
import {
  at,
  computed,
  copied,
  flag,
  integer,
  isRecord,
  items,
  nested,
  num,
  origin,
  type Raw,
  shape,
  stringMap,
  text,
  texts,
} from './shape.ts';

const ownerReference = shape({
  apiVersion: text('apiVersion'),
  kind: text('kind').notEmpty().required(),
  name: text('name').notEmpty().required(),
  uid: text('uid'),
  controller: flag('controller'),
});
export type OwnerReference = z.infer<typeof ownerReference.schema>;

/** The field managers named in metadata.managedFields, sorted and without repeats. */
function managerNames(metadata: Raw): string[] | undefined {
  const managedFields = metadata.managedFields;
  if (!Array.isArray(managedFields)) return undefined;
  const managers = new Set<string>();
  for (const entry of managedFields) {
    const manager = isRecord(entry) ? entry.manager : undefined;
    if (typeof manager === 'string' && manager !== '') managers.add(manager);
  }
  return managers.size > 0 ? [...managers].sort() : undefined;
}

const metadata = shape({
  name: text('name').notEmpty().required(),
  namespace: text('namespace'),
  uid: text('uid'),
  labels: stringMap('labels'),
  annotations: stringMap('annotations'),
  ownerReferences: items('ownerReferences', ownerReference).notEmpty(),
  /** Names of the field managers in metadata.managedFields (who edited the object). */
  managers: computed(z.array(z.string()), managerNames),
});
export const metadataSchema = metadata.schema;
export type ObjectMetadata = z.infer<typeof metadataSchema>;

/** What every stripped Kubernetes object has; an object without metadata.name is dropped. */
const kubeObject = {
  apiVersion: text('apiVersion').or(''),
  kind: text('kind').or(''),
  metadata: nested('metadata', metadata).required(),
  origin: origin(),
};
/** The fields every stripped object has (the docs list what a kind keeps beyond them). */
export const COMMON_FIELDS: readonly string[] = Object.keys(kubeObject);

const container = shape({ name: text('name').or(''), image: text('image') });
export type Container = z.infer<typeof container.schema>;

const servicePort = shape({
  name: text('name'),
  port: integer('port').or(0),
  protocol: text('protocol'),
  appProtocol: text('appProtocol'),
  targetPort: computed(z.union([z.number().int(), z.string()]), (port) => {
    const value = port.targetPort;
    return num(value) ?? (typeof value === 'string' ? value : undefined);
  }),
});
export type ServicePort = z.infer<typeof servicePort.schema>;

const policyRule = shape({
  apiGroups: texts('apiGroups'),
  resources: texts('resources'),
  resourceNames: texts('resourceNames'),
  verbs: texts('verbs').orEmpty(),
});
export type PolicyRule = z.infer<typeof policyRule.schema>;

const podConditions = at('status.conditions');
function podReady(pod: Raw): boolean {
  const conditions = podConditions(pod);
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True')
  );
}

const capacityCpu = at('status.capacity.cpu');
/** status.capacity.cpu: a quantity, as text ("4", "3920m") or a bare number. */
function cpuCapacity(node: Raw): string | undefined {
  const cpu = capacityCpu(node);
  return typeof cpu === 'string' ? cpu : num(cpu)?.toString();
}

const objectName = at('metadata.name');
const meshConfigText = at('data.mesh');
/** rootNamespace from the `istio` ConfigMap's mesh config text, read with a line match: nothing else is kept. */
function meshRootNamespace(configMap: Raw): string | undefined {
  if (objectName(configMap) !== 'istio') return undefined;
  const mesh = meshConfigText(configMap);
  if (typeof mesh !== 'string') return undefined;
  const match = /^rootNamespace:[ \t]*["']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["']?[ \t]*$/m.exec(mesh);
  return match?.[1];
}

/** Components whose settings install_asm carries over itself (it installs its own gateways). */
const GATEWAY_COMPONENTS = new Set(['ingressGateways', 'egressGateways']);

function nonEmptyRecord(value: unknown): Raw | undefined {
  return isRecord(value) && Object.keys(value).length > 0 ? value : undefined;
}

const customSettingsSchema = z.object({
  meshConfig: z.record(z.string(), z.unknown()).optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  componentK8s: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** An IstioOperator's meshConfig, values and non-gateway component k8s settings, when set. */
function operatorCustomSettings(operator: Raw): z.infer<typeof customSettingsSchema> | undefined {
  const spec = isRecord(operator.spec) ? operator.spec : {};
  const components = isRecord(spec.components) ? spec.components : {};
  const componentK8s: Record<string, Raw> = {};
  for (const [component, settings] of Object.entries(components)) {
    if (GATEWAY_COMPONENTS.has(component)) continue;
    const k8s = nonEmptyRecord(isRecord(settings) ? settings.k8s : undefined);
    if (k8s) componentK8s[component] = k8s;
  }
  const custom: z.infer<typeof customSettingsSchema> = {};
  const meshConfig = nonEmptyRecord(spec.meshConfig);
  if (meshConfig) custom.meshConfig = meshConfig;
  const values = nonEmptyRecord(spec.values);
  if (values) custom.values = values;
  if (Object.keys(componentK8s).length > 0) custom.componentK8s = componentK8s;
  return Object.keys(custom).length > 0 ? custom : undefined;
}

const gatewayComponent = shape({ name: text('name'), enabled: flag('enabled') });

/** spec.components.ingressGateways; absent when spec.components is not set. */
const ingressGateways = items('spec.components.ingressGateways', gatewayComponent).orEmpty();
const operatorComponents = at('spec.components');
function operatorIngressGateways(operator: Raw): z.infer<typeof gatewayComponent.schema>[] | undefined {
  return isRecord(operatorComponents(operator)) ? ingressGateways.read(operator, undefined) : undefined;
}

/** Kinds of which rules read only what every object has (names, labels, owners). */
export const namedObject = shape({ ...kubeObject });
export const node = shape({
  ...kubeObject,
  cpuCapacity: computed(z.string(), cpuCapacity),
  kubeletVersion: text('status.nodeInfo.kubeletVersion'),
});
export const service = shape({
  ...kubeObject,
  type: text('spec.type'),
  ports: items('spec.ports', servicePort).orEmpty(),
  /** spec.selector: the workload labels behind the Service (read by `meshready convert`). */
  selector: stringMap('spec.selector'),
});
export const pod = shape({
  ...kubeObject,
  containers: items('spec.containers', container).orEmpty(),
  ready: computed(z.boolean(), podReady).or(false),
  phase: text('status.phase'),
});
/** Deployments and StatefulSets; DaemonSets read their counts from other fields. */
const workloadFields = {
  ...kubeObject,
  replicas: integer('spec.replicas'),
  readyReplicas: integer('status.readyReplicas'),
  templateLabels: stringMap('spec.template.metadata.labels'),
  containers: items('spec.template.spec.containers', container).orEmpty(),
};
export const workload = shape(workloadFields);
export const daemonSet = shape({
  ...workloadFields,
  replicas: integer('status.desiredNumberScheduled'),
  readyReplicas: integer('status.numberReady'),
});
export const webhookConfiguration = shape({
  ...kubeObject,
  /** The webhooks' names. */
  webhooks: items('webhooks', text('name')).orEmpty(),
});
export const clusterRole = shape({ ...kubeObject, rules: items('rules', policyRule).orEmpty() });
export const configMap = shape({
  ...kubeObject,
  /** The mesh config's rootNamespace, kept from the `istio` ConfigMap only. */
  meshRootNamespace: computed(z.string(), meshRootNamespace),
});
export const istioOperator = shape({
  ...kubeObject,
  profile: text('spec.profile'),
  revision: text('spec.revision'),
  tag: text('spec.tag'),
  ingressGateways: computed(ingressGateways.value, operatorIngressGateways),
  status: text('status.status'),
  /**
   * The settings install_asm's plain migration would drop: `spec.meshConfig`, `spec.values` and
   * the `k8s` settings of components other than gateways, as written (install-asm-preconditions).
   */
  customSettings: computed(customSettingsSchema, operatorCustomSettings, { raw: true }),
});
/** Configuration objects whose spec some rule (or `meshready convert`) reads in full: they are few and small. */
export const istioConfig = shape({ ...kubeObject, spec: copied('spec') });
