import { conversionOf, POLICIES_FILE_NAME } from '../src/convert/findings.ts';
import { rootNamespaceOf } from '../src/convert/index.ts';
import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import type { SnapshotIndex } from '../src/engine/snapshot-index.ts';
import { type MeshProxy, meshIndex } from '../src/istio/mesh-index.ts';
import { isAddonManaged } from '../src/istio/objects.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot, IstioConfig, KubeKind } from '../src/snapshot/model.ts';
import { isRecord } from '../src/snapshot/shape.ts';

/** What each v1alpha1 kind becomes in security.istio.io/v1beta1, and its kubectl resource name. */
const MIGRATIONS: Readonly<Record<string, { replacement: string; resource: string }>> = {
  Policy: {
    replacement: 'PeerAuthentication and/or RequestAuthentication',
    resource: 'policies.authentication.istio.io',
  },
  MeshPolicy: {
    replacement: 'a mesh-wide PeerAuthentication in istio-system',
    resource: 'meshpolicies.authentication.istio.io',
  },
  ServiceRole: { replacement: 'AuthorizationPolicy', resource: 'serviceroles.rbac.istio.io' },
  ServiceRoleBinding: { replacement: 'AuthorizationPolicy', resource: 'servicerolebindings.rbac.istio.io' },
  RbacConfig: { replacement: 'AuthorizationPolicy', resource: 'rbacconfigs.rbac.istio.io' },
  ClusterRbacConfig: { replacement: 'AuthorizationPolicy', resource: 'clusterrbacconfigs.rbac.istio.io' },
};

/**
 * The peer mTLS mode of a v1alpha1 Policy or MeshPolicy: `STRICT` when a peer has `mtls` without
 * a mode (v1alpha1's default), its mode otherwise, `DISABLED` without an mtls peer.
 */
function peerMtlsMode(policy: IstioConfig): string {
  const peers = (policy.spec as { peers?: unknown } | undefined)?.peers;
  if (!Array.isArray(peers)) return 'DISABLED';
  for (const peer of peers) {
    if (typeof peer !== 'object' || peer === null || !('mtls' in peer)) continue;
    const mtls = (peer as { mtls?: unknown }).mtls;
    const mode = typeof mtls === 'object' && mtls !== null ? (mtls as { mode?: unknown }).mode : undefined;
    return typeof mode === 'string' && mode !== '' ? mode.toUpperCase() : 'STRICT';
  }
  return 'DISABLED';
}

/** The add-on's own mesh-wide MeshPolicy: `default`, owned by the add-on manager. */
function isAddonMeshPolicy(policy: IstioConfig): boolean {
  return policy.kind === 'MeshPolicy' && policy.metadata.name === 'default' && isAddonManaged(policy);
}

const STRICT_REPLACEMENT = 'a mesh-wide STRICT PeerAuthentication in istio-system (the root namespace)';

/** The v1beta1 kinds `meshready convert` writes, as snapshot parts. */
const V1BETA1_PARTS: Readonly<Record<string, KubeKind>> = {
  AuthorizationPolicy: 'authorizationpolicies',
  PeerAuthentication: 'peerauthentications',
  RequestAuthentication: 'requestauthentications',
};
const V1BETA1_KINDS = Object.values(V1BETA1_PARTS);

function specOf(object: IstioConfig): Record<string, unknown> {
  return isRecord(object.spec) ? object.spec : {};
}

/** `spec.selector.matchLabels` of a v1beta1 object; undefined when it selects every workload. */
function matchLabelsOf(object: IstioConfig): Record<string, string> | undefined {
  const selector = specOf(object).selector;
  if (!isRecord(selector) || !isRecord(selector.matchLabels)) return undefined;
  const labels = Object.entries(selector.matchLabels).map(([k, v]) => [k, String(v)] as const);
  return labels.length > 0 ? Object.fromEntries(labels) : undefined;
}

/** A mesh-wide STRICT PeerAuthentication: in the root namespace, no selector, mtls.mode STRICT. */
function isMeshStrict(object: IstioConfig, rootNamespace: string): boolean {
  const mtls = specOf(object).mtls;
  return (
    object.metadata.namespace === rootNamespace &&
    matchLabelsOf(object) === undefined &&
    isRecord(mtls) &&
    mtls.mode === 'STRICT'
  );
}

