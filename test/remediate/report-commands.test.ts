/**
 * The reports' commands are the script's dry-run lines, for every branch of every action: the
 * full test reports of each target, and variants that take the other branches (an autoscaled
 * pool, a new pool install_asm 1.6 must count alone, pools left to one for it, workloads moved
 * onto the pool it already counts, a new firewall rule without tags, a namespace without a
 * revision, a bare pod, a policy meshready could not convert, a firewall rule naming a gateway
 * port, Workload Identity already on the cluster), all run through the real script in bash.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import type { Target } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { dryRunCommands, runScript } from './fake-tools.ts';
import { finding, fullReport, fullResults, report, result } from './reports.ts';

const scope = { cluster: 'demo', location: 'europe-west1-b', project: 'acme-prod' };

function variants(target: Target): Report {
  const results = fullResults(target);
  results.push(
    result('cluster-vcpu-capacity', 'prepare', [
      finding({
        resource: { apiVersion: 'container.googleapis.com/v1', kind: 'NodePool', name: 'auto-pool' },
        fix: fix('autoscale-node-pool', { ...scope, pool: 'auto-pool', minNodes: 3, maxNodes: 5 }),
      }),
      finding({
        resource: { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: 'demo' },
        fix: fix('add-node-pool', {
          ...scope,
          pool: 'asm-pool-2',
          machineType: 'custom-4-16384',
          nodes: 1,
          soleQualifying: true,
        }),
      }),
      finding({
        resource: { apiVersion: 'container.googleapis.com/v1', kind: 'NodePool', name: 'tools' },
        fix: fix('replace-node-pool', {
          ...scope,
          pool: 'tools',
          machineType: 'e2-medium',
          suggestedMachineType: 'e2-standard-4',
          into: 'default-pool',
        }),
      }),
      finding({
        resource: { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: 'demo' },
        fix: fix('consolidate-node-pools', {
          ...scope,
          keep: 'asm-pool',
          newPoolMachineType: 'e2-standard-4',
          newPoolNodes: 2,
          retire: ['pool-a', 'pool-b'],
        }),
      }),
    ]),
    result('webhook-firewall-15017', 'prepare', [
      finding({
        resource: { apiVersion: 'compute.googleapis.com/v1', kind: 'Network', name: 'default' },
        fix: fix('open-webhook-port', {
          project: 'acme-prod',
          network: 'default',
          allowed: [],
          newRule: 'allow-istio-webhook',
          sourceRange: '172.16.0.0/28',
          targetTags: [],
        }),
      }),
    ]),
    result('workload-identity', 'prepare', [
      finding({
        resource: { apiVersion: 'container.googleapis.com/v1', kind: 'Cluster', name: 'demo' },
        fix: fix('enable-workload-identity', {
          ...scope,
          workloadPool: 'acme-prod.svc.id.goog',
          clusterEnabled: true,
          pools: ['pool-a', 'pool-b'],
        }),
      }),
    ]),
    result('v1alpha1-security-policy', 'prepare', [
      finding({
        resource: {
          apiVersion: 'rbac.istio.io/v1alpha1',
          kind: 'ServiceRole',
          namespace: 'web',
          name: 'odd',
        },
        fix: fix('migrate-v1alpha1-policy', {
          kind: 'ServiceRole',
          resource: 'serviceroles.rbac.istio.io',
          replacement: 'AuthorizationPolicy',
          namespace: 'web',
          name: 'odd',
          notConverted: 'a constraint 1.6 has no equivalent for',
        }),
      }),
    ]),
    result('gateway-port-changes', target === 'istio-1.6' ? 'migrate-gateway' : 'asm-install', [
      finding({
        resource: { apiVersion: 'compute.googleapis.com/v1', kind: 'Firewall', name: 'lb-health' },
        fix: fix('update-gateway-port-refs', {
          kind: 'Firewall',
          resource: 'firewall-rules',
          name: 'lb-health',
          project: 'acme-prod',
          replacements: ['tcp:15020 -> tcp:15021'],
          allow: ['tcp:15020', 'tcp:15021'],
        }),
      }),
    ]),
    result('namespace-injection-labels', 'migrate-namespaces', [
      ...['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'].map((namespace) =>
        finding({
          resource: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
          fix: fix('relabel-namespace', { namespace, revision: '' }),
        }),
      ),
    ]),
    result('sidecar-proxy-version', 'migrate-namespaces', [
      ...Array.from({ length: 25 }, (_, index) =>
        finding({
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'alpha', name: `svc-${index}` },
          fix: fix('restart-workload', {
            kind: 'Deployment',
            namespace: 'alpha',
            name: `svc-${index}`,
            pods: 2,
          }),
        }),
      ),
      finding({
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'beta', name: 'lonely' },
        fix: fix('restart-workload', { kind: 'Pod', namespace: 'beta', name: 'lonely', pods: 1 }),
      }),
    ]),
  );
  return report(target, results);
}

const REPORTS: readonly (readonly [string, Report])[] = [
  ['full istio-1.6', fullReport('istio-1.6')],
  ['full asm-1.7', fullReport('asm-1.7')],
  ['full asm-1.6', fullReport('asm-1.6')],
  ['variants istio-1.6', variants('istio-1.6')],
  ['variants asm-1.7', variants('asm-1.7')],
];

describe("every report command is a line of the script's dry run", () => {
  it.each(REPORTS)('%s', (_name, input) => {
    const assembled = withRemediation(input);
    const dry = runScript(renderRemediationScript(assembled));
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    const printed = dryRunCommands(dry.stdout);
    const findings = assembled.results.flatMap((r) => r.findings);
    const commands = findings.flatMap((f) => f.remediation?.commands ?? []);
    expect(commands.length).toBeGreaterThan(20);
    for (const command of commands) expect(printed.has(command), command).toBe(true);
    // Every finding with a fix the script plans shows at least one command.
    for (const f of findings.filter((x) => x.fix && !x.suppressed)) {
      expect(f.remediation?.commands.length, `${f.resource.kind} ${f.resource.name}`).toBeGreaterThan(0);
    }
  });
});
