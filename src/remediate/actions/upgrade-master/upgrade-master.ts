/** gke-version-istio16 (and gke-upgrade-cr-deletion): upgrade the GKE master (guide, step 1). */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { clusterScope, gcloudScope, name, optionalText } from '../common.ts';

const IMPACT_TAIL =
  'Istio 1.6 (operator and istiod) is then installed beside 1.4; node pools are not upgraded by this command.';

export default defineFixAction({
  action: 'upgrade-master',
  params: z.object({ ...clusterScope, version: name, from: optionalText }),
  order: 30,
  functions: [],
  summary: 'Upgrade the GKE master (asks first)',
  title: (p) => `Upgrade the GKE master to ${p.version} (guide, step 1)`,
  steps: ([p], context) => {
    if (!p) return [];
    const scope = gcloudScope(p);
    const outage = context.gatewayOutage
      ? 'the add-on ingress gateway is down for about 5 minutes and loses edits made to its Deployment (see the step above). '
      : '';
    return [
      { kind: 'done-unless', check: 'master-below', args: [p.version, p.cluster, ...scope] },
      {
        kind: 'confirm',
        impact: `Upgrades the control plane of cluster ${p.cluster} to ${p.version}: the Kubernetes API of a zonal cluster is unavailable for several minutes${outage ? `, ${outage}` : '. '}${IMPACT_TAIL}`,
      },
      {
        kind: 'run',
        argv: [
          'gcloud',
          'container',
          'clusters',
          'upgrade',
          p.cluster,
          '--master',
          '--cluster-version',
          p.version,
          ...scope,
          '--quiet',
        ],
      },
      {
        kind: 'stop-after-phase',
        reason:
          'the master was upgraded, so the rest of this script was planned for a cluster that no longer exists: scan again and use the new remediate.sh',
      },
      { kind: 'check', argv: ['kubectl', 'get', 'pods', '-n', 'istio-system'] },
      {
        kind: 'note',
        text: 'After the upgrade an istiod-<revision> pod runs beside the 1.4 components (guide, step 2).',
      },
    ];
  },
});
