/**
 * Property: whatever names, labels and images a cluster (or a crafted snapshot) holds, the
 * generated script never runs a command hidden in them, and kubectl/gcloud receive each value
 * exactly as it was. Values mix shell metacharacters ($(...), backticks, ;, quotes, newlines),
 * terminal escapes, bidirectional controls and other Unicode; each one carries a command that
 * would create a canary file if it ever reached a shell unquoted.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import { phasesFor, type Target } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { commandsByFinding } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { type Call, dryRunCommands, type FakeResponse, kubectlWords, runScript } from './fake-tools.ts';
import { finding, report, result } from './reports.ts';

const canaryDir = mkdtempSync(path.join(tmpdir(), 'meshready-canary-'));
const CANARY = path.join(canaryDir, 'pwned');
afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

const FRAGMENTS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `; touch ${CANARY};`,
  `' ; touch ${CANARY} ; '`,
  `" ; touch ${CANARY} ; "`,
  `\ntouch ${CANARY}\n`,
  `'$(touch ${CANARY})'`,
  `"$(touch ${CANARY})"`,
  `$'\\x27'; touch ${CANARY}`,
  `| touch ${CANARY}`,
  `&& touch ${CANARY} #`,
  `\${IFS}touch\${IFS}${CANARY}`,
  `<(touch ${CANARY})`,
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u001b[2J',
  '\u202e',
  '\u2028',
  '*',
  '?',
  '[a]',
  '{a,b}',
  '~',
  '!!',
  '#',
  '%q',
  'é',
  '名前',
  '🙂',
  '-n',
  '=',
  '|',
];

/** A hostile value: fragments and random Unicode, never empty, never NUL (no argv can hold it). */
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'grapheme', maxLength: 4 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join(''))
  .filter((value) => value !== '' && !value.includes('\u0000'));
/** Identity values come back through $(...), which drops trailing newlines. */
const identityValue = hostile.filter((value) => !value.endsWith('\n'));

interface HostileNames {
  readonly cluster: string;
  readonly project: string;
  readonly location: string;
  readonly namespace: string;
  readonly workload: string;
  readonly webhook: string;
  readonly clusterRole: string;
  readonly operator: string;
  readonly crdResource: string;
  readonly gatewayNamespace: string;
  readonly gatewayName: string;
  readonly editor: string;
  readonly policyResource: string;
  readonly policyNamespace: string;
  readonly policyName: string;
  readonly serviceName: string;
  readonly portText: string;
  readonly suggestedName: string;
  readonly oldDeployment: string;
  readonly pool: string;
  readonly firewallRule: string;
  readonly network: string;
  readonly tag: string;
}

const names: fc.Arbitrary<HostileNames> = fc.record({
  cluster: identityValue,
  project: identityValue,
  location: identityValue,
  namespace: hostile,
  workload: hostile,
  webhook: hostile,
  clusterRole: hostile,
  operator: hostile,
  crdResource: hostile,
  gatewayNamespace: hostile,
  gatewayName: hostile,
  editor: hostile,
  policyResource: hostile,
  policyNamespace: hostile,
  policyName: hostile,
  serviceName: hostile,
  portText: hostile,
  suggestedName: hostile,
  oldDeployment: hostile,
  pool: hostile,
  firewallRule: hostile,
  network: hostile,
  tag: hostile,
});

