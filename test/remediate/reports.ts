/**
 * Reports for the remediation tests. `fullReport` holds one finding for every fix action (built
 * with the real fix() schemas and checked against the report schema), so every partial renders.
 */
import { RULES } from '../../rules/index.ts';
import {
  type Finding,
  type PhaseStatus,
  type Report,
  type RuleResult,
  reportSchema,
} from '../../src/engine/report-model.ts';
import { phaseStatuses } from '../../src/engine/runner.ts';
import {
  type Fix,
  type Phase,
  phasesFor,
  type ResourceRef,
  type Target,
} from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';

export const CLUSTER = { name: 'demo', project: 'acme-prod', location: 'europe-west1-b' } as const;
export const CONTEXT = `gke_${CLUSTER.project}_${CLUSTER.location}_${CLUSTER.name}`;

interface FindingSpec {
  readonly resource: ResourceRef;
  readonly fix?: Fix;
  /** The finding's own phase, for a rule spanning two. */
  readonly phase?: Phase;
  readonly severity?: Finding['severity'];
  readonly suppressed?: Finding['suppressed'];
}

let counter = 0;
export function finding(spec: FindingSpec): Finding {
  counter += 1;
  return {
    fingerprint: `fp-${counter}`,
    severity: spec.severity ?? 'error',
    message: `finding about ${spec.resource.kind} ${spec.resource.name}`,
    resource: spec.resource,
    ...(spec.phase ? { phase: spec.phase } : {}),
    ...(spec.fix ? { fix: spec.fix, remediation: { phase: 'prepare' as Phase, commands: [] } } : {}),
    ...(spec.suppressed ? { suppressed: spec.suppressed } : {}),
  };
}

export function result(
  ruleId: string,
  phase: Phase,
  findings: Finding[],
  extra: Partial<RuleResult> = {},
): RuleResult {
  return {
    ruleId,
    title: `title of ${ruleId}`,
    phase,
    severity: 'error',
    status: findings.length > 0 ? 'fail' : 'pass',
    findings,
    ...extra,
  };
}

/**
 * A report of these results. Every phase with a finding is `todo` (so each can be run on its own
 * in the tests of its steps); `realisticReport` gives the statuses the runner gives instead.
 */
export function report(
  target: Target,
  results: RuleResult[],
  cluster: Report['cluster'] = CLUSTER,
  statuses?: readonly { id: Phase; status: PhaseStatus; rules: string[] }[],
): Report {
  const phases = phasesFor(target);
  const inPhase = (r: RuleResult, id: Phase) => r.phase === id || r.findings.some((f) => f.phase === id);
  const open = (r: RuleResult, id: Phase) => r.findings.some((f) => (f.phase ?? r.phase) === id);
  const phaseList =
    statuses ??
    phases.map((id) => ({
      id,
      status: results.some((r) => open(r, id)) ? 'todo' : 'done',
      rules: results.filter((r) => inPhase(r, id)).map((r) => r.ruleId),
    }));
  const current = phaseList.find((p) => p.status !== 'done')?.id;
  return reportSchema.parse({
    schemaVersion: 1,
    tool: { name: 'meshready', version: '0.1.0' },
    target,
    generatedAt: '2026-11-25T10:00:00Z',
    cluster,
    source: { kind: 'snapshot', inputs: ['snapshot/'], skipped: [], notCollected: [] },
    verdict: 'not-ready',
    summary: {
      pass: 0,
      fail: results.length,
      'not-applicable': 0,
      unknown: 0,
      findings: { error: 0, warning: 0, info: 0 },
      suppressed: 0,
    },
    phases: phaseList,
    ...(current ? { currentPhase: current } : {}),
    results,
  });
}

/** A report with the phase statuses the runner computes: the first phase not done, then blocked. */
export function realisticReport(
  target: Target,
  results: RuleResult[],
  cluster: Report['cluster'] = CLUSTER,
): Report {
  const rulesById = new Map(RULES.map((rule) => [rule.id, rule]));
  return report(target, results, cluster, phaseStatuses(target, results, rulesById));
}

