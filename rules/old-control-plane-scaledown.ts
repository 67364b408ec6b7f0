import { defineRule, findingAbout, notApplicable, unknown } from '../src/engine/rule.ts';
import { isAsmTarget } from '../src/engine/vocabulary.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { INJECTION_LABEL, ISTIO_SYSTEM } from '../src/istio/names.ts';
import { fix } from '../src/remediate/actions/index.ts';

/** The add-on's 1.4 control-plane Deployments, in the guide's `kubectl scale` order. */
export const OLD_CONTROL_PLANE: readonly string[] = [
  'istio-citadel',
  'istio-galley',
  'istio-pilot',
  'istio-policy',
  'istio-sidecar-injector',
  'istio-telemetry',
  'prometheus',
  'promsd',
];

/**
 * What a running 1.4 proxy or gateway still needs of the 1.4 control plane: istio-pilot for its
 * configuration, istio-citadel for its certificates (they expire, and are not renewed without it).
 */
export const NEEDED_BY_14_PROXIES: readonly string[] = ['istio-citadel', 'istio-pilot'];

/** A Deployment without spec.replicas runs one replica. */
const DEFAULT_REPLICAS = 1;

/** The reason the spec gives while proxies remain on 1.4 (SPEC §4). */
const PROXIES_REMAIN = 'proxies still use the 1.4 control plane';

