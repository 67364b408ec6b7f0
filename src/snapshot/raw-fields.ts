/**
 * The raw fields the rules decide on, per kind, as plain data (`RawType`): raw-schema.ts builds
 * its two checkers (a compiled predicate, and a zod schema that words a problem) from these
 * declarations, and kinds.ts says which kind is checked for which. Only the fields the rules read
 * are declared, all loose (other fields pass untouched), and strings are bounded (Kubernetes
 * names are at most 253 characters) so a 50 MB name cannot turn into gigabytes of reports.
 */

/** DNS subdomain names (most object names) are at most 253 characters. */
export const MAX_NAME_LENGTH = 253;
/** Any other string a rule reads (images, label values, versions, protocol names). */
export const MAX_TEXT_LENGTH = 4096;

/** A string length bound (in code points, as zod counts) and the message zod gives when it is broken. */
interface LengthBound {
  readonly length: number;
  readonly message?: string;
}

/** The type of one raw field, as data: the zod schema and the predicate are both built from it. */
export type RawType =
  | {
      readonly type: 'string';
      readonly min?: LengthBound;
      readonly max?: LengthBound;
      readonly pattern?: { readonly regex: RegExp; readonly message: string };
    }
  | { readonly type: 'number'; readonly int?: true; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'scalarMap'; readonly maxValueLength: number; readonly message: string }
  | { readonly type: 'array'; readonly item: RawType }
  | { readonly type: 'object'; readonly shape: RawShape }
  | { readonly type: 'union'; readonly options: readonly [RawType, RawType, ...RawType[]] }
  | { readonly type: 'maybe'; readonly inner: RawType };
/** The declared fields of a loose object; fields not declared pass untouched. */
export type RawShape = Readonly<Record<string, RawType>>;

const string = (bounds: Omit<Extract<RawType, { type: 'string' }>, 'type'> = {}): RawType => ({
  type: 'string',
  ...bounds,
});
const array = (item: RawType): RawType => ({ type: 'array', item });
const object = (shape: RawShape): RawType => ({ type: 'object', shape });
const union = (...options: [RawType, RawType, ...RawType[]]): RawType => ({ type: 'union', options });
/** `null` is how YAML writes an empty field (`ports:` with nothing after it); it reads as absent. */
const maybe = (inner: RawType): RawType => ({ type: 'maybe', inner });
const spec = (shape: RawShape): RawType => maybe(object(shape));
const boolean: RawType = { type: 'boolean' };
/** Any finite number (zod's z.number() refuses NaN and ±Infinity). */
const number: RawType = { type: 'number' };

const name = string({
  min: { length: 1, message: 'must not be empty' },
  max: {
    length: MAX_NAME_LENGTH,
    message: `longer than ${MAX_NAME_LENGTH} characters (a Kubernetes name is at most that)`,
  },
});
const text = string({
  max: { length: MAX_TEXT_LENGTH, message: `longer than ${MAX_TEXT_LENGTH} characters` },
});
const count: RawType = { type: 'number', int: true, min: 0 };
/** A port number; JSON `1e400` parses as Infinity and is refused here. */
const portNumber: RawType = { type: 'number', int: true, min: 0, max: 65535 };
/**
 * Label and annotation values: hand-written YAML may say `version: 1`, which strip.ts reads as
 * text. Checked by one function rather than z.record, which copies every map it validates: these
 * maps are on every object, and the check must stay cheap at 200,000 objects.
 */
const labelMap: RawType = {
  type: 'scalarMap',
  maxValueLength: MAX_TEXT_LENGTH,
  message: `expected a map of strings (values at most ${MAX_TEXT_LENGTH} characters)`,
};
/** Annotations may be long (the last-applied configuration), so their values are not bounded here. */
const annotationMap: RawType = {
  type: 'scalarMap',
  maxValueLength: Number.POSITIVE_INFINITY,
  message: 'expected a map of strings',
};
const strings = array(text);

/** What every raw object is checked for: the metadata every rule may read. */
export const RAW_METADATA = object({
  name,
  namespace: maybe(name),
  uid: maybe(text),
  labels: maybe(labelMap),
  annotations: maybe(annotationMap),
  ownerReferences: maybe(
    array(
      object({
        apiVersion: maybe(text),
        kind: maybe(text),
        name: maybe(string({ max: { length: MAX_NAME_LENGTH } })),
        uid: maybe(text),
        controller: maybe(boolean),
      }),
    ),
  ),
  managedFields: maybe(array(object({ manager: maybe(text) }))),
});