function hostileReport(target: Target, n: HostileNames): Report {
  const scope = { cluster: n.cluster, location: n.location, project: n.project };
  const ref = (kind: string, name: string, namespace?: string) => ({
    apiVersion: 'v1',
    kind,
    name,
    ...(namespace === undefined ? {} : { namespace }),
  });
  const results = [
    result('gke-version-istio16', 'cluster-upgrade', [
      finding({
        resource: ref('Cluster', n.cluster),
        fix: fix('upgrade-master', { ...scope, version: '1.17.12-gke.1501' }),
      }),
    ]),
    result('gke-upgrade-cr-deletion', 'cluster-upgrade', [
      finding({
        resource: ref('Cluster', n.cluster),
        fix: fix('backup-istio-system-crs', {
          ...scope,
          version: '1.17.12-gke.1501',
          resources: [n.crdResource],
          objects: [`Gateway/${n.crdResource}`],
        }),
      }),
    ]),
    result('ingress-gateway-upgrade-disruption', 'cluster-upgrade', [
      finding({
        resource: ref('Deployment', n.gatewayName, n.gatewayNamespace),
        fix: fix('gateway-upgrade-outage', {
          namespace: n.gatewayNamespace,
          name: n.gatewayName,
          editors: [n.editor],
        }),
      }),
    ]),
    result('istio-operator-health', 'prepare', [
      finding({
        resource: ref('IstioOperator', n.operator, 'istio-system'),
        fix: fix('inspect-operator', { namespace: 'istio-system', name: n.operator, status: n.editor }),
      }),
    ]),
    result('v1alpha1-security-policy', 'prepare', [
      finding({
        resource: ref('Policy', n.policyName, n.policyNamespace),
        fix: fix('migrate-v1alpha1-policy', {
          kind: 'Policy',
          resource: n.policyResource,
          replacement: n.editor,
          name: n.policyName,
          namespace: n.policyNamespace,
        }),
      }),
    ]),
    result('galley-webhook-clusterrole', 'prepare', [
      finding({
        resource: ref('ClusterRole', n.clusterRole),
        fix: fix('restrict-galley-clusterrole', { name: n.clusterRole, ruleIndex: 0 }),
      }),
    ]),
    result('galley-validating-webhook', 'prepare', [
      finding({
        resource: ref('ValidatingWebhookConfiguration', n.webhook),
        fix: fix('delete-galley-webhook', { name: n.webhook }),
      }),
    ]),
    result('envoyfilter-usage', 'prepare', [
      finding({
        resource: ref('EnvoyFilter', n.workload, n.namespace),
        fix: fix('review-envoyfilter', { namespace: n.namespace, name: n.workload }),
      }),
    ]),
    result('mixer-custom-config', 'prepare', [
      finding({
        resource: ref('handler', n.workload, n.namespace),
        fix: fix('review-mixer-config', {
          kind: n.editor,
          resource: n.crdResource,
          namespace: n.namespace,
          name: n.workload,
        }),
      }),
    ]),
    result('virtualservice-removed-fields', 'prepare', [
      finding({
        resource: ref('VirtualService', n.serviceName, n.namespace),
        fix: fix('fix-virtualservice-fields', {
          namespace: n.namespace,
          name: n.serviceName,
          fields: [n.portText],
        }),
      }),
    ]),
    result('service-port-naming', 'prepare', [
      finding({
        resource: ref('Service', n.serviceName, n.namespace),
        fix: fix('name-service-ports', {
          namespace: n.namespace,
          name: n.serviceName,
          ports: [n.portText],
          suggestions: [n.suggestedName],
          patches: [`0=${n.suggestedName}`],
        }),
      }),
    ]),
    result('namespace-injection-labels', 'migrate-namespaces', [
      finding({
        resource: ref('Namespace', n.namespace),
        fix: fix('relabel-namespace', { namespace: n.namespace, revision: 'istio-1611' }),
      }),
    ]),
    result('sidecar-proxy-version', 'migrate-namespaces', [
      finding({
        resource: ref('Deployment', n.workload, n.namespace),
        fix: fix('restart-workload', {
          kind: 'Deployment',
          namespace: n.namespace,
          name: n.workload,
          pods: 1,
        }),
      }),
      finding({
        resource: ref('Pod', n.serviceName, n.namespace),
        fix: fix('restart-workload', { kind: 'Pod', namespace: n.namespace, name: n.serviceName, pods: 1 }),
      }),
    ]),
    result('old-control-plane-scaledown', 'retire-old-control-plane', [
      finding({
        resource: ref('Deployment', n.oldDeployment, 'istio-system'),
        fix: fix('scale-down-old-control-plane', { deployments: [n.oldDeployment] }),
      }),
    ]),
  ];
  if (target === 'istio-1.6') {
    results.push(
      result('ingress-gateway-revision', 'migrate-gateway', [
        finding({
          resource: ref('IstioOperator', n.operator, 'istio-system'),
          fix: fix('enable-operator-gateway', { operator: n.operator, index: 0 }),
        }),
      ]),
    );
  } else {
    results.push(
      result('node-machine-vcpu', 'prepare', [
        finding({
          resource: ref('NodePool', n.pool),
          fix: fix('replace-node-pool', {
            ...scope,
            pool: n.pool,
            machineType: n.editor,
            suggestedMachineType: n.tag,
          }),
        }),
      ]),
      result('cluster-vcpu-capacity', 'prepare', [
        finding({
          resource: ref('NodePool', n.pool),
          fix: fix('add-node-pool', {
            ...scope,
            pool: n.pool,
            machineType: n.editor,
            nodes: 2,
            soleQualifying: false,
          }),
        }),
      ]),
      result('workload-identity', 'prepare', [
        finding({
          resource: ref('Cluster', n.cluster),
          fix: fix('enable-workload-identity', {
            ...scope,
            workloadPool: n.tag,
            clusterEnabled: false,
            pools: [n.pool],
          }),
        }),
      ]),
      result('webhook-firewall-15017', 'prepare', [
        finding({
          resource: ref('Cluster', n.cluster),
          fix: fix('open-webhook-port', {
            project: n.project,
            network: n.network,
            rule: n.firewallRule,
            allowed: ['tcp:443'],
            newRule: n.tag,
            sourceRange: '172.16.0.0/28',
            targetTags: [n.tag],
          }),
        }),
      ]),
      result('istio-operator-profile', 'asm-install', [
        finding({
          resource: ref('IstioOperator', n.operator, 'istio-system'),
          fix: fix('set-operator-profile', { operator: n.operator, profile: 'disabled' }),
        }),
      ]),
    );
  }
  return report(target, results, { name: n.cluster, project: n.project, location: n.location });
}

