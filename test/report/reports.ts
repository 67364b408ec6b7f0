/**
 * Reports for the formatter tests: the demo scan, edge cases built by hand (validated with the
 * report schema so they stay honest), a 10,000-finding cluster and a hostile snapshot.
 */
import path from 'node:path';
import { RULES } from '../../rules/index.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
import { type Finding, type Report, type RuleResult, reportSchema } from '../../src/engine/report-model.ts';
import { phaseFor } from '../../src/engine/rule.ts';
import { phaseStatuses, runRules, summarize } from '../../src/engine/runner.ts';
import type { ResourceRef, Severity, Target } from '../../src/engine/vocabulary.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { gkeCluster, istiod, namespace, pod, service } from '../helpers/objects.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SCAN_TIME = new Date('2026-11-25T10:00:00Z');

/** Runs the whole catalogue on snapshot files or directories given relative to the repository root. */
export async function scanFiles(files: readonly string[], target: Target = 'istio-1.6'): Promise<Report> {
  const snapshot = await loadSnapshot(
    files.map((file) => path.relative(process.cwd(), path.join(REPO_ROOT, file))),
  );
  return withRemediation(runRules(snapshot, { rules: RULES, target, toolVersion: '0.1.0', now: SCAN_TIME }));
}

export function demoReport(): Promise<Report> {
  return scanFiles(['fixtures/demo/addon-1.4']);
}

export function scanDocuments(documents: readonly unknown[], target: Target = 'istio-1.6'): Report {
  return withRemediation(
    runRules(snapshotFromDocuments({ documents }), {
      rules: RULES,
      target,
      toolVersion: '0.1.0',
      now: SCAN_TIME,
    }),
  );
}

export interface FindingSpec {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly severity?: Severity;
  readonly message?: string;
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;
  readonly commands?: readonly string[];
  readonly suppressed?: Finding['suppressed'];
}

export function makeFinding(ruleId: string, spec: FindingSpec): Finding {
  const resource: ResourceRef = {
    apiVersion: spec.apiVersion ?? 'v1',
    kind: spec.kind ?? 'Service',
    ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
    name: spec.name,
  };
  return {
    fingerprint: fingerprintOf(ruleId, resource, spec.key),
    severity: spec.severity ?? 'warning',
    message:
      spec.message ?? `${resource.kind} ${spec.namespace ?? ''}/${spec.name}: port 80 has no protocol.`,
    resource,
    ...(spec.file ? { location: { file: spec.file, line: spec.line ?? 1 } } : {}),
    ...(spec.commands ? { remediation: { phase: 'prepare', commands: [...spec.commands] } } : {}),
    ...(spec.suppressed ? { suppressed: spec.suppressed } : {}),
  };
}

/** A report around hand-made rule results, with summary, phases and verdict worked out as the runner does. */
export function reportFrom(results: readonly RuleResult[], extra: Partial<Report> = {}): Report {
  const summary = summarize(results);
  const target = extra.target ?? 'istio-1.6';
  const phases = phaseStatuses(target, results, new Map(RULES.map((rule) => [rule.id, rule])));
  const current = phases.find((phase) => phase.status !== 'done');
  return reportSchema.parse({
    schemaVersion: 1,
    tool: { name: 'meshready', version: '0.1.0' },
    target,
    generatedAt: '2026-11-25T10:00:00Z',
    cluster: {
      name: 'demo',
      project: 'acme-prod',
      location: 'europe-west1-b',
      masterVersion: '1.16.15-gke.4300',
    },
    source: { kind: 'snapshot', inputs: ['snapshot'], skipped: [], notCollected: [] },
    verdict:
      summary.findings.error > 0
        ? 'not-ready'
        : results.some((r) => r.status === 'unknown' && r.severity === 'error')
          ? 'unknown'
          : 'ready',
    summary,
    phases,
    ...(current ? { currentPhase: current.id, nextStep: `${current.id}: fix what fails` } : {}),
    results,
    ...extra,
  });
}

export function failing(
  ruleId: string,
  findings: readonly Finding[],
  severity: Severity = 'warning',
): RuleResult {
  const rule = RULES.find((r) => r.id === ruleId);
  return {
    ruleId,
    title: rule?.title ?? ruleId,
    phase: rule ? phaseFor(rule, rule.targets[0] ?? 'istio-1.6') : 'prepare',
    severity,
    status: findings.length > 0 ? 'fail' : 'pass',
    findings: [...findings],
  };
}

