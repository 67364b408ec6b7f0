/**
 * v1alpha1-security-policy, phase prepare: a v1alpha1 policy whose v1beta1 replacement is not in
 * the cluster yet. Converted by `meshready scan` (the v1beta1 file next to the script): once the
 * galley webhook is gone (the 1.4 galley rejects kinds it does not know), apply that file
 * (server-side dry run, then apply) and check each replacement; one step for every policy of the
 * file. Not converted: a TODO, since translating the intent needs judgement. The v1alpha1 objects
 * stay: 1.4 proxies read only them (./delete-v1alpha1-policy.ts removes them once 1.4 is gone).
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { getYaml, name, optionalText } from '../common.ts';

const V1BETA1_RESOURCES: Readonly<Record<string, string>> = {
  AuthorizationPolicy: 'authorizationpolicies.security.istio.io',
  PeerAuthentication: 'peerauthentications.security.istio.io',
  RequestAuthentication: 'requestauthentications.security.istio.io',
};

export interface V1beta1Object {
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
}

/** "Kind ns/name" of an object `meshready convert` wrote, as kubectl arguments. */
export function convertedObject(described: string): V1beta1Object[] {
  const match = /^(\w+) ([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(described);
  const resource = match ? V1BETA1_RESOURCES[match[1] as string] : undefined;
  return match && resource ? [{ resource, namespace: match[2] as string, name: match[3] as string }] : [];
}

/** What identifies a v1alpha1 policy and its replacement, in both actions' parameters. */
export const policyIdentity = {
  kind: name,
  /** The kubectl resource of the v1alpha1 object, e.g. `servicerolebindings.rbac.istio.io`. */
  resource: name,
  name,
  namespace: optionalText,
  /** `meshready convert`'s output for it: "Kind ns/name" of the v1beta1 objects that replace it. */
  converted: z.array(z.string()).optional(),
  /** A STRICT MeshPolicy: its replacement is a mesh-wide STRICT PeerAuthentication in istio-system. */
  meshStrict: z.boolean().optional(),
};

/**
 * The run-time check (v1beta1_replacements_exist) that a policy's replacement exists, four words a
 * check: `object RESOURCE NAMESPACE NAME`, `mesh-strict - - -`, or, for a policy meshready could not
 * convert, `by-hand RESOURCE NAMESPACE NAME` (its v1alpha1 object: a human must rewrite it first).
 */
export function replacementChecks(p: {
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly converted?: readonly string[] | undefined;
  readonly meshStrict?: boolean | undefined;
}): string[] {
  if (p.meshStrict) return ['mesh-strict', '-', '-', '-'];
  const objects = (p.converted ?? []).flatMap(convertedObject);
  if (objects.length === 0) return ['by-hand', p.resource, p.namespace ?? '', p.name];
  return objects.flatMap((o) => ['object', o.resource, o.namespace, o.name]);
}

const params = z.object({
  ...policyIdentity,
  replacement: name,
  convertedFile: optionalText,
  /** The object as read and its v1beta1 equivalent (YAML), shown side by side in the HTML. */
  sourceYaml: optionalText,
  convertedYaml: optionalText,
  /** Why no v1beta1 object was written for it. */
  notConverted: optionalText,
});
type Params = z.output<typeof params>;

function applies(p: Params): boolean {
  return p.convertedFile !== undefined && (p.converted ?? []).flatMap(convertedObject).length > 0;
}

function byHand(p: Params): Step[] {
  const keep =
    'Keep the v1alpha1 object while any 1.4 proxy or gateway runs (they read only v1alpha1); delete it in phase retire-old-control-plane.';
  return [
    { kind: 'comment', text: `Human decision: rewrite this object as ${p.replacement}` },
    {
      kind: 'comment',
      text: '(security.istio.io/v1beta1) and apply that before any namespace moves; keep the old one until',
      once: true,
    },
    {
      kind: 'comment',
      text: 'no 1.4 proxy or gateway runs. Not automated: translating the intent needs judgement.',
      once: true,
    },
    ...(p.notConverted ? [{ kind: 'comment', text: `Not converted: ${p.notConverted}` } as const] : []),
    {
      kind: 'todo',
      text: p.meshStrict
        ? `Apply ${p.replacement} (mtls.mode: STRICT, no selector) before any namespace moves. ${keep}`
        : `Rewrite it as ${p.replacement} (security.istio.io/v1beta1) and apply that before any namespace moves, then mark this finding done (annotation meshready.dev/ignore=v1alpha1-security-policy with a meshready.dev/ignore-reason naming the rewrite). ${keep}`,
      commands: [{ argv: getYaml(p.resource, p.namespace, p.name) }],
    },
  ];
}

export default defineFixAction({
  action: 'migrate-v1alpha1-policy',
  params,
  // After the galley ClusterRole (70) and webhook (80): the 1.4 galley rejects the new kinds.
  order: 85,
  functions: ['apply_v1beta1_policies'],
  summary: (p) =>
    applies(p)
      ? 'Apply the v1beta1 replacements of the v1alpha1 policies (the old ones stay)'
      : 'Migrate a v1alpha1 security policy (TODO)',
  title: (p) =>
    applies(p)
      ? 'Apply the v1beta1 replacements meshready wrote; the v1alpha1 policies stay until the 1.4 proxies are gone (guide, step 3)'
      : 'Migrate a v1alpha1 security policy: Istio 1.6 ignores it (guide, step 3)',
  /** The policies of one converted file are applied in one step: the file is applied whole. */
  group: (p) => (applies(p) ? `apply\u0000${p.convertedFile}` : JSON.stringify(p)),
  resource: (group) => {
    const first = group[0] as Params;
    if (!applies(first)) return `${first.kind} ${first.namespace ? `${first.namespace}/` : ''}${first.name}`;
    return `${group.length} v1alpha1 polic${group.length === 1 ? 'y' : 'ies'} (${first.convertedFile})`;
  },
  steps: (group) => {
    const first = group[0];
    if (!first) return [];
    if (!applies(first)) return byHand(first);
    const file = first.convertedFile as string;
    // Each replacement checked once, for every policy it replaces.
    const checks = new Map<string, { object: V1beta1Object; for: number[] }>();
    group.forEach((p, index) => {
      for (const object of (p.converted ?? []).flatMap(convertedObject)) {
        const key = `${object.resource}/${object.namespace}/${object.name}`;
        const entry = checks.get(key) ?? { object, for: [] };
        entry.for.push(index);
        checks.set(key, entry);
      }
    });
    return [
      {
        kind: 'withhold-unless',
        check: 'galley-webhook-gone',
        says: 'the 1.4 galley webhook is gone (it rejects the kinds it does not know)',
        args: [],
      },
      {
        kind: 'note',
        text: `Review ${file} first: it is applied whole (server-side dry run, then apply) and each replacement is checked. The v1alpha1 objects stay until no 1.4 proxy or gateway runs.`,
      },
      {
        kind: 'call',
        fn: 'apply_v1beta1_policies',
        args: [file],
        shows: [
          { kind: 'run', argv: ['kubectl', 'apply', '--dry-run=server', '-f', file] },
          { kind: 'run', argv: ['kubectl', 'apply', '-f', file] },
        ],
      },
      ...[...checks.values()].map(
        (c): Step => ({
          kind: 'check',
          argv: ['kubectl', 'get', c.object.resource, '-n', c.object.namespace, c.object.name],
          for: c.for,
        }),
      ),
    ];
  },
});