/** Answers that let every guard through, whatever the names are. */
function responses(n: HostileNames, masterVersion: string): FakeResponse[] {
  return [
    { match: 'kubectl config current-context', stdout: `gke_${n.project}_${n.location}_${n.cluster}\n` },
    { match: 'gcloud config get-value project', stdout: `${n.project}\n` },
    { match: 'gcloud container clusters describe *currentMasterVersion*', stdout: `${masterVersion}\n` },
    { match: 'gcloud compute firewall-rules describe *', stdout: 'tcp:443\n' },
    { match: 'gcloud container node-pools describe *', stdout: 'GCE_METADATA\t\n' },
    {
      match: 'kubectl *get namespace * -o go-template=*',
      stdout: 'istio.io/rev=istio-1611\n',
      requires: 'relabelled',
    },
    { match: 'kubectl *get namespace * -o go-template=*', stdout: 'istio-injection=enabled\n' },
    { match: 'kubectl *get namespace *', stdout: 'namespace/x\n' },
    {
      match: 'kubectl *get clusterrole * -o go-template=*',
      stdout: '0|admissionregistration.k8s.io,|validatingwebhookconfigurations,|*,\n',
    },
    { match: 'kubectl *get clusterrole *--ignore-not-found -o name', stdout: 'clusterrole/x\n' },
    {
      match: 'kubectl *get validatingwebhookconfiguration *--ignore-not-found -o name',
      stdout: '',
      requires: 'webhook-deleted',
    },
    { match: 'kubectl *get validatingwebhookconfiguration *--ignore-not-found -o name', stdout: 'vwc/x\n' },
    { match: 'kubectl *get istiooperator * -o go-template=*', stdout: '0|istio-ingressgateway|false\n' },
    { match: 'kubectl *get istiooperator * -o jsonpath=*', stdout: 'default' },
    { match: 'kubectl *get istiooperator *--ignore-not-found -o name', stdout: 'istiooperator/x\n' },
    { match: 'kubectl *get deployment *--ignore-not-found -o name', stdout: 'deployment/x\n' },
    { match: 'kubectl *--ignore-not-found -o name', stdout: '' },
    {
      match: 'kubectl *get deployment -n istio-system -l app=istiod,istio.io/rev=istio-1611 *',
      stdout: '1\n',
    },
    { match: 'kubectl *get deployment -n istio-system -l app=istiod *', stdout: 'istio-1611|1\n' },
    {
      match: 'kubectl *get deployment -n istio-system *--ignore-not-found -o jsonpath=*',
      stdout: 'istio-pilot=1\n',
    },
    { match: 'kubectl *get deployment * -o go-template=*', stdout: 'app=x,' },
    { match: 'kubectl *get pods --all-namespaces *', stdout: '' },
    { match: 'kubectl *get pods -n * -l app=x -o jsonpath=*', stdout: 'p\tgcr.io/x/proxyv2:1.4.10-gke.4\n' },
  ];
}