const containers = maybe(array(object({ name: maybe(text), image: maybe(text) })));
const podTemplate = object({
  metadata: maybe(object({ labels: maybe(labelMap) })),
  spec: maybe(object({ containers })),
});

const servicePort = object({
  name: maybe(text),
  port: maybe(union(portNumber, string({ pattern: { regex: /^\d{1,5}$/, message: 'not a port number' } }))),
  protocol: maybe(text),
  appProtocol: maybe(text),
  targetPort: maybe(union(portNumber, text)),
});

/** A Kubernetes label selector (NetworkPolicy `podSelector`). */
const labelSelector = object({
  matchLabels: maybe(labelMap),
  matchExpressions: maybe(array(object({ key: maybe(text), operator: maybe(text), values: maybe(strings) }))),
});

const policyRule = object({
  apiGroups: maybe(strings),
  resources: maybe(strings),
  resourceNames: maybe(strings),
  verbs: maybe(strings),
});

// ---- the fields of each kind (kinds.ts names them) ----------------------------------------

export const NODE_FIELDS: RawShape = {
  status: spec({
    capacity: spec({ cpu: maybe(union(text, count)) }),
    nodeInfo: spec({ kubeletVersion: maybe(text) }),
  }),
};

export const SERVICE_FIELDS: RawShape = {
  spec: spec({ type: maybe(text), ports: maybe(array(servicePort)) }),
};

export const POD_FIELDS: RawShape = {
  spec: spec({ containers }),
  status: spec({
    phase: maybe(text),
    conditions: maybe(array(object({ type: maybe(text), status: maybe(text) }))),
  }),
};

export const WORKLOAD_FIELDS: RawShape = {
  spec: spec({ replicas: maybe(count), template: maybe(podTemplate) }),
  status: spec({ readyReplicas: maybe(count) }),
};

export const DAEMON_SET_FIELDS: RawShape = {
  spec: spec({ template: maybe(podTemplate) }),
  status: spec({ desiredNumberScheduled: maybe(count), numberReady: maybe(count) }),
};

export const WEBHOOK_CONFIGURATION_FIELDS: RawShape = {
  webhooks: maybe(array(object({ name: maybe(text) }))),
};

export const CLUSTER_ROLE_FIELDS: RawShape = { rules: maybe(array(policyRule)) };

export const ISTIO_OPERATOR_FIELDS: RawShape = {
  spec: spec({
    profile: maybe(text),
    revision: maybe(text),
    tag: maybe(union(text, number)),
    components: spec({
      ingressGateways: maybe(array(object({ name: maybe(text), enabled: maybe(boolean) }))),
    }),
  }),
  status: spec({ status: maybe(text) }),
};

export const VIRTUAL_SERVICE_FIELDS: RawShape = { spec: maybe(object({})) };

// gateway-port-changes decides on the ports of these three: a port it cannot read must not read
// as absent (or as Infinity on one path and null on the other, issue #25).
export const NETWORK_POLICY_FIELDS: RawShape = {
  spec: spec({
    podSelector: maybe(labelSelector),
    policyTypes: maybe(strings),
    ingress: maybe(
      array(
        object({
          ports: maybe(
            array(
              object({
                protocol: maybe(text),
                port: maybe(union(portNumber, text)),
                endPort: maybe(portNumber),
              }),
            ),
          ),
        }),
      ),
    ),
  }),
};

export const AUTHORIZATION_POLICY_FIELDS: RawShape = {
  spec: spec({
    selector: maybe(object({ matchLabels: maybe(labelMap) })),
    rules: maybe(
      array(
        object({
          to: maybe(
            array(
              object({
                operation: maybe(
                  object({
                    ports: maybe(array(union(text, portNumber))),
                    notPorts: maybe(array(union(text, portNumber))),
                  }),
                ),
              }),
            ),
          ),
        }),
      ),
    ),
  }),
};

export const BACKEND_CONFIG_FIELDS: RawShape = {
  spec: spec({
    healthCheck: maybe(object({ port: maybe(union(portNumber, text)), requestPath: maybe(text) })),
  }),
};
