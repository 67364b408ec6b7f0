import { conversionOf, POLICIES_FILE_NAME } from '../src/convert/findings.ts';
import { fix } from '../src/engine/fixes.ts';
import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';

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
      'per object. Not applicable when Istio is not installed (no istio-system namespace and no such object).',
    why:
      'Istio 1.6 no longer reads the v1alpha1 security APIs: a workload moved to the 1.6 proxy silently loses ' +
      'the mTLS, JWT or authorization settings these objects expressed. The seed guide (step 3) requires them ' +
      'to be migrated before the upgrade.',
    fix:
      'Rewrite each object with the `security.istio.io/v1beta1` APIs: Policy peers -> PeerAuthentication, ' +
      'Policy origins -> RequestAuthentication, MeshPolicy -> a PeerAuthentication in istio-system, ' +
      'ServiceRole/ServiceRoleBinding/RbacConfig -> AuthorizationPolicy. Apply the new objects, check traffic, ' +
      'then delete the old ones. meshready writes the converted objects to v1beta1-policies.yaml (see ' +
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
    const policies = snapshot.kube.securitypolicies;
    if (policies.length === 0 && !index.istioSystemExists()) {
      return notApplicable('Istio is not installed (no istio-system namespace)');
    }
    return policies.map((policy) => {
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
