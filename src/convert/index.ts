/**
 * `meshready convert`: the v1alpha1 security policies of a snapshot as the security.istio.io/v1beta1
 * objects Istio 1.6 reads (SPEC §12). Pure: the snapshot in, objects, refusals and warnings out.
 */
import type { ClusterSnapshot } from '../snapshot/model.ts';
import { convertAuthn } from './authn.ts';
import type { ConversionProblem, ConversionResult, ConvertedObject, ConvertOptions } from './model.ts';
import { convertRbac } from './rbac.ts';
import { ServiceDirectory } from './services.ts';
import { v1beta1ObjectSchema } from './v1beta1.ts';

export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The mesh config's rootNamespace when the snapshot has the istio ConfigMap, else istio-system. */
export function rootNamespaceOf(snapshot: ClusterSnapshot): string {
  const meshConfig = snapshot.kube.configmaps.find(
    (c) => c.metadata.name === 'istio' && c.metadata.namespace === 'istio-system',
  );
  return meshConfig?.meshRootNamespace ?? DEFAULT_ROOT_NAMESPACE;
}

const AUTHN_KINDS = new Set(['Policy', 'MeshPolicy']);
const RBAC_KINDS = new Set(['ServiceRole', 'ServiceRoleBinding', 'ClusterRbacConfig', 'RbacConfig']);

/** Two objects of one kind cannot share a name in a namespace: later ones get a numbered suffix. */
function uniqueNames(objects: ConvertedObject[]): ConvertedObject[] {
  const taken = new Set<string>();
  return objects.map((converted) => {
    const { kind, metadata } = converted.object;
    let name = metadata.name;
    for (let n = 2; taken.has(`${kind}/${metadata.namespace}/${name}`); n++) name = `${metadata.name}-${n}`;
    taken.add(`${kind}/${metadata.namespace}/${name}`);
    if (name === metadata.name) return converted;
    return {
      ...converted,
      object: { ...converted.object, metadata: { ...metadata, name } } as typeof converted.object,
    };
  });
}

const sourceKey = (p: ConversionProblem['source']) => `${p.kind}/${p.namespace ?? ''}/${p.name}`;

export function convertSnapshot(snapshot: ClusterSnapshot, options: ConvertOptions): ConversionResult {
  const services = new ServiceDirectory(snapshot.kube.services);
  const policies = snapshot.kube.securitypolicies.filter((p) => p.apiVersion.endsWith('/v1alpha1'));
  const ignoreUnknownFields = options.ignoreUnknownFields === true;
  const authn = convertAuthn(
    policies.filter((p) => AUTHN_KINDS.has(p.kind)),
    services,
    { rootNamespace: options.rootNamespace, ignoreUnknownFields },
  );
  const rbac = convertRbac(
    policies.filter((p) => RBAC_KINDS.has(p.kind)),
    services,
    options,
    authn.analysis,
  );
  const problems: ConversionProblem[] = [...rbac.problems, ...authn.problems];
  const valid: ConvertedObject[] = [];
  for (const converted of uniqueNames([...rbac.objects, ...authn.objects])) {
    const check = v1beta1ObjectSchema.safeParse(converted.object);
    if (check.success) {
      valid.push(converted);
      continue;
    }
    const issue = check.error.issues[0];
    for (const source of converted.sources.slice(0, 1)) {
      problems.push({
        source,
        reason: `the ${converted.object.kind} it becomes does not validate against Istio 1.6's schema (${issue?.path.join('.')}: ${issue?.message})`,
      });
    }
  }
  // An object with a problem yields nothing at all, not part of its output.
  const failed = new Set(problems.map((p) => sourceKey(p.source)));
  const written = valid.filter((o) => !o.sources.some((s) => failed.has(sourceKey(s))));
  return {
    objects: written,
    problems,
    skipped: [...rbac.skipped, ...authn.skipped],
    warnings: [...rbac.warnings, ...authn.warnings].filter((w) => !failed.has(sourceKey(w.source))),
  };
}

export type {
  ConversionProblem,
  ConversionResult,
  ConvertedObject,
  ConvertOptions,
  SourceRef,
} from './model.ts';
export { describeSource } from './model.ts';
