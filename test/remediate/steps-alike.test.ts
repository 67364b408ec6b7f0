// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bash parameters ("${1}"), not templates
/**
 * Steps alike (src/remediate/steps-alike.ts): the steps of a big cluster's namespace moves share
 * one function each, and each step is one line of its phase, a call with its own values. It
 * changes how remediate.sh is written, never what it does: the same report rendered with every
 * step its own function and with steps alike gives the same dry run, the same commands to the
 * stand-in tools (hostile names included) and the same requests to the real kubectl's API server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import { renderRemediationScript, type ScriptContext } from '../../src/remediate/script.ts';
import { layoutSteps, Parameter, type StepView } from '../../src/remediate/steps-alike.ts';
import type { RecordedRequest } from '../helpers/kube-api-server.ts';
import {
  applyScript,
  deployment,
  istiod,
  namespace,
  OLD_PROXY,
  pod,
  relabel,
  relabelled,
  restarted,
  restarts,
  TIMEOUT,
} from './apply-run.ts';
import { type Call, type FakeResponse, kubectlWords, runScript } from './fake-tools.ts';
import { fullReport, realisticReport } from './reports.ts';

/**
 * Under `npm run mutate` (Stryker sets MESHREADY_MUTATE_SCOPE), the tests that run bash,
 * shellcheck or kubectl are skipped: seconds each, for every mutant that reaches them. The layout's
 * own tests and the rendered text's, which need none of them, run.
 */
const mutating = process.env.MESHREADY_MUTATE_SCOPE !== undefined;