const gke = (name = CLUSTER.name): ResourceRef => ({
  apiVersion: 'container.googleapis.com/v1beta1',
  kind: 'Cluster',
  name,
});
const scope = { cluster: CLUSTER.name, location: CLUSTER.location, project: CLUSTER.project };

/** Every fix action once, with the names the tests look for. */
export function fullResults(target: Target): RuleResult[] {
  const results: RuleResult[] = [
    result('gke-version-istio16', 'cluster-upgrade', [
      finding({
        resource: gke(),
        fix: fix('upgrade-master', { ...scope, version: '1.17.12-gke.1501', from: '1.16.15-gke.4300' }),
      }),
    ]),
    result('gke-upgrade-cr-deletion', 'cluster-upgrade', [
      finding({
        resource: gke(),
        fix: fix('backup-istio-system-crs', {
          ...scope,
          version: '1.17.12-gke.1501',
          resources: ['gateways.networking.istio.io', 'envoyfilters.networking.istio.io'],
          objects: ['Gateway/public-gw', 'EnvoyFilter/lua'],
        }),
      }),
    ]),
    result('ingress-gateway-upgrade-disruption', 'cluster-upgrade', [
      finding({
        severity: 'warning',
        resource: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'istio-system',
          name: 'istio-ingressgateway',
        },
        fix: fix('gateway-upgrade-outage', {
          namespace: 'istio-system',
          name: 'istio-ingressgateway',
          editors: ['kubectl-edit'],
        }),
      }),
    ]),
    result('istiod-revision-ready', 'prepare', [
      finding({
        resource: { apiVersion: 'v1', kind: 'Namespace', name: 'istio-system' },
        fix: fix('inspect-istiod', { revisions: ['istio-1611'] }),
      }),
    ]),
    result('istio-operator-health', 'prepare', [
      finding({
        resource: {
          apiVersion: 'install.istio.io/v1alpha1',
          kind: 'IstioOperator',
          namespace: 'istio-system',
          name: 'istio-1-6-11-gke-0',
        },
        fix: fix('inspect-operator', {
          namespace: 'istio-system',
          name: 'istio-1-6-11-gke-0',
          status: 'ERROR',
        }),
      }),
    ]),
    result('v1alpha1-security-policy', 'prepare', [
      finding({
        resource: {
          apiVersion: 'authentication.istio.io/v1alpha1',
          kind: 'Policy',
          namespace: 'shop',
          name: 'default',
        },
        fix: fix('migrate-v1alpha1-policy', {
          kind: 'Policy',
          resource: 'policies.authentication.istio.io',
          replacement: 'PeerAuthentication and/or RequestAuthentication',
          name: 'default',
          namespace: 'shop',
        }),
      }),
      finding({
        severity: 'warning',
        phase: 'retire-old-control-plane',
        resource: {
          apiVersion: 'rbac.istio.io/v1alpha1',
          kind: 'ServiceRoleBinding',
          namespace: 'web',
          name: 'readers',
        },
        fix: fix('delete-v1alpha1-policy', {
          kind: 'ServiceRoleBinding',
          resource: 'servicerolebindings.rbac.istio.io',
          name: 'readers',
          namespace: 'web',
          converted: ['AuthorizationPolicy web/readers'],
        }),
      }),
    ]),
    result('galley-webhook-clusterrole', 'prepare', [
      finding({
        resource: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          name: 'istio-galley-istio-system',
        },
        fix: fix('restrict-galley-clusterrole', { name: 'istio-galley-istio-system', ruleIndex: 2 }),
      }),
    ]),
    result('galley-validating-webhook', 'prepare', [
      finding({
        resource: {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          name: 'istio-galley',
        },
        fix: fix('delete-galley-webhook', { name: 'istio-galley' }),
      }),
    ]),
    result('envoyfilter-usage', 'prepare', [
      finding({
        severity: 'warning',
        resource: {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'EnvoyFilter',
          namespace: 'shop',
          name: 'lua',
        },
        fix: fix('review-envoyfilter', { namespace: 'shop', name: 'lua' }),
      }),
    ]),
    result('mixer-custom-config', 'prepare', [
      finding({
        severity: 'warning',
        resource: {
          apiVersion: 'config.istio.io/v1alpha2',
          kind: 'handler',
          namespace: 'istio-system',
          name: 'denier',
        },
        fix: fix('review-mixer-config', {
          kind: 'handler',
          resource: 'handlers.config.istio.io',
          namespace: 'istio-system',
          name: 'denier',
        }),
      }),
    ]),
    result('virtualservice-removed-fields', 'prepare', [
      finding({
        severity: 'warning',
        resource: {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'VirtualService',
          namespace: 'shop',
          name: 'cart',
        },
        fix: fix('fix-virtualservice-fields', {
          namespace: 'shop',
          name: 'cart',
          fields: ['spec.http[0].appendHeaders'],
        }),
      }),
    ]),
    result('service-port-naming', 'prepare', [
      finding({
        resource: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'cart' },
        fix: fix('name-service-ports', {
          namespace: 'shop',
          name: 'cart',
          ports: ['80/TCP (unnamed)', '9090/TCP (name "metrics")'],
          suggestions: ['port 80: "http" (port 80 carries HTTP by convention)'],
          patches: ['0=http'],
        }),
      }),
    ]),
  ];
  if (target !== 'istio-1.6') {
    results.push(
      result('node-machine-vcpu', 'prepare', [
        finding({
          severity: 'info',
          resource: { apiVersion: 'container.googleapis.com/v1beta1', kind: 'NodePool', name: 'small-pool' },
          fix: fix('replace-node-pool', {
            ...scope,
            pool: 'small-pool',
            machineType: 'e2-medium',
            suggestedMachineType: 'e2-standard-4',
          }),
        }),
      ]),
      result(
        'cluster-vcpu-capacity',
        'prepare',
        target === 'asm-1.6'
          ? [
              // install_asm 1.6 counts one pool only, and the autoscaler may shrink the cluster.
              finding({
                resource: { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: 'demo' },
                fix: fix('consolidate-node-pools', {
                  ...scope,
                  keep: 'default-pool',
                  minNodes: 1,
                  maxNodes: 4,
                  retire: ['small-pool'],
                }),
              }),
              finding({
                severity: 'warning',
                resource: {
                  apiVersion: 'container.googleapis.com/v1',
                  kind: 'NodePool',
                  name: 'default-pool',
                },
                fix: fix('autoscale-node-pool', { ...scope, pool: 'default-pool', minNodes: 2, maxNodes: 4 }),
              }),
            ]
          : [
              finding({
                resource: { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: 'demo' },
                fix: fix('add-node-pool', {
                  ...scope,
                  pool: 'asm-pool',
                  machineType: 'e2-standard-4',
                  nodes: 2,
                  soleQualifying: false,
                }),
              }),
            ],
      ),
      result('workload-identity', 'prepare', [
        finding({
          severity: 'warning',
          resource: gke(),
          fix: fix('enable-workload-identity', {
            ...scope,
            workloadPool: 'acme-prod.svc.id.goog',
            clusterEnabled: false,
            pools: ['default-pool'],
          }),
        }),
      ]),
      result('webhook-firewall-15017', 'prepare', [
        finding({
          resource: gke(),
          fix: fix('open-webhook-port', {
            project: CLUSTER.project,
            network: 'default',
            rule: 'gke-demo-1a2b3c4d-master',
            allowed: ['tcp:443', 'tcp:10250'],
            newRule: 'gke-demo-allow-15017',
            sourceRange: '172.16.0.0/28',
            targetTags: ['gke-demo-1a2b3c4d-node'],
          }),
        }),
      ]),
    );
  }
  results.push(
    result('namespace-injection-labels', 'migrate-namespaces', [
      finding({
        resource: { apiVersion: 'v1', kind: 'Namespace', name: 'shop' },
        fix: fix('relabel-namespace', { namespace: 'shop', revision: 'istio-1611' }),
      }),
      finding({
        severity: 'warning',
        resource: { apiVersion: 'v1', kind: 'Namespace', name: 'web' },
        fix: fix('relabel-namespace', { namespace: 'web', revision: 'istio-1611' }),
      }),
    ]),
    result('sidecar-proxy-version', 'migrate-namespaces', [
      finding({
        severity: 'warning',
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' },
        fix: fix('restart-workload', { kind: 'Deployment', namespace: 'shop', name: 'cart', pods: 2 }),
      }),
      finding({
        severity: 'warning',
        resource: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'shop', name: 'db' },
        fix: fix('restart-workload', { kind: 'StatefulSet', namespace: 'shop', name: 'db', pods: 1 }),
      }),
      finding({
        severity: 'warning',
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'web', name: 'debug' },
        fix: fix('restart-workload', { kind: 'Pod', namespace: 'web', name: 'debug', pods: 1 }),
      }),
    ]),
  );
  if (target === 'istio-1.6') {
    results.push(
      result('ingress-gateway-revision', 'migrate-gateway', [
        finding({
          severity: 'warning',
          resource: {
            apiVersion: 'install.istio.io/v1alpha1',
            kind: 'IstioOperator',
            namespace: 'istio-system',
            name: 'istio-1-6-11-gke-0',
          },
          fix: fix('enable-operator-gateway', { operator: 'istio-1-6-11-gke-0', index: 0 }),
        }),
      ]),
      result('gateway-port-changes', 'migrate-gateway', [
        finding({
          severity: 'warning',
          resource: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'edge' },
          fix: fix('update-gateway-port-refs', {
            kind: 'Service',
            resource: 'services',
            namespace: 'shop',
            name: 'edge',
            replacements: ['targetPort 80 -> 8080'],
            allow: [],
          }),
        }),
      ]),
    );
  }
  results.push(
    result('old-control-plane-scaledown', 'retire-old-control-plane', [
      finding({
        severity: 'info',
        resource: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'istio-system',
          name: 'istio-pilot',
        },
        fix: fix('scale-down-old-control-plane', {
          deployments: ['istio-citadel', 'istio-galley', 'istio-pilot'],
        }),
      }),
      finding({
        phase: 'prepare',
        resource: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'istio-system',
          name: 'istio-citadel',
        },
        fix: fix('restore-old-control-plane', { deployments: ['istio-citadel', 'istio-pilot'] }),
      }),
    ]),
  );
  if (target !== 'istio-1.6') {
    results.push(
      result('istio-operator-profile', 'asm-install', [
        finding({
          resource: {
            apiVersion: 'install.istio.io/v1alpha1',
            kind: 'IstioOperator',
            namespace: 'istio-system',
            name: 'istio-1-6-11-gke-0',
          },
          fix: fix('set-operator-profile', { operator: 'istio-1-6-11-gke-0', profile: 'disabled' }),
        }),
      ]),
      result('install-asm-preconditions', 'asm-install', [
        finding({
          severity: 'warning',
          resource: {
            apiVersion: 'install.istio.io/v1alpha1',
            kind: 'IstioOperator',
            namespace: 'istio-system',
            name: 'istio-1-6-11-gke-0',
          },
          fix: fix('write-custom-overlay', {
            operator: 'istio-1-6-11-gke-0',
            namespace: 'istio-system',
            file: 'asm-custom-overlay.yaml',
            overlay: 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n',
            settings: ['meshConfig.accessLogFile'],
          }),
        }),
      ]),
    );
  }
  return results;
}

export function fullReport(target: Target = 'istio-1.6', cluster: Report['cluster'] = CLUSTER): Report {
  return report(target, fullResults(target), cluster);
}
