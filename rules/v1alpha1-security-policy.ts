import { conversionOf, POLICIES_FILE_NAME } from '../src/convert/findings.ts';
import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { isAddonManaged } from '../src/istio/objects.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { IstioConfig } from '../src/snapshot/model.ts';

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

export default defineRule({
  id: 'v1alpha1-security-policy',
  title: 'No v1alpha1 security policies are left',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['securitypolicies', 'namespaces'],
  docs: {
    summary: 'A v1alpha1 authentication or RBAC policy still exists; Istio 1.6 ignores it.',
    checks:
      'Lists every object of `authentication.istio.io/v1alpha1` Policy and MeshPolicy and of ' +
      '`rbac.istio.io/v1alpha1` ServiceRole, ServiceRoleBinding, RbacConfig and ClusterRbacConfig, one finding ' +
      "per object. Exception: the add-on's own MeshPolicy `default` (label `addonmanager.kubernetes.io/mode`) " +
      'whose peer mTLS mode is not STRICT (PERMISSIVE, or no mTLS) is an info finding without a fix: it does ' +
      'not hold a phase back. A MeshPolicy in STRICT mode (`mtls` with mode STRICT or no mode), whoever owns ' +
      'it, stays an error that asks for a mesh-wide STRICT PeerAuthentication in the root namespace ' +
      '(istio-system) before workloads move. Not applicable when Istio is not installed (no istio-system ' +
      'namespace and no such object).',
    why:
      'Istio 1.6 no longer reads the v1alpha1 security APIs: a workload moved to the 1.6 proxy silently loses ' +
      'the mTLS, JWT or authorization settings these objects expressed. "Upgrading to Istio 1.6 with the ' +
      'operator" (step 3) requires them to be migrated before the upgrade (Istio 1.6 upgrade notes). Istio 1.6 ' +
      "defaults to PERMISSIVE mutual TLS, so the add-on's PERMISSIVE MeshPolicy `default` expresses nothing " +
      'that is lost, and the GKE add-on manager re-creates it when it is deleted: asking to remove it would hold ' +
      'the migration back for ever. A STRICT one is different: without a STRICT PeerAuthentication in the root ' +
      'namespace, moved workloads accept plain text.',
    fix:
      'Rewrite each object with the `security.istio.io/v1beta1` APIs: Policy peers -> PeerAuthentication, ' +
      'Policy origins -> RequestAuthentication, MeshPolicy -> a PeerAuthentication in istio-system (STRICT ' +
      'for a STRICT MeshPolicy), ServiceRole/ServiceRoleBinding/RbacConfig -> AuthorizationPolicy. Apply the ' +
      "new objects, check traffic, then delete the old ones. Leave the add-on's PERMISSIVE MeshPolicy " +
      '`default` alone. meshready writes the converted objects to v1beta1-policies.yaml (see ' +
      '`meshready convert`), and remediate.sh applies them before it deletes the old ones; what it cannot ' +
      'convert faithfully stays a human decision.',
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
    return policies.map((policy) => {
      if (isAddonMeshPolicy(policy) && peerMtlsMode(policy) !== 'STRICT') {
        return findingAbout(
          policy,
          `MeshPolicy default (${policy.apiVersion}) is the Istio add-on's own, in ${peerMtlsMode(policy)} mode: ` +
            'Istio 1.6 ignores it and defaults to PERMISSIVE mutual TLS itself, so nothing is lost. Leave it: ' +
            'the add-on manager re-creates it when it is deleted.',
          { severity: 'info' },
        );
      }
      if (policy.kind === 'MeshPolicy' && peerMtlsMode(policy) === 'STRICT') {
        return findingAbout(
          policy,
          `MeshPolicy ${policy.metadata.name} (${policy.apiVersion}) enforces STRICT mutual TLS mesh-wide, and ` +
            'Istio 1.6 ignores it (it defaults to PERMISSIVE): create a mesh-wide STRICT PeerAuthentication in the ' +
            'root namespace (istio-system) before moving workloads to the new proxies, or they accept plain text.',
          {
            fix: fix('migrate-v1alpha1-policy', {
              kind: policy.kind,
              resource: MIGRATIONS.MeshPolicy?.resource ?? 'meshpolicies.authentication.istio.io',
              replacement: STRICT_REPLACEMENT,
              name: policy.metadata.name,
              namespace: policy.metadata.namespace,
            }),
          },
        );
      }
      const migration = MIGRATIONS[policy.kind] ?? {
        replacement: 'the v1beta1 security APIs',
        resource: policy.kind,
      };
      const where = policy.metadata.namespace ? `${policy.metadata.namespace}/` : '';
      const conversion = conversionOf(snapshot, policy);
      const written =
        conversion.notConverted ??
        `meshready wrote ${conversion.converted.join(', ')} to ${POLICIES_FILE_NAME}`;
      return findingAbout(
        policy,
        `${policy.kind} ${where}${policy.metadata.name} (${policy.apiVersion}) is ignored by Istio 1.6: ` +
          `migrate it to ${migration.replacement} before moving workloads to the new proxies (${written}).`,
        {
          fix: fix('migrate-v1alpha1-policy', {
            kind: policy.kind,
            resource: migration.resource,
            replacement: migration.replacement,
            name: policy.metadata.name,
            namespace: policy.metadata.namespace,
            ...(conversion.converted.length > 0
              ? { converted: conversion.converted, convertedFile: POLICIES_FILE_NAME }
              : {}),
            sourceYaml: conversion.sourceYaml,
            ...(conversion.convertedYaml ? { convertedYaml: conversion.convertedYaml } : {}),
            ...(conversion.notConverted ? { notConverted: conversion.notConverted } : {}),
          }),
        },
      );
    });
  },
});