/** A cluster with `count` open findings spread over namespaces and three rules. */
export function largeReport(count: number, namespaces = 40): Report {
  const ports: Finding[] = [];
  const labels: Finding[] = [];
  const policies: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `team-${String(Math.floor(i / 10) % namespaces).padStart(2, '0')}`;
    const file = `snapshot/${ns}/services.yaml`;
    if (i % 10 === 0) {
      policies.push(
        makeFinding('v1alpha1-security-policy', {
          kind: 'Policy',
          apiVersion: 'authentication.istio.io/v1alpha1',
          namespace: ns,
          name: `policy-${i}`,
          severity: 'error',
          message: `Policy ${ns}/policy-${i} (authentication.istio.io/v1alpha1) is ignored by Istio 1.6.`,
          file,
          line: i + 1,
          commands: [`kubectl get policies.authentication.istio.io -n ${ns} policy-${i} -o yaml`],
        }),
      );
    } else if (i % 10 === 1) {
      labels.push(
        makeFinding('namespace-injection-labels', {
          kind: 'Namespace',
          name: `legacy-${i}`,
          message: `Namespace legacy-${i} still uses istio-injection=enabled.`,
          commands: [
            `kubectl label namespace legacy-${i} istio-injection- istio.io/rev=istio-1611 --overwrite`,
          ],
        }),
      );
    } else {
      ports.push(
        makeFinding('service-port-naming', {
          namespace: ns,
          name: `svc-${i}`,
          message: `Service ${ns}/svc-${i}: Istio 1.6 cannot determine the protocol of port 8080/TCP (unnamed).`,
          file,
          line: i + 1,
          commands: [`kubectl edit service -n ${ns} svc-${i}`],
        }),
      );
    }
  }
  const byResource = (a: Finding, b: Finding) =>
    (a.resource.namespace ?? '').localeCompare(b.resource.namespace ?? '') ||
    a.resource.name.localeCompare(b.resource.name);
  return reportFrom([
    failing('v1alpha1-security-policy', policies.sort(byResource), 'error'),
    failing('service-port-naming', ports.sort(byResource), 'warning'),
    failing('namespace-injection-labels', labels.sort(byResource), 'error'),
  ]);
}

/** Strings that would run script or inject markup if any formatter failed to escape them. */
export const HOSTILE = {
  namespace: '<img src=x onerror="window.__xss=1">',
  service: '"><script>window.__xss=2</script>',
  portName: '<svg onload="window.__xss=3">',
  image: 'evil.io/x:1"><script>window.__xss=4</script>',
  label: "</textarea><script>window.__xss=5</script>'`|*_[x](javascript:alert(1))",
  cluster: '<b>bold</b>&amp;<iframe src="https://example.com"></iframe>',
} as const;

/** A snapshot whose names, labels, images and port names carry HTML/JS, run through the real rules. */
export function hostileReport(): Report {
  return scanDocuments([
    namespace(HOSTILE.namespace, { 'istio-injection': 'enabled', team: HOSTILE.label }),
    namespace('shop', { 'istio-injection': 'enabled', 'istio.io/rev': HOSTILE.label }),
    service(HOSTILE.namespace, HOSTILE.service, [{ name: HOSTILE.portName, port: 8080, protocol: 'TCP' }], {
      labels: { app: HOSTILE.label },
    }),
    service('shop', 'cart', [{ name: `http-${HOSTILE.portName}`, port: 9090 }, { port: 7070 }]),
    pod(HOSTILE.namespace, `${HOSTILE.service}-pod`, [
      { name: 'app', image: HOSTILE.image },
      { name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2:1.4.10-gke.5${HOSTILE.image}` },
    ]),
    {
      apiVersion: 'authentication.istio.io/v1alpha1',
      kind: 'Policy',
      metadata: { name: HOSTILE.label, namespace: HOSTILE.namespace, labels: { x: HOSTILE.label } },
      spec: {},
    },
    namespace('istio-system'),
    ...istiod('istio-1611', '1.6.11-gke.0'),
    gkeCluster({ name: HOSTILE.cluster, currentMasterVersion: '1.16.15-gke.4300' }),
  ]);
}
