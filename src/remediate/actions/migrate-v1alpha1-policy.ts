/**
 * v1alpha1-security-policy: a policy Istio 1.6 ignores. Converted by `meshready scan` (the
 * v1beta1 file next to the script): apply that, check it, then back up and delete the old
 * object. Not converted: a TODO, since translating the intent needs judgement.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../step.ts';
import { getYaml, name, namespaceArgs, optionalText } from './common.ts';

const V1BETA1_RESOURCES: Readonly<Record<string, string>> = {
  AuthorizationPolicy: 'authorizationpolicies.security.istio.io',
  PeerAuthentication: 'peerauthentications.security.istio.io',
  RequestAuthentication: 'requestauthentications.security.istio.io',
};

/** "Kind namespace/name" of an object `meshready convert` wrote, as kubectl arguments. */
function convertedObject(described: string): { resource: string; namespace: string; name: string }[] {
  const match = /^(\w+) ([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(described);
  const resource = match ? V1BETA1_RESOURCES[match[1] as string] : undefined;
  return match && resource ? [{ resource, namespace: match[2] as string, name: match[3] as string }] : [];
}

export default defineFixAction({
  action: 'migrate-v1alpha1-policy',
  params: z.object({
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
  order: 60,
  summary: 'Migrate a v1alpha1 security policy (TODO)',
  title: (p) =>
    p.convertedFile && (p.converted ?? []).flatMap(convertedObject).length > 0
      ? 'Apply the v1beta1 equivalent meshready wrote, then back up and delete the v1alpha1 object (guide, step 3)'
      : 'Migrate a v1alpha1 security policy: Istio 1.6 ignores it (guide, step 3)',
  steps: ([p], context): Step[] => {
    if (!p) return [];
    const converted = (p.converted ?? []).flatMap(convertedObject);
    const object = [p.resource, ...namespaceArgs(p.namespace), p.name];
    if (!p.convertedFile || converted.length === 0) {
      return [
        { kind: 'comment', text: `Human decision: rewrite this object as ${p.replacement}` },
        {
          kind: 'comment',
          text: '(security.istio.io/v1beta1), apply the new object, check the traffic, then delete the old one.',
          once: true,
        },
        {
          kind: 'comment',
          text: 'Not automated: translating authentication and RBAC intent needs judgement.',
          once: true,
        },
        ...(p.notConverted ? [{ kind: 'comment', text: `Not converted: ${p.notConverted}` } as const] : []),
        {
          kind: 'todo',
          text: `Rewrite it as ${p.replacement} (security.istio.io/v1beta1), apply that, check the traffic, then delete the old object`,
          commands: [{ argv: getYaml(p.resource, p.namespace, p.name) }],
        },
      ];
    }
    const file = p.convertedFile;
    return [
      {
        kind: 'note',
        text: `Review ${file} first: it is applied whole (server-side dry run, then apply), each object checked, and only then is the old object removed.`,
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
      ...converted.map(
        (c): Step => ({ kind: 'check', argv: ['kubectl', 'get', c.resource, '-n', c.namespace, c.name] }),
      ),
      { kind: 'done-unless', check: 'object-exists', args: object },
      {
        kind: 'backup',
        file: context.backup(p.kind.toLowerCase(), p.namespace, p.name),
        argv: ['kubectl', 'get', ...object, '-o', 'yaml'],
      },
      { kind: 'run', argv: ['kubectl', 'delete', ...object, '--ignore-not-found'] },
    ];
  },
});