/**
 * Whether each replacement of a v1alpha1 object is in the cluster: the objects `meshready convert`
 * wrote for it ("Kind ns/name"), or, for a STRICT MeshPolicy, a mesh-wide STRICT PeerAuthentication.
 * Undefined when a kind was not collected (the scan cannot tell).
 */
function replacementsExist(
  snapshot: ClusterSnapshot,
  index: SnapshotIndex,
  converted: readonly string[],
  meshStrict: boolean,
): boolean | undefined {
  if (meshStrict) {
    if (index.missing('peerauthentications')) return undefined;
    const root = rootNamespaceOf(snapshot);
    return snapshot.kube.peerauthentications.some((pa) => isMeshStrict(pa, root));
  }
  if (converted.length === 0) return false;
  let all = true;
  for (const described of converted) {
    const match = /^(\w+) ([^/ ]+)\/(\S+)$/.exec(described);
    const part = match ? V1BETA1_PARTS[match[1] as string] : undefined;
    if (!match || !part) return false;
    if (index.missing(part)) return undefined;
    const found = snapshot.kube[part].some(
      (o) => o.metadata.namespace === match[2] && o.metadata.name === match[3],
    );
    all &&= found;
  }
  return all;
}

/**
 * Whether a v1beta1 object protects something that Istio 1.4's proxies ignore (PeerAuthentication,
 * RequestAuthentication and DENY came with 1.5): a STRICT PeerAuthentication (mesh, namespace or
 * port level; PERMISSIVE and DISABLE protect nothing that is lost), any RequestAuthentication (it
 * rejects invalid tokens), a DENY AuthorizationPolicy (1.4 applies only ALLOW ones).
 */
function protectsIgnoredBy14(object: IstioConfig): boolean {
  const spec = specOf(object);
  switch (object.kind) {
    case 'PeerAuthentication': {
      const strict = (mtls: unknown) => isRecord(mtls) && mtls.mode === 'STRICT';
      const ports = isRecord(spec.portLevelMtls) ? Object.values(spec.portLevelMtls) : [];
      return strict(spec.mtls) || ports.some(strict);
    }
    case 'RequestAuthentication':
      return true;
    default:
      return spec.action === 'DENY';
  }
}

/**
 * The 1.4 proxies a v1beta1 object applies to: in its namespace (every namespace from the root
 * namespace), matching its selector; the ingress gateway counts as a workload of istio-system.
 */
function proxiesUnder(
  object: IstioConfig,
  proxies: readonly MeshProxy[],
  rootNamespace: string,
): MeshProxy[] {
  const labels = matchLabelsOf(object);
  const namespace = object.metadata.namespace;
  return proxies.filter((proxy) => {
    if (namespace !== rootNamespace && proxy.pod.metadata.namespace !== namespace) return false;
    const podLabels = proxy.pod.metadata.labels ?? {};
    return labels === undefined || Object.entries(labels).every(([k, v]) => podLabels[k] === v);
  });
}

/**
 * Whether a v1alpha1 object of the same family still speaks to 1.4 proxies in the namespace of a
 * v1beta1 object: an authentication Policy there (or a MeshPolicy other than the add-on's
 * PERMISSIVE default, for the root namespace) for PeerAuthentication and RequestAuthentication,
 * an RBAC object there (or a mesh-wide RbacConfig) for an AuthorizationPolicy.
 */
function v1alpha1Covers(
  object: IstioConfig,
  policies: readonly IstioConfig[],
  rootNamespace: string,
): boolean {
  const authn = object.kind !== 'AuthorizationPolicy';
  const namespace = object.metadata.namespace;
  return policies.some((policy) => {
    const isAuthn = policy.kind === 'Policy' || policy.kind === 'MeshPolicy';
    if (isAuthn !== authn) return false;
    if (policy.kind === 'MeshPolicy') {
      return namespace === rootNamespace && !(isAddonMeshPolicy(policy) && peerMtlsMode(policy) !== 'STRICT');
    }
    if (policy.kind === 'ClusterRbacConfig' || policy.kind === 'RbacConfig')
      return namespace === rootNamespace;
    return policy.metadata.namespace === namespace || namespace === rootNamespace;
  });
}