const work = mkdtempSync(path.join(tmpdir(), 'meshready-alike-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every step its own function, as the script was written before steps alike. */
const FUNCTIONS: ScriptContext = { alikeMinimum: Number.POSITIVE_INFINITY };
/** Any two steps alike share a function. */
const ALIKE: ScriptContext = { alikeMinimum: 2 };

/** A report moving namespaces ns-00, ns-01, …: relabel, restart `perNamespace` Deployments, check. */
function moves(count: number, perNamespace = 3): Report {
  // Workload names that do not contain the namespace's: each one a value of its own in the call.
  const names = Array.from({ length: count }, (_, i) => `ns-${String(i).padStart(2, '0')}`);
  return realisticReport('istio-1.6', [
    relabel(names, 'istio-1611'),
    restarts(
      names.flatMap((ns) =>
        Array.from({ length: perNamespace }, (_, w): [string, string] => [ns, `app${w}x${ns.slice(3)}`]),
      ),
    ),
  ]);
}

/** A dry run's output, without the time in the default backup directory's name. */
function dryRun(script: string): string {
  const run = runScript(script);
  expect(run.status, run.stderr).toBe(0);
  expect(run.calls).toEqual([]);
  return run.stdout.replace(/meshready-backup-\d{8}T\d{6}Z/g, 'meshready-backup-TIME');
}

describe('layoutSteps', () => {
  const view = (namespace: string, extra: Partial<StepView> = {}): StepView => ({
    rules: 'namespace-injection-labels',
    resource: `Namespace ${namespace}`,
    title: 'Point the namespace at the new control plane',
    titleVariable: '',
    lines: [
      { commentText: `  moved by ${namespace}` },
      { callStep: { fn: 'relabel_namespace', args: [namespace, 'istio-1611'] } },
      { noteText: `namespace ${namespace} done` },
    ],
    halts: false,
    ...extra,
  });

  it('gives steps that differ only in their values one function, the value a parameter', () => {
    const { phases, alike } = layoutSteps([[view('a'), view('b')], [view('c')]], 3);
    expect(alike).toHaveLength(1);
    const fn = alike[0];
    expect(fn?.functionName).toBe('steps_alike_1');
    expect(fn?.calls).toBe(3);
    // The namespace is the one parameter; the resource and the note are it with fixed text around.
    expect(fn?.parameters).toEqual(['lines[1].callStep.args[0]']);
    expect(fn?.step.resource).toEqual(new Parameter(1, 'Namespace ', ''));
    // The comment differs between them: it stays with each call, out of the function.
    expect(fn?.step.lines).toEqual([
      { callStep: { fn: 'relabel_namespace', args: [new Parameter(1), 'istio-1611'] } },
      { noteText: new Parameter(1, 'namespace ', ' done') },
    ]);
    expect(phases).toEqual([
      [
        {
          kind: 'call',
          functionName: 'steps_alike_1',
          values: ['a'],
          comments: ['  moved by a'],
          halts: false,
        },
        {
          kind: 'call',
          functionName: 'steps_alike_1',
          values: ['b'],
          comments: ['  moved by b'],
          halts: false,
        },
      ],
      [
        {
          kind: 'call',
          functionName: 'steps_alike_1',
          values: ['c'],
          comments: ['  moved by c'],
          halts: false,
        },
      ],
    ]);
  });

  it('keeps fewer steps alike than the minimum, and steps of another shape, as functions numbered in order', () => {
    const other = view('x', { lines: [{ runArgv: ['kubectl', 'get', 'pods'] }] });
    const { phases, alike } = layoutSteps([[view('a'), other, view('b')]], 3);
    expect(alike).toEqual([]);
    expect(phases[0]?.map((entry) => (entry.kind === 'function' ? entry.functionName : entry.kind))).toEqual([
      'step_1',
      'step_2',
      'step_3',
    ]);
  });

  it('tells apart steps whose lines differ in number, in identifiers, or in an empty value', () => {
    const steps = [
      view('a'),
      view('b', { titleVariable: 'TITLE_1' }),
      view('c', { lines: [{ callStep: { fn: 'restart_workloads', args: ['c', 'istio-1611'] } }] }),
      view('d', { lines: [{ callStep: { fn: 'relabel_namespace', args: ['d', ''] } }] }),
      view('e', { halts: true }),
    ];
    expect(layoutSteps([steps], 2).alike).toEqual([]);
  });

  it('writes text a script escapes as a value of its own, never around a parameter', () => {
    const steps = ['a', 'b'].map((ns) => view(ns, { resource: `Namespace\u001b[2J ${ns}` }));
    const [fn] = layoutSteps([steps], 2).alike;
    expect(fn?.parameters).toEqual(['resource', 'lines[1].callStep.args[0]']);
    expect(fn?.step.resource).toEqual(new Parameter(1));
    expect(fn?.step.lines[1]).toEqual({ noteText: new Parameter(2, 'namespace ', ' done') });
  });

  it('quotes the text around a parameter so that bash reads it as itself', () => {
    expect(new Parameter(3, 'a "$(x)" `y` \\ $', '!').reference).toBe(
      '"a \\"\\$(x)\\" \\`y\\` \\\\ \\$${3}!"',
    );
    expect(new Parameter(12).reference).toBe('"${12}"');
  });
});

describe('remediate.sh with steps alike', () => {
  it('writes a big phase as one function per kind of step and one line per step, a small one as before', () => {
    const big = renderRemediationScript(moves(12));
    expect(big).toMatch(/^steps_alike_1\(\) \{\n {2}step namespace-injection-labels "Namespace \$\{1\}" /m);
    expect(big).toContain('  relabel_namespace "${1}" istio-1611\n');
    expect(big).toContain('  restart_workloads deployment "${1}" "${2}" "${3}" "${4}"\n');
    expect(big).toMatch(/^ {2}steps_alike_2 ns-07 app0x07 app1x07 app2x07$/m);
    // Each restart's own comments (one line per workload) are above its line.
    expect(big).toContain(
      '  #   Deployment app2x00: 1 pod(s) on an older proxy\n  steps_alike_2 ns-00 app0x00 ',
    );
    expect(big).not.toMatch(/^step_\d+\(\)/m);
    const small = renderRemediationScript(moves(3));
    expect(small).not.toContain('steps_alike_');
    expect(small).toMatch(/^step_9\(\) \{$/m);
  });

  it('keeps the plan at the top of a long phase to one line per kind of step', () => {
    const script = renderRemediationScript(moves(40));
    const plan = script.slice(script.indexOf('# The plan:'), script.indexOf('set -euo pipefail'));
    expect(plan).toContain(
      '#     - Relabel the namespace (only once the revision is ready) (40 steps, interleaved with the others): Namespace ns-00, ... Namespace ns-39 [namespace-injection-labels]',
    );
    expect(plan.split('\n').length).toBeLessThan(20);
  });

  it('is far smaller for many namespace moves', () => {
    const report = moves(200);
    const alike = Buffer.byteLength(renderRemediationScript(report));
    const functions = Buffer.byteLength(renderRemediationScript(report, FUNCTIONS));
    const empty = Buffer.byteLength(renderRemediationScript(moves(0)));
    // 200 namespaces, 600 Deployments: per namespace, three calls and three comment lines.
    expect((alike - empty) / 200).toBeLessThan(450);
    expect(alike - empty).toBeLessThan((functions - empty) / 3);
  });

  it.skipIf(mutating)('is shellcheck-clean for many namespace moves', () => {
    const report = moves(200);
    const file = path.join(work, 'alike.sh');
    writeFileSync(file, renderRemediationScript(report));
    const lint = spawnSync('shellcheck', [file], { encoding: 'utf8' });
    expect(lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it.skipIf(mutating).each([
    ['200 namespace moves', () => moves(200, 2)],
    ['the full report (istio-1.6)', () => fullReport('istio-1.6')],
    ['the full report (asm-1.7)', () => fullReport('asm-1.7')],
  ])('prints the same dry run as one function per step: %s', (_, make) => {
    const report = make();
    const alike = renderRemediationScript(report, ALIKE);
    expect(alike).toContain('steps_alike_1 ');
    expect(dryRun(alike)).toBe(dryRun(renderRemediationScript(report, FUNCTIONS)));
  });
});

describe.skipIf(mutating)('remediate.sh --apply with steps alike, with the real kubectl', () => {
  const names = Array.from({ length: 11 }, (_, i) => `team-${i}`);
  // Built in the test, not when the suite is collected (docs/development.md, "Mutation testing").
  const cluster = () => [
    namespace('istio-system'),
    istiod('istio-1611'),
    ...names.flatMap((ns) => [
      namespace(ns, { 'istio-injection': 'enabled' }),
      deployment(ns, `api${ns.slice(5)}`),
      pod(ns, `api${ns.slice(5)}`, OLD_PROXY),
    ]),
  ];
  const scan = () =>
    realisticReport('istio-1.6', [
      relabel(names, 'istio-1611'),
      restarts(names.map((ns): [string, string] => [ns, `api${ns.slice(5)}`])),
    ]);
  /**
   * The requests of a run as the server received them, in order, without what kubectl itself varies
   * from run to run: its discovery (parallel, in any order), a watch's random timeout, the time a
   * restart is stamped with.
   */
  const described = (requests: readonly RecordedRequest[]) =>
    requests
      .filter((r) => !(r.path === '/version' || r.query.timeout === '32s'))
      .map((r) => {
        const { timeoutSeconds: _random, ...query } = r.query;
        return `${r.method} ${r.path}?${new URLSearchParams(query)} ${r.body}`.replace(
          /"kubectl\.kubernetes\.io\/restartedAt":"[^"]+"/,
          '"kubectl.kubernetes.io/restartedAt":"TIME"',
        );
      });

  it(
    'sends the API server the same requests, in the same order, as one function per step',
    async () => {
      const scanned = scan();
      const state = cluster();
      const script = renderRemediationScript(scanned);
      expect(script).toMatch(/^ {2}steps_alike_\d+ 'Deployment team-10\/api10' team-10 api10$/m);
      const alike = await applyScript(scanned, state, ['--apply', '--yes']);
      expect(alike.status, alike.stderr).toBe(0);
      expect(alike.changes).toEqual(
        [...names].sort().flatMap((ns) => [relabelled(ns, 'istio-1611'), restarted(ns, `api${ns.slice(5)}`)]),
      );
      const functions = await applyScript(scanned, state, ['--apply', '--yes'], [], { script: FUNCTIONS });
      expect(functions.status, functions.stderr).toBe(0);
      expect(described(alike.requests).length).toBeGreaterThan(100);
      expect(described(alike.requests)).toEqual(described(functions.requests));
      expect(alike.stdout.replace(/restartedAt[^\n]*/g, '')).toBe(
        functions.stdout.replace(/restartedAt[^\n]*/g, ''),
      );
    },
    TIMEOUT,
  );
});

// ---- hostile names ------------------------------------------------------------------------------

const canaryDir = mkdtempSync(path.join(tmpdir(), 'meshready-canary-'));
const CANARY = path.join(canaryDir, 'pwned');
afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

const FRAGMENTS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `"; touch ${CANARY}; "`,
  `' ; touch ${CANARY} ; '`,
  '${1}',
  '"${2}"',
  '$@',
  '\\',
  '\n',
  '\u001b[2J',
  '\u202e',
  '*',
  '?',
  '%s',
  'é',
  ' ',
];
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'grapheme', maxLength: 3 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => parts.join(''))
  .filter((value) => value !== '' && !value.includes('\u0000'));

/** Answers that let every guard of a namespace move through, whatever the names are. */
const RESPONSES: readonly FakeResponse[] = [
  { match: 'kubectl config current-context', stdout: 'gke_acme-prod_europe-west1-b_demo\n' },
  {
    match: 'kubectl *get namespace * -o go-template=*',
    stdout: 'istio.io/rev=istio-1611\n',
    requires: 'relabelled',
  },
  { match: 'kubectl *get namespace * -o go-template=*', stdout: 'istio-injection=enabled\n' },
  { match: 'kubectl *get namespace *', stdout: 'namespace/x\n' },
  { match: 'kubectl *get deployment *--ignore-not-found -o name', stdout: 'deployment/x\n' },
  {
    match: 'kubectl *get deployment -n istio-system -l app=istiod,istio.io/rev=istio-1611 *',
    stdout: '1\n',
  },
  { match: 'kubectl *get deployment * -o go-template=*', stdout: 'app=x,' },
  { match: 'kubectl *get pods -n * -l app=x -o jsonpath=*', stdout: 'p\tgcr.io/x/proxyv2:1.4.10-gke.4\n' },
];

describe.skipIf(mutating)('steps alike with hostile names', () => {
  it('run the same commands as one function per step, each name reaching kubectl verbatim', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(hostile, hostile), { minLength: 2, maxLength: 3, selector: ([ns]) => ns }),
        // A hostile revision is the same in every step: text around their parameters (the script
        // withholds the relabelling, not being a label value, and then every restart).
        fc.oneof(fc.constant('istio-1611'), hostile),
        (pairs, revision) => {
          const scanned = realisticReport('istio-1.6', [
            relabel(
              pairs.map(([ns]) => ns),
              revision,
            ),
            restarts(pairs),
          ]);
          const alike = renderRemediationScript(scanned, ALIKE);
          const functions = renderRemediationScript(scanned, FUNCTIONS);
          expect(alike).toContain('steps_alike_');
          expect(dryRun(alike)).toBe(dryRun(functions));
          const apply = (script: string): readonly Call[] => {
            const run = runScript(script, {
              args: ['--apply', '--yes', '--phase', 'migrate-namespaces'],
              responses: RESPONSES,
              effects: [{ match: 'kubectl *label namespace *', sets: 'relabelled' }],
            });
            expect(run.status, run.stderr).toBe(0);
            return run.calls;
          };
          const calls = apply(alike);
          expect(calls).toEqual(apply(functions));
          expect(existsSync(CANARY)).toBe(false);
          if (revision !== 'istio-1611') return;
          const words = calls.map((call) => JSON.stringify(kubectlWords(call)));
          // The stand-in answers every namespace as relabelled once one is: only the first (in the
          // phase's order, by name) is labelled.
          const [first] = pairs.map(([ns]) => ns).sort();
          expect(words).toContain(
            JSON.stringify([
              'label',
              'namespace',
              first,
              'istio-injection-',
              'istio.io/rev=istio-1611',
              '--overwrite',
            ]),
          );
          for (const [ns, workload] of pairs) {
            expect(words).toContain(JSON.stringify(['rollout', 'restart', 'deployment', '-n', ns, workload]));
          }
          expect(existsSync(CANARY)).toBe(false);
        },
      ),
      { numRuns: Number(process.env.MESHREADY_PROPERTY_RUNS ?? 12) },
    );
  }, 120_000);
});
