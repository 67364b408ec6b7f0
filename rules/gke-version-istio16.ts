import { fix } from '../src/engine/fixes.ts';
import { clusterMasterVersion, clusterResource, clusterScope } from '../src/engine/gke-resources.ts';
import { defineRule } from '../src/engine/rule.ts';
import { hasIstio16Operator, ISTIO16_MINIMUM, RECOMMENDED_UPGRADE } from '../src/gke/gates.ts';
import { formatGkeVersion } from '../src/gke/version.ts';

export default defineRule({
  id: 'gke-version-istio16',
  title: 'GKE master version ships the Istio 1.6 operator',
  phase: 'cluster-upgrade',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['gkeCluster'],
  docs: {
    summary: 'The GKE master version does not include the Istio 1.6 operator.',
    checks:
      'Reads `currentMasterVersion` of the GKE cluster. It passes from 1.17.9-gke.6300 on, within 1.17.7 from ' +
      '1.17.7-gke.8, within 1.17.8 from 1.17.8-gke.6, and on every 1.18 or later version. A version that is not ' +
      '`MAJOR.MINOR.PATCH-gke.N` makes the rule unknown. Not applicable when the cluster data says the Istio ' +
      'on GKE add-on is disabled.',
    why:
      'The add-on installs the Istio 1.6 operator and control plane beside the 1.4 one only when the cluster ' +
      'is upgraded to a GKE version that contains it ("Upgrading to Istio 1.6 with the operator", step 1). Until then there is nothing to ' +
      'migrate to.',
    fix:
      'Upgrade the master to a version that contains Istio 1.6. From 1.16, choose 1.17.12-gke.1501 or later ' +
      '(or 1.18.9-gke.1501 or later) so the upgrade does not delete custom resources in istio-system (see ' +
      '`gke-upgrade-cr-deletion`): `gcloud container clusters upgrade CLUSTER --master --cluster-version VERSION`.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE)',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      { title: 'GKE release notes', url: 'https://cloud.google.com/kubernetes-engine/docs/release-notes' },
    ],
  },
  check(snapshot) {
    const master = clusterMasterVersion(snapshot);
    if ('status' in master) return master;
    const { cluster, version, text } = master;
    if (hasIstio16Operator(version)) return [];
    return [
      {
        message:
          `GKE master version ${text} has no Istio 1.6 operator: upgrade the master to ` +
          `${formatGkeVersion(ISTIO16_MINIMUM)} or later (meshready proposes ${formatGkeVersion(RECOMMENDED_UPGRADE)}, ` +
          'which also avoids the 1.16 upgrade bug).',
        resource: clusterResource(cluster),
        origin: cluster.origin,
        fix: fix('upgrade-master', {
          ...clusterScope(cluster),
          version: formatGkeVersion(RECOMMENDED_UPGRADE),
          from: text,
        }),
      },
    ];
  },
});
