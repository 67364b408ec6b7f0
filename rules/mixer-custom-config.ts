import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { isAsmTarget } from '../src/engine/vocabulary.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { isControlPlaneObject, kubectlResourceName } from '../src/istio/objects.ts';
import { fix } from '../src/remediate/actions/index.ts';

export default defineRule({
  id: 'mixer-custom-config',
  title: 'No user-created Mixer configuration is left',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['mixerconfigs', 'namespaces'],
  docs: {
    summary:
      'User-created Mixer (`config.istio.io`) objects exist: Mixer is deprecated in Istio 1.6 and absent from ASM.',
    checks:
      'One finding per `config.istio.io` object (handlers, instances, rules, attribute manifests, adapters, ' +
      "templates, quota specs, legacy adapter kinds, ...) that the control plane did not install. The add-on's " +
      'own Mixer configuration carries the add-on manager label `addonmanager.kubernetes.io/mode` and the ' +
      'Istio 1.4 Helm chart labels `release: istio`, `app: mixer`; objects installed by the Istio operator ' +
      'carry its `operator.istio.io/*` labels. Not applicable when Istio is not installed (no istio-system ' +
      'namespace and no such object).',
    why:
      'Istio 1.6 deprecates Mixer: telemetry v2 (in-proxy) replaces its telemetry, and policy checks are off by ' +
      'default. Anthos Service Mesh has no Mixer at all, so after an ASM migration these handlers, instances ' +
      'and rules silently stop working: custom metrics, log entries, denials or quotas disappear.',
    fix:
      'Review each object and move what it does: metrics and logs to telemetry v2 (Stackdriver/Prometheus ' +
      'configuration), denials and allow-lists to AuthorizationPolicy, rate limits to Envoy rate limiting; ' +
      'then delete the Mixer object. meshready only prints instructions: this needs a human decision.',
    references: [
      {
        title: 'Istio 1.6 upgrade notes',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
      {
        title: 'Istio 1.8 upgrade notes: Mixer is no longer supported',
        url: 'https://istio.io/latest/news/releases/1.8.x/announcing-1.8/upgrade-notes/',
      },
      {
        title: 'Upgrading to Istio 1.6 with the operator (Istio on GKE): moving to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
    ],
  },
  check(snapshot, { index, target }) {
    const mesh = meshIndex(index);
    const objects = snapshot.kube.mixerconfigs;
    if (objects.length === 0 && !mesh.istioSystemExists()) {
      return notApplicable('Istio is not installed (no istio-system namespace)');
    }
    const consequence = isAsmTarget(target)
      ? 'Anthos Service Mesh has no Mixer, so it stops taking effect after the migration'
      : 'Mixer is deprecated in Istio 1.6 (telemetry v2 replaces it, policy checks are off by default)';
    return objects
      .filter((object) => !isControlPlaneObject(object))
      .map((object) => {
        const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
        const resource = kubectlResourceName(object);
        return findingAbout(
          object,
          `Mixer ${object.kind} ${where}${object.metadata.name} (${object.apiVersion}) was created by a user: ` +
            `${consequence}. Replace what it does, then delete it.`,
          {
            fix: fix('review-mixer-config', {
              kind: object.kind,
              resource,
              namespace: object.metadata.namespace,
              name: object.metadata.name,
            }),
          },
        );
      });
  },
});
