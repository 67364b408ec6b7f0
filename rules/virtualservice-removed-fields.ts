import { defineRule, findingAbout, notApplicable, type RuleFinding, unknown } from '../src/engine/rule.ts';
import { meshIndex } from '../src/istio/mesh-index.ts';
import { removedFields, replacementFor } from '../src/istio/virtualservice-fields.ts';
import { fix } from '../src/remediate/actions/index.ts';

export default defineRule({
  id: 'virtualservice-removed-fields',
  title: 'VirtualServices use no field Istio 1.6 removed',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: 'warning',
  needs: ['virtualservices', 'namespaces'],
  docs: {
    summary: 'A VirtualService uses fields that Istio 1.6 no longer accepts.',
    checks:
      'Walks `spec.http[]` of every VirtualService and reports, in one finding per VirtualService, the JSON ' +
      'paths of the fields istio/api removed: `appendHeaders`, `appendRequestHeaders`, `appendResponseHeaders`, ' +
      '`removeRequestHeaders`, `removeResponseHeaders` and `websocketUpgrade` on an HTTP route; the four ' +
      '`append*`/`remove*` header fields on `http[].route[]` destinations; and the integer `percent` of ' +
      '`fault.abort` (the deprecated `fault.delay.percent` is still accepted). Unknown when a spec cannot be ' +
      'read (for example `spec.http` is not a list) and nothing else was found; not applicable when Istio is ' +
      'not installed and there is no VirtualService.',
    why:
      'These fields were deprecated for more than a year and removed from the VirtualService API for Istio ' +
      '1.5; their names are now reserved. Istio 1.6 rejects such objects on validation and ignores the fields ' +
      'otherwise, so headers stop being added or removed and fault injection stops aborting requests once ' +
      'workloads move to the 1.6 control plane.',
    fix:
      'Rewrite the fields before moving workloads: `appendHeaders`/`appendRequestHeaders` -> ' +
      '`headers.request.add`, `appendResponseHeaders` -> `headers.response.add`, `removeRequestHeaders` -> ' +
      '`headers.request.remove`, `removeResponseHeaders` -> `headers.response.remove` (at the same level, route ' +
      'or destination), `fault.abort.percent: N` -> `fault.abort.percentage.value: N`, and delete ' +
      '`websocketUpgrade` (WebSocket upgrades are allowed by default).',
    references: [
      {
        title: 'Istio VirtualService reference (Headers, HTTPFaultInjection.Abort)',
        url: 'https://istio.io/latest/docs/reference/config/networking/virtual-service/',
      },
      {
        title: 'istio/api#1214: remove deprecated VirtualService fields',
        url: 'https://github.com/istio/api/pull/1214',
      },
      {
        title: 'Istio 1.6 upgrade notes',
        url: 'https://istio.io/latest/news/releases/1.6.x/announcing-1.6/upgrade-notes/',
      },
    ],
  },
  check(snapshot, { index }) {
    const mesh = meshIndex(index);
    const virtualServices = snapshot.kube.virtualservices;
    if (virtualServices.length === 0 && !mesh.istioSystemExists()) {
      return notApplicable('Istio is not installed (no istio-system namespace)');
    }
    const findings: RuleFinding[] = [];
    const unreadable: string[] = [];
    for (const virtualService of virtualServices) {
      const namespace = virtualService.metadata.namespace ?? 'default';
      const where = `${namespace}/${virtualService.metadata.name}`;
      const { paths, malformed } = removedFields(virtualService.spec);
      unreadable.push(...malformed.map((problem) => `VirtualService ${where}: ${problem}`));
      if (paths.length === 0) continue;
      findings.push(
        findingAbout(
          virtualService,
          `VirtualService ${where} uses fields Istio 1.6 no longer accepts: ` +
            `${paths.map((path) => `${path} -> ${replacementFor(path)}`).join('; ')}.`,
          {
            fix: fix('fix-virtualservice-fields', {
              namespace,
              name: virtualService.metadata.name,
              fields: [...paths],
            }),
          },
        ),
      );
    }
    if (findings.length === 0 && unreadable.length > 0) {
      return unknown(
        `cannot read ${unreadable.length === 1 ? 'a spec' : 'some specs'}: ${unreadable.join('; ')}`,
      );
    }
    return findings;
  },
});
