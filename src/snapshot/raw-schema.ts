/**
 * The shape of the raw fields the rules read, checked before an object is stripped.
 *
 * strip.ts reads defensively (a field of the wrong type reads as absent), which is right for
 * fields nobody reads but wrong for the ones a rule decides on: a ClusterRole whose `rules:` is a
 * map granting `verbs: ["*"]` read as "no rules" and passed `galley-webhook-clusterrole`; a
 * Service whose `ports:` is a map read as "no ports" and passed `service-port-naming`. Such an
 * object is not one the API server would return, so it is refused: an input error naming the file
 * and line offline, the kind not collected (`unknown`) live.
 *
 * Only the fields the rules read are declared, all loose (other fields pass untouched), and
 * strings are bounded (Kubernetes names are at most 253 characters) so a 50 MB name cannot turn
 * into gigabytes of reports. These are zod schemas like the snapshot model; they are only used to
 * check, their output is discarded.
 */
import { z } from 'zod';
import type { KubeKind } from './model.ts';
import { isKeptObject, isRecord } from './strip.ts';

/** DNS subdomain names (most object names) are at most 253 characters. */
export const MAX_NAME_LENGTH = 253;
/** Any other string a rule reads (images, label values, versions, protocol names). */
const MAX_TEXT_LENGTH = 4096;

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `longer than ${MAX_NAME_LENGTH} characters (a Kubernetes name is at most that)`);
const text = z.string().max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`);
const count = z.number().int().nonnegative().finite();
/** A port number; JSON `1e400` parses as Infinity and is refused here. */
const portNumber = z.number().int().min(0).max(65535);
function isScalarMap(value: unknown, maxLength: number): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    const entry = (value as Record<string, unknown>)[key];
    if (key.length > MAX_TEXT_LENGTH) return false;
    if (typeof entry === 'string') {
      if (entry.length > maxLength) return false;
    } else if (entry !== null && typeof entry !== 'number' && typeof entry !== 'boolean') return false;
  }
  return true;
}
/**
 * Label and annotation values: hand-written YAML may say `version: 1`, which strip.ts reads as
 * text. Checked by one function rather than z.record, which copies every map it validates: these
 * maps are on every object, and the check must stay cheap at 200,000 objects.
 */
const labelMap = z.custom<Record<string, unknown>>(
  (value) => isScalarMap(value, MAX_TEXT_LENGTH),
  `expected a map of strings (values at most ${MAX_TEXT_LENGTH} characters)`,
);
/** Annotations may be long (the last-applied configuration), so their values are not bounded here. */
const annotationMap = z.custom<Record<string, unknown>>(
  (value) => isScalarMap(value, Number.POSITIVE_INFINITY),
  'expected a map of strings',
);
const strings = z.array(text);
/** `null` is how YAML writes an empty field (`ports:` with nothing after it); it reads as absent. */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullish();

const metadata = z.looseObject({
  name,
  namespace: maybe(name),
  uid: maybe(text),
  labels: maybe(labelMap),
  annotations: maybe(annotationMap),
  ownerReferences: maybe(
    z.array(
      z.looseObject({
        apiVersion: maybe(text),
        kind: maybe(text),
        name: maybe(z.string().max(MAX_NAME_LENGTH)),
        uid: maybe(text),
        controller: maybe(z.boolean()),
      }),
    ),
  ),
  managedFields: maybe(z.array(z.looseObject({ manager: maybe(text) }))),
});

const containers = maybe(z.array(z.looseObject({ name: maybe(text), image: maybe(text) })));
const podTemplate = z.looseObject({
  metadata: maybe(z.looseObject({ labels: maybe(labelMap) })),
  spec: maybe(z.looseObject({ containers })),
});

const servicePort = z.looseObject({
  name: maybe(text),
  port: maybe(z.union([portNumber, z.string().regex(/^\d{1,5}$/, 'not a port number')])),
  protocol: maybe(text),
  appProtocol: maybe(text),
  targetPort: maybe(z.union([portNumber, text])),
});

const policyRule = z.looseObject({
  apiGroups: maybe(strings),
  resources: maybe(strings),
  resourceNames: maybe(strings),
  verbs: maybe(strings),
});

const spec = <T extends z.core.$ZodLooseShape>(shape: T) => maybe(z.looseObject(shape));

const KIND_FIELDS: Readonly<Partial<Record<KubeKind, z.core.$ZodLooseShape>>> = {
  nodes: {
    status: spec({
      capacity: spec({ cpu: maybe(z.union([text, count])) }),
      nodeInfo: spec({ kubeletVersion: maybe(text) }),
    }),
  },
  services: { spec: spec({ type: maybe(text), ports: maybe(z.array(servicePort)) }) },
  pods: {
    spec: spec({ containers }),
    status: spec({
      phase: maybe(text),
      conditions: maybe(z.array(z.looseObject({ type: maybe(text), status: maybe(text) }))),
    }),
  },
  deployments: {
    spec: spec({ replicas: maybe(count), template: maybe(podTemplate) }),
    status: spec({ readyReplicas: maybe(count) }),
  },
  statefulsets: {
    spec: spec({ replicas: maybe(count), template: maybe(podTemplate) }),
    status: spec({ readyReplicas: maybe(count) }),
  },
  daemonsets: {
    spec: spec({ template: maybe(podTemplate) }),
    status: spec({ desiredNumberScheduled: maybe(count), numberReady: maybe(count) }),
  },
  validatingwebhookconfigurations: { webhooks: maybe(z.array(z.looseObject({ name: maybe(text) }))) },
  mutatingwebhookconfigurations: { webhooks: maybe(z.array(z.looseObject({ name: maybe(text) }))) },
  clusterroles: { rules: maybe(z.array(policyRule)) },
  istiooperators: {
    spec: spec({
      profile: maybe(text),
      revision: maybe(text),
      tag: maybe(z.union([text, z.number()])),
      components: spec({
        ingressGateways: maybe(z.array(z.looseObject({ name: maybe(text), enabled: maybe(z.boolean()) }))),
      }),
    }),
    status: spec({ status: maybe(text) }),
  },
  virtualservices: { spec: maybe(z.looseObject({})) },
};

const SCHEMAS = new Map<KubeKind, z.ZodType>();
function schemaFor(kind: KubeKind): z.ZodType {
  let schema = SCHEMAS.get(kind);
  if (!schema) {
    schema = z.looseObject({ metadata, ...KIND_FIELDS[kind] });
    SCHEMAS.set(kind, schema);
  }
  return schema;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** What is wrong with a raw object of a kind the rules read, or undefined when nothing is. */
export function rawObjectProblem(kind: KubeKind, raw: unknown): string | undefined {
  const result = schemaFor(kind).safeParse(raw);
  if (result.success) return undefined;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  return `${pathText(issue.path) || 'object'}: ${issue.message}`;
}

/** "Service shop/cart" for messages, from whatever the raw object holds (bounded). */
export function describeRawObject(raw: Record<string, unknown>): string {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const clip = (value: unknown) => (typeof value === 'string' ? value.slice(0, 80) : '');
  const namespace = clip(metadata.namespace);
  const objectName = clip(metadata.name) || '(no name)';
  return `${clip(raw.kind) || 'object'} ${namespace ? `${namespace}/` : ''}${objectName}`;
}

/**
 * Why a raw object of a kind the rules read cannot be used, or undefined when it can. Objects
 * the snapshot drops anyway (ConfigMaps outside istio-system, ClusterRoles not Istio's) are not
 * checked: no rule reads them.
 */
export function invalidRawObject(kind: KubeKind, raw: Record<string, unknown>): string | undefined {
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
    const kept = isKeptObject(kind, {
      name: metadata.name,
      ...(namespace === undefined ? {} : { namespace }),
    });
    if (!kept) return undefined;
  }
  const problem = rawObjectProblem(kind, raw);
  return problem === undefined ? undefined : `${describeRawObject(raw)}: ${problem}`;
}