/**
 * Urgent findings (SPEC §3): a v1beta1 object 1.4 proxies ignore is the only policy left for some
 * of them (e.g. the v1alpha1 objects were deleted while 1.4 proxies run). `unknown` when Pods, or
 * (with 1.4 proxies running) a v1beta1 kind, were not collected.
 */
function lapsedPolicies(
  snapshot: ClusterSnapshot,
  index: SnapshotIndex,
  convertedNames: ReadonlySet<string>,
): RuleFinding[] | { readonly unknown: string } {
  const pods = index.missing('pods');
  if (pods) return { unknown: pods };
  const on14 = meshIndex(index).proxiesOn14();
  const proxies = [...on14.sidecars, ...on14.gateways];
  if (proxies.length === 0) return [];
  const missing = V1BETA1_KINDS.map((part) => index.missing(part)).filter((m) => m !== undefined);
  if (missing.length > 0) return { unknown: missing.join('; ') };
  const root = rootNamespaceOf(snapshot);
  const findings: RuleFinding[] = [];
  for (const part of V1BETA1_KINDS) {
    for (const object of snapshot.kube[part]) {
      if (!protectsIgnoredBy14(object)) continue;
      const described = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
      if (convertedNames.has(described)) continue;
      if (v1alpha1Covers(object, snapshot.kube.securitypolicies, root)) continue;
      const under = proxiesUnder(object, proxies, root);
      if (under.length === 0) continue;
      const names = under
        .map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`)
        .sort()
        .slice(0, 3);
      const what = object.kind === 'AuthorizationPolicy' ? 'a DENY AuthorizationPolicy' : `a ${object.kind}`;
      findings.push(
        findingAbout(
          object,
          `${object.kind} ${object.metadata.namespace}/${object.metadata.name} applies to ${under.length} pod` +
            `${under.length === 1 ? '' : 's'} still on an Istio 1.4 proxy (${names.join(', ')}` +
            `${under.length > 3 ? ', …' : ''}), and Istio 1.4 ignores ${what} (1.4 reads only the v1alpha1 ` +
            'security policies), while no v1alpha1 policy of the same kind applies to them any more: they are ' +
            'not protected as this policy says. Re-create the v1alpha1 object it replaces (from the backup ' +
            'remediate.sh saved, or `kubectl apply` of the original) and keep it until no 1.4 proxy or gateway ' +
            'runs, or move those workloads to 1.6 now.',
          { phase: 'prepare', urgent: true, key: 'ignored-by-1.4' },
        ),
      );
    }
  }
  return findings;
}

/** How many 1.4 proxies and gateways still run, for the message that keeps a v1alpha1 object. */
function onOldProxies(index: SnapshotIndex): string {
  if (index.missing('pods')) return 'whether 1.4 proxies still run was not collected';
  const { sidecars, gateways } = meshIndex(index).proxiesOn14();
  const count = sidecars.length + gateways.length;
  return count === 0
    ? 'no 1.4 proxy or gateway runs any more'
    : `${count} pod${count === 1 ? '' : 's'} still run${count === 1 ? 's' : ''} a 1.4 proxy or gateway`;
}

export default defineRule({
  id: 'v1alpha1-security-policy',
  title:
    'The v1alpha1 security policies have v1beta1 replacements before workloads move, and go once 1.4 is gone',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['securitypolicies', 'namespaces'],
  docs: {
    summary:
      'A v1alpha1 authentication or RBAC policy has no v1beta1 replacement yet (Istio 1.6 ignores it), is still there after the last 1.4 proxy left, or a v1beta1 policy 1.4 proxies ignore is the only one left for them.',
    checks:
      'Lists every object of `authentication.istio.io/v1alpha1` Policy and MeshPolicy and of ' +
      '`rbac.istio.io/v1alpha1` ServiceRole, ServiceRoleBinding, RbacConfig and ClusterRbacConfig, one finding ' +
      'per object, in the phase where it is due. While its v1beta1 replacement is not in the cluster (the objects ' +
      '`meshready convert` writes for it; for a STRICT MeshPolicy, a mesh-wide STRICT PeerAuthentication in the ' +
      'root namespace): an error in phase prepare, to apply the replacement before any namespace moves. Once every ' +
      'replacement exists: a warning in phase retire-old-control-plane, to back it up and delete it there, after ' +
      'the last 1.4 proxy and gateway are gone (1.4 reads only v1alpha1). An object meshready cannot convert stays ' +
      "an error in prepare (a human rewrites it, then suppresses the finding). Exception: the add-on's own MeshPolicy " +
      '`default` (label `addonmanager.kubernetes.io/mode`) whose peer mTLS mode is not STRICT is an info finding ' +
      'without a fix. Urgent error (phase prepare): a STRICT PeerAuthentication, a RequestAuthentication or a DENY ' +
      'AuthorizationPolicy (`security.istio.io`, which 1.4 ignores) applies to pods still on a 1.4 proxy and no ' +
      'v1alpha1 policy of the same family applies to them any more (nor converts to it), e.g. the v1alpha1 ' +
      'objects were deleted while 1.4 proxies run. Not applicable when Istio is not installed (no istio-system ' +
      'namespace and no such object). The v1beta1 kinds or Pods not collected: replacements count as missing, ' +
      'and the urgent check is skipped (unknown when there is nothing else to report and 1.4 proxies may run).',
    why:
      'Istio 1.6 no longer reads the v1alpha1 security APIs: a workload moved to the 1.6 proxy silently loses ' +
      'the mTLS, JWT or authorization settings these objects expressed, so their replacements must be in place ' +
      'before it moves ("Upgrading to Istio 1.6 with the operator", step 3; Istio 1.6 upgrade notes). Istio 1.4 ' +
      'proxies, the ingress gateway included, read only v1alpha1 and ignore PeerAuthentication, ' +
      'RequestAuthentication and `action: DENY`: deleting the v1alpha1 objects while one runs leaves it ' +
      'unprotected. So both kinds exist side by side from prepare to retire-old-control-plane. The 1.4 galley ' +
      'webhook rejects kinds it does not know, so it goes first. Istio 1.6 defaults to PERMISSIVE mutual TLS, so ' +
      "the add-on's PERMISSIVE MeshPolicy `default` expresses nothing that is lost, and the GKE add-on manager " +
      're-creates it when it is deleted. A STRICT one is different: without a STRICT PeerAuthentication in the ' +
      'root namespace, moved workloads accept plain text.',
    fix:
      'In prepare, after the galley ClusterRole is restricted and the galley webhook deleted: apply the v1beta1 ' +
      'replacements meshready wrote to v1beta1-policies.yaml (`kubectl apply --dry-run=server -f ` then ' +
      '`kubectl apply -f`), or rewrite by hand what it could not convert (Policy peers -> PeerAuthentication, ' +
      'Policy origins -> RequestAuthentication, MeshPolicy -> a PeerAuthentication in istio-system, ' +
      'ServiceRole/ServiceRoleBinding/RbacConfig -> AuthorizationPolicy). Keep the v1alpha1 objects. In ' +
      'retire-old-control-plane, once no 1.4 proxy or gateway runs and each replacement exists: back them up and ' +
      "delete them. remediate.sh does it in that order, checking each condition at run time. Leave the add-on's " +
      'PERMISSIVE MeshPolicy `default` alone.',
    references: [
      {
        title: 'Istio 1.6 upgrade notes',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
      {
        title: 'Migrating from v1alpha1 security policies (Istio 1.5 upgrade notes)',
        url: 'https://istio.io/latest/news/releases/1.5.x/announcing-1.5/upgrade-notes/',
      },
    ],
  },
  check(snapshot, { index }) {
    const mesh = meshIndex(index);
    const policies = snapshot.kube.securitypolicies;
    if (policies.length === 0 && !mesh.istioSystemExists()) {
      return notApplicable('Istio is not installed (no istio-system namespace)');
    }
    const findings: RuleFinding[] = [];
    const convertedNames = new Set<string>();
    const keeping = onOldProxies(index);
    for (const policy of policies) {
      if (isAddonMeshPolicy(policy) && peerMtlsMode(policy) !== 'STRICT') {
        findings.push(
          findingAbout(
            policy,
            `MeshPolicy default (${policy.apiVersion}) is the Istio add-on's own, in ${peerMtlsMode(policy)} mode: ` +
              'Istio 1.6 ignores it and defaults to PERMISSIVE mutual TLS itself, so nothing is lost. Leave it: ' +
              'the add-on manager re-creates it when it is deleted.',
            { severity: 'info' },
          ),
        );
        continue;
      }
      const meshStrict = policy.kind === 'MeshPolicy' && peerMtlsMode(policy) === 'STRICT';
      const migration = meshStrict
        ? { replacement: STRICT_REPLACEMENT, resource: 'meshpolicies.authentication.istio.io' }
        : (MIGRATIONS[policy.kind] ?? { replacement: 'the v1beta1 security APIs', resource: policy.kind });
      const where = policy.metadata.namespace ? `${policy.metadata.namespace}/` : '';
      const conversion = conversionOf(snapshot, policy);
      for (const name of conversion.converted) convertedNames.add(name);
      const identity = {
        kind: policy.kind,
        resource: migration.resource,
        name: policy.metadata.name,
        namespace: policy.metadata.namespace,
        ...(conversion.converted.length > 0 ? { converted: conversion.converted } : {}),
        ...(meshStrict ? { meshStrict: true } : {}),
      };
      const exist = replacementsExist(snapshot, index, conversion.converted, meshStrict);
      const described = `${policy.kind} ${where}${policy.metadata.name} (${policy.apiVersion})`;
      if (exist === true) {
        findings.push(
          findingAbout(
            policy,
            `${described}: its v1beta1 replacement is in the cluster (${meshStrict ? STRICT_REPLACEMENT : conversion.converted.join(', ')}). ` +
              `Keep it while any 1.4 proxy or gateway runs (they read only v1alpha1; ${keeping}); back it up and ` +
              'delete it in phase retire-old-control-plane, once the last one is gone.',
            {
              severity: 'warning',
              phase: 'retire-old-control-plane',
              fix: fix('delete-v1alpha1-policy', identity),
            },
          ),
        );
        continue;
      }
      const written =
        conversion.notConverted ??
        `meshready wrote ${conversion.converted.join(', ')} to ${POLICIES_FILE_NAME}`;
      const message = meshStrict
        ? `MeshPolicy ${policy.metadata.name} (${policy.apiVersion}) enforces STRICT mutual TLS mesh-wide, and ` +
          'Istio 1.6 ignores it (it defaults to PERMISSIVE): create a mesh-wide STRICT PeerAuthentication in the ' +
          'root namespace (istio-system) before moving workloads to the new proxies, or they accept plain text. ' +
          'Keep the MeshPolicy until no 1.4 proxy or gateway runs.'
        : `${described} is ignored by Istio 1.6: apply its replacement, ${migration.replacement}, before moving ` +
          `workloads to the new proxies, and keep it until no 1.4 proxy or gateway runs (${written}).`;
      findings.push(
        findingAbout(policy, message, {
          fix: fix('migrate-v1alpha1-policy', {
            ...identity,
            replacement: migration.replacement,
            ...(conversion.converted.length > 0 ? { convertedFile: POLICIES_FILE_NAME } : {}),
            sourceYaml: conversion.sourceYaml,
            ...(conversion.convertedYaml ? { convertedYaml: conversion.convertedYaml } : {}),
            ...(conversion.notConverted ? { notConverted: conversion.notConverted } : {}),
          }),
        }),
      );
    }
    const lapsed = lapsedPolicies(snapshot, index, convertedNames);
    if (Array.isArray(lapsed)) return [...lapsed, ...findings];
    if (findings.length > 0) return findings;
    return unknown(
      'cannot tell whether a v1beta1 policy that Istio 1.4 ignores is the only one left for 1.4 proxies: ' +
        lapsed.unknown,
    );
  },
});
