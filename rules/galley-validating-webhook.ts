import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { ISTIO_SYSTEM } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';

/** The name of both the 1.4 galley Deployment and the webhook configuration it registers. */
const GALLEY = 'istio-galley';

export default defineRule({
  id: 'galley-validating-webhook',
  title: 'The 1.4 galley validating webhook is removed',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'error',
  needs: ['validatingwebhookconfigurations', 'deployments'],
  docs: {
    summary:
      'ValidatingWebhookConfiguration istio-galley still exists: the 1.4 control plane still validates Istio configuration.',
    checks:
      'Fails when the cluster-scoped ValidatingWebhookConfiguration `istio-galley` exists. Passes when it is ' +
      'gone while the 1.4 control plane is still there (an `istio-galley` Deployment in istio-system). Not ' +
      'applicable when there is no 1.4 control plane: neither the Deployment nor the webhook exists (a ' +
      'cluster that never ran the 1.4 add-on has nothing to disable).',
    why:
      'The guide "Upgrading to Istio 1.6 with the operator" (step 4.3) deletes the galley ValidatingWebhookConfiguration so that the 1.4 ' +
      'control plane no longer validates configuration: its rules predate 1.6 and would reject or misjudge ' +
      'objects written for the new control plane. Restrict the galley ClusterRole first ' +
      '(`galley-webhook-clusterrole`), or galley re-creates the webhook.',
    fix:
      'After the ClusterRole step, save and delete the webhook: `kubectl get validatingwebhookconfiguration ' +
      'istio-galley -o yaml > galley-webhook.backup.yaml` then `kubectl delete validatingwebhookconfiguration ' +
      'istio-galley`.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE), step 4',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Istio 1.6 upgrade notes: disable galley validation',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
    ],
  },
  check(snapshot, { index }) {
    const webhook = snapshot.kube.validatingwebhookconfigurations.find((w) => w.metadata.name === GALLEY);
    if (!webhook) {
      const galley = (index.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? []).some(
        (deployment) => deployment.metadata.name === GALLEY,
      );
      return galley
        ? []
        : notApplicable(
            `no Istio 1.4 control plane (no ${GALLEY} Deployment in ${ISTIO_SYSTEM} and no ${GALLEY} webhook)`,
          );
    }
    const hooks = webhook.webhooks.length > 0 ? ` (webhooks: ${webhook.webhooks.join(', ')})` : '';
    return [
      findingAbout(
        webhook,
        `ValidatingWebhookConfiguration ${GALLEY} still exists${hooks}: the 1.4 galley keeps validating Istio ` +
          'configuration. Delete it, after restricting the galley ClusterRole (galley-webhook-clusterrole) so ' +
          'galley cannot re-create it.',
        { fix: fix('delete-galley-webhook', { name: webhook.metadata.name }) },
      ),
    ];
  },
});