export default defineRule({
  id: 'old-control-plane-scaledown',
  title: 'The 1.4 control plane is scaled down once every proxy and gateway is on 1.6, and not before',
  phase: 'retire-old-control-plane',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'info',
  isStep: true,
  needs: ['deployments', 'pods'],
  docs: {
    summary:
      'Every proxy and gateway runs 1.6 but the 1.4 control-plane Deployments still have replicas, or the 1.4 control plane was scaled down while 1.4 proxies or gateways still run.',
    checks:
      'Reads the Deployments istio-citadel, istio-galley, istio-pilot, istio-policy, istio-sidecar-injector, ' +
      'istio-telemetry, prometheus and promsd in istio-system. When every `istio-proxy` sidecar outside ' +
      'istio-system and every `app=istio-ingressgateway` pod in istio-system runs an image of 1.6 or later (for ' +
      'every target: on the ASM path the add-on gateway keeps running 1.4 until install_asm replaces it) and a ' +
      '1.6 istiod is ready, and no namespace still has `istio-injection=enabled`, each of those Deployments with ' +
      'replicas left is an info finding: a step still to do. While some proxy or gateway pod is older than 1.6: ' +
      'not applicable with the reason "proxies still use the 1.4 control plane", unless istio-pilot or ' +
      'istio-citadel is already at 0 replicas: then each of them is an urgent error (phase prepare) whose fix ' +
      'scales it back to 1. Not applicable, naming them, while any namespace still has `istio-injection=enabled`, ' +
      'even one with no pod running (a CronJob namespace, for example); not applicable when no 1.6 istiod is ' +
      'ready, or when none of those Deployments exists. Unknown when a proxy image tag is not a version, or when ' +
      'Namespaces were not collected.',
    why:
      'Once all workload proxies use the 1.6 control plane, the old one only consumes resources; "Upgrading ' +
      'to Istio 1.6 with the operator" ("Turning off the old control plane") scales its components to 0 ' +
      'replicas. Doing it earlier cuts the remaining 1.4 proxies off from configuration and certificates. A ' +
      'namespace still labelled `istio-injection=enabled` is still served by the 1.4 injector, whose ' +
      'MutatingWebhookConfiguration has `failurePolicy: Fail`: once istio-sidecar-injector has no replicas, ' +
      'the API server rejects every new pod there (the next CronJob run, a scale-up, a rescheduled pod). A 1.4 ' +
      'ingress gateway is a 1.4 proxy too: it takes its routes from istio-pilot and its certificates from ' +
      'istio-citadel, so on every target the old control plane stays until it is gone.',
    fix:
      '`kubectl scale deploy -n istio-system --replicas=0 istio-citadel istio-galley istio-pilot istio-policy ' +
      'istio-sidecar-injector istio-telemetry prometheus promsd`. The other Istio resources can stay. Scaled ' +
      'down too early: `kubectl scale deploy -n istio-system --replicas=1 istio-citadel istio-pilot` at once, ' +
      'then move the remaining proxies and the gateway first.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: turning off the old control plane',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
    ],
  },
  check(snapshot, { index, target }) {
    const mesh = meshIndex(index);
    const inIstioSystem = index.deploymentsByNamespace().get(ISTIO_SYSTEM) ?? [];
    const oldDeployments = inIstioSystem
      .filter((d) => OLD_CONTROL_PLANE.includes(d.metadata.name))
      .sort(
        (a, b) => OLD_CONTROL_PLANE.indexOf(a.metadata.name) - OLD_CONTROL_PLANE.indexOf(b.metadata.name),
      );
    if (oldDeployments.length === 0) {
      return notApplicable('no Deployment of the 1.4 control plane in istio-system');
    }
    const on14 = mesh.proxiesOn14();
    const { sidecars, gateways } = on14;
    if (sidecars.length > 0 || gateways.length > 0) {
      const parts = [
        sidecars.length > 0 ? `${sidecars.length} workload pod${sidecars.length > 1 ? 's' : ''}` : '',
        gateways.length > 0 ? `${gateways.length} ingress gateway pod${gateways.length > 1 ? 's' : ''}` : '',
      ].filter((part) => part !== '');
      const remaining = `${parts.join(' and ')} on a version before 1.6`;
      const scaledDown = oldDeployments.filter(
        (d) => NEEDED_BY_14_PROXIES.includes(d.metadata.name) && d.replicas === 0,
      );
      if (scaledDown.length === 0) return notApplicable(`${PROXIES_REMAIN} (${remaining})`);
      const names = scaledDown.map((d) => d.metadata.name);
      const examples = [...sidecars, ...gateways]
        .slice(0, 3)
        .map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`);
      return scaledDown.map((deployment) =>
        findingAbout(
          deployment,
          `Deployment ${ISTIO_SYSTEM}/${deployment.metadata.name} of the 1.4 control plane has 0 replicas, but ` +
            `${remaining} still ${sidecars.length + gateways.length === 1 ? 'depends' : 'depend'} on it (e.g. ` +
            `${examples.join(', ')}): ` +
            (deployment.metadata.name === 'istio-pilot'
              ? 'without istio-pilot they get no configuration changes (new endpoints, routes, policies)'
              : 'without istio-citadel their certificates are not renewed, and mutual TLS fails once they expire') +
            '. Scale it back to 1 now; scale the 1.4 control plane down only once no 1.4 proxy or gateway pod runs.',
          {
            severity: 'error',
            phase: 'prepare',
            urgent: true,
            key: 'scaled-down-too-early',
            fix: fix('restore-old-control-plane', { deployments: names }),
          },
        ),
      );
    }
    const unreadable = on14.unreadable;
    if (unreadable.length > 0) {
      return unknown(
        `cannot tell whether ${PROXIES_REMAIN}: the istio-proxy image of ` +
          `${unreadable
            .map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`)
            .slice(0, 3)
            .join(', ')}` +
          `${unreadable.length > 3 ? ', …' : ''} has no version tag`,
      );
    }
    const namespacesMissing = index.missing('namespaces');
    if (namespacesMissing) {
      return unknown(
        `cannot tell whether a namespace still selects the 1.4 injector (${INJECTION_LABEL}=enabled): ` +
          namespacesMissing,
      );
    }
    const selecting14 = snapshot.kube.namespaces
      .filter((ns) => ns.metadata.labels?.[INJECTION_LABEL] === 'enabled')
      .map((ns) => ns.metadata.name)
      .sort();
    if (selecting14.length > 0) {
      const shown = selecting14.slice(0, 5).join(', ');
      const more = selecting14.length > 5 ? ` and ${selecting14.length - 5} more` : '';
      return notApplicable(
        `${selecting14.length === 1 ? 'namespace' : 'namespaces'} ${shown}${more} still ` +
          `${selecting14.length === 1 ? 'has' : 'have'} ${INJECTION_LABEL}=enabled: the 1.4 sidecar injector's ` +
          'webhook (failurePolicy: Fail) still answers for them, even with no pod running, so scaling it down ' +
          'would make their next pod fail to create; relabel them first (namespace-injection-labels)',
      );
    }
    const current = mesh.currentControlPlane(isAsmTarget(target));
    if (!current) {
      return notApplicable(
        'no Istio 1.6 control plane (istiod with an istio.io/rev label) is ready: the 1.4 control plane is ' +
          'still the only one',
      );
    }
    const proxies = mesh.ingressGatewayPods().length > 0 ? 'proxy and the ingress gateway' : 'proxy';
    return oldDeployments
      .map((deployment) => ({ deployment, replicas: deployment.replicas ?? DEFAULT_REPLICAS }))
      .filter(({ replicas }) => replicas > 0)
      .map(({ deployment, replicas }) =>
        findingAbout(
          deployment,
          `Deployment ${ISTIO_SYSTEM}/${deployment.metadata.name} of the 1.4 control plane still has ${replicas} ` +
            `replica${replicas === 1 ? '' : 's'}, and every ${proxies} now uses Istio 1.6 (revision ` +
            `${current.revision}): scale it to 0.`,
          { fix: fix('scale-down-old-control-plane', { deployments: [deployment.metadata.name] }) },
        ),
      );
  },
});
