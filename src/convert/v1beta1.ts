/**
 * The security.istio.io/v1beta1 objects `meshready convert` writes, as Istio 1.6 defines them
 * (istio.io/api release-1.6: security/v1beta1 authorization.proto, peer_authentication.proto,
 * request_authentication.proto; type/v1beta1 selector.proto). No kept npm package publishes the
 * 1.6 types (@kubernetes-models/istio follows current Istio, which accepts fields 1.6 rejects),
 * so these zod schemas are written from those protos. They are strict: a field 1.6 does not
 * know fails validation, and every generated object is checked against them before it is output.
 */
import { z } from 'zod';

const strings = z.array(z.string().min(1)).min(1);

export const workloadSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()),
});
export type WorkloadSelector = z.infer<typeof workloadSelectorSchema>;

export const sourceSchema = z.strictObject({
  principals: strings.optional(),
  notPrincipals: strings.optional(),
  requestPrincipals: strings.optional(),
  notRequestPrincipals: strings.optional(),
  namespaces: strings.optional(),
  notNamespaces: strings.optional(),
  ipBlocks: strings.optional(),
  notIpBlocks: strings.optional(),
});
export type Source = z.infer<typeof sourceSchema>;

/** Ports are strings in 1.6's Operation (a port number or `*`). */
const ports = z.array(z.string().regex(/^(\d{1,5}|\*)$/)).min(1);

export const operationSchema = z.strictObject({
  hosts: strings.optional(),
  notHosts: strings.optional(),
  ports: ports.optional(),
  notPorts: ports.optional(),
  methods: strings.optional(),
  notMethods: strings.optional(),
  paths: strings.optional(),
  notPaths: strings.optional(),
});
export type Operation = z.infer<typeof operationSchema>;

/** The condition keys Istio 1.6 accepts in `when` (its authorization/model validation). */
export const CONDITION_KEY =
  /^(request\.headers\[[^\]]+\]|source\.ip|source\.namespace|source\.principal|request\.auth\.principal|request\.auth\.audiences|request\.auth\.presenter|request\.auth\.claims\[[^\]]+\]|destination\.ip|destination\.port|connection\.sni|experimental\.envoy\.filters\.[^[\]]+\[[^\]]+\])$/;

export const conditionSchema = z
  .strictObject({
    key: z.string().regex(CONDITION_KEY, 'a condition key Istio 1.6 supports'),
    values: strings.optional(),
    notValues: strings.optional(),
  })
  .refine(
    (c) => c.values !== undefined || c.notValues !== undefined,
    'a condition needs values or notValues',
  );
export type Condition = z.infer<typeof conditionSchema>;

export const ruleSchema = z.strictObject({
  from: z.array(z.strictObject({ source: sourceSchema })).optional(),
  to: z.array(z.strictObject({ operation: operationSchema })).optional(),
  when: z.array(conditionSchema).optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const authorizationPolicySpecSchema = z.strictObject({
  selector: workloadSelectorSchema.optional(),
  rules: z.array(ruleSchema).optional(),
  action: z.enum(['ALLOW', 'DENY']).optional(),
});
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpecSchema>;

export const mtlsModeSchema = z.enum(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']);
export type MtlsMode = z.infer<typeof mtlsModeSchema>;
const mutualTlsSchema = z.strictObject({ mode: mtlsModeSchema });

export const peerAuthenticationSpecSchema = z.strictObject({
  selector: workloadSelectorSchema.optional(),
  mtls: mutualTlsSchema.optional(),
  portLevelMtls: z.record(z.string().regex(/^\d{1,5}$/), mutualTlsSchema).optional(),
});
export type PeerAuthenticationSpec = z.infer<typeof peerAuthenticationSpecSchema>;

export const jwtRuleSchema = z.strictObject({
  issuer: z.string().min(1),
  audiences: strings.optional(),
  jwksUri: z.string().min(1).optional(),
  jwks: z.string().min(1).optional(),
  fromHeaders: z.array(z.strictObject({ name: z.string().min(1), prefix: z.string().optional() })).optional(),
  fromParams: strings.optional(),
  outputPayloadToHeader: z.string().optional(),
  forwardOriginalToken: z.boolean().optional(),
});
export type JwtRule = z.infer<typeof jwtRuleSchema>;

export const requestAuthenticationSpecSchema = z.strictObject({
  selector: workloadSelectorSchema.optional(),
  jwtRules: z.array(jwtRuleSchema).optional(),
});
export type RequestAuthenticationSpec = z.infer<typeof requestAuthenticationSpecSchema>;

const metadataSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS-1123 name')
    .max(253),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name')
    .max(63),
});

const objectOf = <K extends string, S extends z.ZodType>(kind: K, spec: S) =>
  z.strictObject({
    apiVersion: z.literal('security.istio.io/v1beta1'),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });

export const v1beta1ObjectSchema = z.discriminatedUnion('kind', [
  objectOf('AuthorizationPolicy', authorizationPolicySpecSchema),
  objectOf('PeerAuthentication', peerAuthenticationSpecSchema),
  objectOf('RequestAuthentication', requestAuthenticationSpecSchema),
]);
export type V1beta1Object = z.infer<typeof v1beta1ObjectSchema>;
export type V1beta1Kind = V1beta1Object['kind'];
