import { defineRule, findingAbout, notApplicable } from '../src/engine/rule.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { isControlPlaneObject } from '../src/istio/objects.ts';
import { fix } from '../src/remediate/actions/index.ts';

export default defineRule({
  id: 'envoyfilter-usage',
  title: 'EnvoyFilters are reviewed before the proxies change version',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['envoyfilters', 'namespaces'],
  docs: {
    summary:
      'A user-created EnvoyFilter exists; its patches are tied to the proxy version and may break on 1.6.',
    checks:
      'One finding per EnvoyFilter not owned by the control plane. Owned means: an ownerReference to an ' +
      'IstioOperator; a label of the Istio operator (`install.operator.istio.io/owning-resource`, ' +
      '`operator.istio.io/component`, `operator.istio.io/managed`, ... — the 1.6 operator puts them on the ' +
      'telemetry EnvoyFilters it installs, e.g. `stats-filter-1.6`); the GKE add-on manager label ' +
      "`addonmanager.kubernetes.io/mode`; or `release: istio` from Istio's Helm charts. Not applicable when " +
      'Istio is not installed (no istio-system namespace and no EnvoyFilter).',
    why:
      "EnvoyFilter patches Envoy's generated configuration directly, so it depends on the Envoy and Istio " +
      'version: filter names, listener layout and xDS versions change between 1.4 and 1.6. A filter that ' +
      'matched 1.4 proxies can silently stop applying, or break traffic, once workloads restart with the 1.6 ' +
      'proxy (Istio documents EnvoyFilter as version-specific and not covered by upgrade guarantees).',
    fix:
      'Read each EnvoyFilter (`kubectl get envoyfilter -n NAMESPACE NAME -o yaml`), check its match and ' +
      'patch against an Istio 1.6 proxy (for example on one canary workload moved to the 1.6 revision, with ' +
      '`istioctl proxy-config`), and replace it with a first-class API where one now exists. Consider ' +
      '`match.proxy.proxyVersion` so a filter only applies to the proxy version it was written for.',
    references: [
      {
        title: 'Istio EnvoyFilter reference',
        url: 'https://istio.io/latest/docs/reference/config/networking/envoy-filter/',
      },
      {
        title: 'Istio 1.6 upgrade notes',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
    ],
  },
  check(snapshot, { index }) {
    const mesh = meshIndex(index);
    const filters = snapshot.kube.envoyfilters;
    if (filters.length === 0 && !mesh.istioSystemExists()) {
      return notApplicable('Istio is not installed (no istio-system namespace)');
    }
    return filters
      .filter((filter) => !isControlPlaneObject(filter))
      .map((filter) => {
        const namespace = filter.metadata.namespace ?? 'default';
        return findingAbout(
          filter,
          `EnvoyFilter ${namespace}/${filter.metadata.name} patches Envoy configuration directly and is tied ` +
            'to the proxy version: check that it still applies, and still does what it should, with Istio 1.6 ' +
            'proxies before moving the workloads it selects.',
          { fix: fix('review-envoyfilter', { namespace, name: filter.metadata.name }) },
        );
      });
  },
});