function hasCall(calls: readonly Call[], tool: string, words: readonly string[]): boolean {
  return calls.some(
    (call) =>
      call.tool === tool &&
      JSON.stringify(tool === 'kubectl' ? kubectlWords(call) : call.args) === JSON.stringify(words),
  );
}

const RUNS = Number(process.env.MESHREADY_PROPERTY_RUNS ?? 12);

describe('hostile names, labels and images', () => {
  it.each(['istio-1.6', 'asm-1.7'] as const)(
    'never run as commands and reach kubectl and gcloud verbatim (%s)',
    (target) => {
      fc.assert(
        fc.property(names, (n) => {
          const hostile = hostileReport(target, n);
          const script = renderRemediationScript(hostile);
          const context = `gke_${n.project}_${n.location}_${n.cluster}`;

          const dry = runScript(script, { responses: responses(n, '1.16.15-gke.4300') });
          expect(dry.status, dry.stderr).toBe(0);
          expect(dry.calls).toEqual([]);
          // Every command the report shows is, byte for byte, a line of the dry run.
          const printed = dryRunCommands(dry.stdout);
          const shown = [...commandsByFinding(hostile).values()].flat();
          expect(shown.length).toBeGreaterThan(10);
          for (const command of shown) expect(printed.has(command), command).toBe(true);

          // The master upgrade stops the script after its phase: one run for it, one for the rest.
          const upgrade = runScript(script, {
            args: ['--apply', '--yes', '--phase', 'cluster-upgrade'],
            responses: responses(n, '1.16.15-gke.4300'),
          });
          expect(upgrade.status, upgrade.stderr).toBe(0);
          const scope = ['--location', n.location, '--project', n.project];
          expect(
            hasCall(upgrade.calls, 'gcloud', [
              'container',
              'clusters',
              'upgrade',
              n.cluster,
              '--master',
              '--cluster-version',
              '1.17.12-gke.1501',
              ...scope,
              '--quiet',
            ]),
          ).toBe(true);
          expect(
            hasCall(upgrade.calls, 'kubectl', ['get', n.crdResource, '-n', 'istio-system', '-o', 'yaml']),
          ).toBe(true);
          expect(
            hasCall(upgrade.calls, 'kubectl', [
              'get',
              'deployment',
              '-n',
              n.gatewayNamespace,
              n.gatewayName,
              '-o',
              'yaml',
            ]),
          ).toBe(true);

          // Then every phase, one --phase at a time (a plain --apply runs only the current one).
          const calls: Call[] = [];
          let flags: readonly string[] = [];
          for (const phase of phasesFor(target)) {
            const step = runScript(script, {
              args: ['--apply', '--yes', '--phase', phase],
              responses: responses(n, '1.17.12-gke.1501'),
              effects: [
                { match: 'kubectl *label namespace *', sets: 'relabelled' },
                { match: 'kubectl *delete validatingwebhookconfiguration *', sets: 'webhook-deleted' },
              ],
              flags,
            });
            expect(step.status, step.stderr).toBe(0);
            calls.push(...step.calls);
            flags = step.flags;
          }
          const run = { calls };
          const kubectl = run.calls.filter((c) => c.tool === 'kubectl' && c.args[0] === '--context');
          expect(kubectl.length).toBeGreaterThan(5);
          for (const call of kubectl) expect(call.args[1]).toBe(context);
          const expected: [string, string[]][] = [
            [
              'gcloud',
              [
                'container',
                'clusters',
                'describe',
                n.cluster,
                ...scope,
                '--format=value(currentMasterVersion)',
              ],
            ],
            ['kubectl', ['get', 'clusterrole', n.clusterRole, '-o', 'yaml']],
            ['kubectl', ['delete', 'validatingwebhookconfiguration', n.webhook, '--ignore-not-found']],
            [
              'kubectl',
              [
                'get',
                n.policyResource,
                '-n',
                n.policyNamespace,
                n.policyName,
                '--ignore-not-found',
                '-o',
                'name',
              ],
            ],
            [
              'kubectl',
              [
                'label',
                'namespace',
                n.namespace,
                'istio-injection-',
                'istio.io/rev=istio-1611',
                '--overwrite',
              ],
            ],
            ['kubectl', ['rollout', 'restart', 'deployment', '-n', n.namespace, n.workload]],
            [
              'kubectl',
              ['rollout', 'status', `deployment/${n.workload}`, '-n', n.namespace, '--timeout=10m'],
            ],
          ];
          if (target === 'istio-1.6') {
            expected.push([
              'kubectl',
              ['get', 'istiooperator', '-n', 'istio-system', n.operator, '-o', 'yaml'],
            ]);
          } else {
            expected.push(
              [
                'gcloud',
                [
                  'container',
                  'node-pools',
                  'create',
                  n.pool,
                  '--cluster',
                  n.cluster,
                  '--machine-type',
                  n.editor,
                  '--num-nodes',
                  '2',
                  ...scope,
                  '--quiet',
                ],
              ],
              [
                'gcloud',
                [
                  'container',
                  'node-pools',
                  'update',
                  n.pool,
                  '--cluster',
                  n.cluster,
                  ...scope,
                  '--workload-metadata',
                  'GKE_METADATA',
                  '--quiet',
                ],
              ],
              [
                'gcloud',
                ['container', 'clusters', 'update', n.cluster, '--workload-pool', n.tag, ...scope, '--quiet'],
              ],
              [
                'gcloud',
                [
                  'compute',
                  'firewall-rules',
                  'update',
                  n.firewallRule,
                  '--project',
                  n.project,
                  '--allow',
                  'tcp:443,tcp:15017',
                ],
              ],
              [
                'kubectl',
                [
                  'patch',
                  'istiooperator',
                  '-n',
                  'istio-system',
                  n.operator,
                  '--type=merge',
                  '-p',
                  '{"spec":{"profile":"disabled"}}',
                ],
              ],
            );
          }
          for (const [tool, words] of expected) {
            expect(hasCall(run.calls, tool, words), `${tool} ${JSON.stringify(words)}`).toBe(true);
          }
          expect(
            run.calls.some((c) => kubectlWords(c)[0] === 'get' && kubectlWords(c).includes(n.oldDeployment)),
          ).toBe(true);
          expect(existsSync(CANARY)).toBe(false);
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );
});
