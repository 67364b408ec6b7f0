// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bash parameters ("${1}"), not templates
/**
 * Parts of what renderRemediationScript writes that the whole-script tests do not pin down: how
 * commands alike print through one `each_command` line, the plan's lines at the top (runs of steps
 * alike, a long phase by kind of step), the cluster line of the header, and from how many steps
 * alike on they share a function. Nothing is run.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/report-model.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import type { PlanStep } from '../../src/remediate/plan.ts';
import { checkTemplate, renderPlanStep, renderRemediationScript } from '../../src/remediate/script.ts';
import type { Argv, Step } from '../../src/remediate/step.ts';
import { relabel, restarts } from './apply-run.ts';
import { CONTEXT, finding, report, result } from './reports.ts';

function planStep(steps: readonly Step<string>[]): PlanStep {
  return {
    action: 'review-envoyfilter',
    rules: ['envoyfilter-usage', 'mixer-custom-config'],
    resource: 'EnvoyFilter shop/lua',
    title: 'Review it',
    summary: 'Review',
    steps,
    findings: [],
  };
}

/** The lines of a rendered step between its `step` line and its end. */
function body(steps: readonly Step<string>[]): string[] {
  return renderPlanStep(planStep(steps), 'step_7').split('\n').slice(2, -2);
}

const edits = (count: number, argv: (i: number) => Argv) =>
  Array.from({ length: count }, (_, i) => ({ argv: argv(i) }));
const edit = (i: number): Argv => ['kubectl', 'edit', 'service', '-n', `ns${i}`, `svc${i}`];

describe('a step as remediate.sh writes it', () => {
  it('has its function name, rules, resource and title on its first lines', () => {
    expect(renderPlanStep(planStep([{ kind: 'note', text: 'n' }]), 'step_7')).toBe(
      "step_7() {\n  step 'envoyfilter-usage, mixer-custom-config' 'EnvoyFilter shop/lua' 'Review it'\n  note n\n}\n",
    );
  });

  it('prints five or more commands that differ in at most two words through one each_command line', () => {
    expect(body([{ kind: 'todo', text: 'Edit them', commands: edits(5, edit) }])).toEqual([
      "  todo 'Edit them'",
      '  each_command todo_command 6 4,5 kubectl edit service -n ns0 svc0 ns0 svc0 ns1 svc1 ns2 svc2 ns3 svc3 ns4 svc4',
    ]);
    // One word differing: one slot.
    expect(
      body([{ kind: 'todo', text: 't', commands: edits(5, (i) => ['kubectl', 'get', `x${i}`]) }]),
    ).toEqual(['  todo t', '  each_command todo_command 3 2 kubectl get x0 x0 x1 x2 x3 x4']);
  });

  it('prints four commands alike, or five the same, or five differing in three words, one line each', () => {
    const lines = (commands: readonly { argv: Argv }[]) =>
      body([{ kind: 'todo', text: 't', commands }]).slice(1);
    expect(lines(edits(4, edit))).toEqual(
      [0, 1, 2, 3].map((i) => `  todo_command kubectl edit service -n ns${i} svc${i}`),
    );
    expect(lines(edits(5, () => ['kubectl', 'get', 'pods']))).toEqual(
      Array.from({ length: 5 }, () => '  todo_command kubectl get pods'),
    );
    expect(lines(edits(5, (i) => ['kubectl', `e${i}`, 'service', '-n', `ns${i}`, `svc${i}`]))).toEqual(
      [0, 1, 2, 3, 4].map((i) => `  todo_command kubectl e${i} service -n ns${i} svc${i}`),
    );
  });

  it('ends a run of commands alike at a command of another length or with a third differing word', () => {
    const commands = [
      ...edits(5, edit),
      { argv: ['kubectl', 'edit', 'service', '-n', 'other', 'x', '--extra'] },
      ...edits(5, (i) => ['kubectl', 'get', `x${i}`]),
      { argv: ['oc', 'patch', 'x5'] },
    ];
    expect(body([{ kind: 'todo', text: 't', commands }]).slice(1)).toEqual([
      '  each_command todo_command 6 4,5 kubectl edit service -n ns0 svc0 ns0 svc0 ns1 svc1 ns2 svc2 ns3 svc3 ns4 svc4',
      '  todo_command kubectl edit service -n other x --extra',
      '  each_command todo_command 3 2 kubectl get x0 x0 x1 x2 x3 x4',
      '  todo_command oc patch x5',
    ]);
  });

  it('lists the varying word positions in order, whichever command shows one first', () => {
    const commands = [
      { argv: ['kubectl', 'get', 'svc', 'a0'] },
      { argv: ['kubectl', 'get', 'svc', 'a1'] },
      { argv: ['kubectl', 'get', 'pod', 'a2'] },
      { argv: ['kubectl', 'get', 'pod', 'a3'] },
      { argv: ['kubectl', 'get', 'svc', 'a4'] },
    ];
    expect(body([{ kind: 'todo', text: 't', commands }]).slice(1)).toEqual([
      '  each_command todo_command 4 2,3 kubectl get svc a0 svc a0 svc a1 pod a2 pod a3 svc a4',
    ]);
  });

  it('groups consecutive checks the same way, a step of another kind between them ending the run', () => {
    const check = (i: number): Step<string> => ({
      kind: 'check',
      argv: ['kubectl', 'get', 'pods', '-n', `ns${i}`],
    });
    const steps: Step<string>[] = [
      ...[0, 1, 2, 3, 4].map(check),
      { kind: 'note', text: 'between' },
      ...[5, 6, 7, 8].map(check),
    ];
    expect(body(steps)).toEqual([
      '  each_command check 5 4 kubectl get pods -n ns0 ns0 ns1 ns2 ns3 ns4',
      '  note between',
      ...[5, 6, 7, 8].map((i) => `  check kubectl get pods -n ns${i}`),
    ]);
  });

  it('writes a comment marked once only at its first step, and requires gcloud only for steps that use it', () => {
    const once: Step<string> = { kind: 'comment', text: 'guidance', once: true };
    const plain = renderPlanStep(planStep([once, once, { kind: 'comment', text: 'every time' }]));
    expect(plain.split('\n').slice(2, -2)).toEqual(['  # guidance', '  # every time']);
    expect(plain).not.toContain('require_gcloud');
    for (const steps of [
      [{ kind: 'run', argv: ['gcloud', 'container', 'clusters', 'list'] }],
      [{ kind: 'check', argv: ['gcloud', 'compute', 'firewall-rules', 'list'] }],
      [{ kind: 'backup', file: 'f.yaml', argv: ['gcloud', 'container', 'clusters', 'describe', 'x'] }],
      [{ kind: 'done-unless', check: 'master-below', args: ['1.17', 'demo'] }],
      [{ kind: 'call', fn: 'f', args: [], shows: [{ kind: 'run', argv: ['gcloud', 'x'] }] }],
    ] as Step<string>[][]) {
      expect(body(steps)[0], JSON.stringify(steps)).toBe('  require_gcloud');
    }
    for (const steps of [
      [{ kind: 'run', argv: ['kubectl', 'gcloud'] }],
      [{ kind: 'done-unless', check: 'no-asm-istiod-installed', args: [] }],
      [{ kind: 'call', fn: 'f', args: [], shows: [{ kind: 'run', argv: ['kubectl', 'gcloud'] }] }],
    ] as Step<string>[][]) {
      expect(body(steps).join('\n'), JSON.stringify(steps)).not.toContain('require_gcloud');
    }
  });
});

function envoyFilters(names: readonly string[]): Finding[] {
  return names.map((name) =>
    finding({
      severity: 'warning',
      resource: { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', namespace: 'shop', name },
      fix: fix('review-envoyfilter', { namespace: 'shop', name }),
    }),
  );
}

/** The plan's lines at the top of a script, for one phase. */
function planOf(script: string, phase: string): string[] {
  const start = script.indexOf(`#   Phase ${phase} `);
  const lines = script.slice(start).split('\n').slice(1);
  return lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('#     - ')),
  );
}

describe("remediate.sh's plan at the top", () => {
  it('writes more than three steps alike in a row as one line with a count, three as three', () => {
    const script = renderRemediationScript(
      report('istio-1.6', [
        result('envoyfilter-usage', 'prepare', envoyFilters(['a', 'b', 'c', 'd'])),
        result('mixer-custom-config', 'prepare', [
          finding({
            severity: 'warning',
            resource: {
              apiVersion: 'config.istio.io/v1alpha2',
              kind: 'handler',
              namespace: 'istio-system',
              name: 'h',
            },
            fix: fix('review-mixer-config', {
              kind: 'handler',
              resource: 'handlers.config.istio.io',
              namespace: 'istio-system',
              name: 'h',
            }),
          }),
        ]),
        result('virtualservice-removed-fields', 'prepare', []),
      ]),
    );
    expect(planOf(script, 'prepare')).toEqual([
      '#     - Review an EnvoyFilter (TODO) (4 steps): EnvoyFilter shop/a, ... EnvoyFilter shop/d [envoyfilter-usage]',
      '#     - Replace Mixer configuration (TODO): handler istio-system/h [mixer-custom-config]',
    ]);
    const three = renderRemediationScript(
      report('istio-1.6', [result('envoyfilter-usage', 'prepare', envoyFilters(['a', 'b', 'c']))]),
    );
    expect(planOf(three, 'prepare')).toEqual(
      ['a', 'b', 'c'].map(
        (name) => `#     - Review an EnvoyFilter (TODO): EnvoyFilter shop/${name} [envoyfilter-usage]`,
      ),
    );
  });

  it('writes a phase of more than 40 steps one line per kind of step, saying which are interleaved', () => {
    const names = (count: number) =>
      Array.from({ length: count }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const many = renderRemediationScript(
      report('istio-1.6', [result('envoyfilter-usage', 'prepare', envoyFilters(names(41)))]),
    );
    expect(planOf(many, 'prepare')).toEqual([
      '#     - Review an EnvoyFilter (TODO) (41 steps): EnvoyFilter shop/f00, ... EnvoyFilter shop/f40 [envoyfilter-usage]',
    ]);
    // 20 namespaces relabelled (each then verified): 40 steps, each its own line; 21: 42, by kind.
    const namespaces = (count: number) => names(count).map((name) => `ns-${name}`);
    const forty = renderRemediationScript(report('istio-1.6', [relabel(namespaces(20), 'istio-1611')]));
    expect(planOf(forty, 'migrate-namespaces')).toHaveLength(40);
    const more = renderRemediationScript(report('istio-1.6', [relabel(namespaces(21), 'istio-1611')]));
    expect(planOf(more, 'migrate-namespaces')).toEqual([
      '#     - Relabel the namespace (only once the revision is ready) (21 steps, interleaved with the others): Namespace ns-f00, ... Namespace ns-f20 [namespace-injection-labels]',
      "#     - Check the namespace's pods (read-only) (21 steps, interleaved with the others): Namespace ns-f00, ... Namespace ns-f20 [namespace-injection-labels]",
    ]);
  });
});

describe("remediate.sh's header and functions of steps alike", () => {
  it('names the cluster with what the scan knew of it', () => {
    const cluster = (of: Parameters<typeof report>[2]) =>
      renderRemediationScript(report('istio-1.6', [], of))
        .split('\n')
        .find((line) => line.startsWith('#   cluster:'));
    expect(cluster({ name: 'demo', project: 'acme', location: 'europe-west1-b' })).toBe(
      '#   cluster:  demo (project acme, location europe-west1-b)',
    );
    expect(cluster({ name: 'demo' })).toBe('#   cluster:  demo (project unknown, location unknown)');
    expect(cluster({ project: 'acme' })).toBe('#   cluster:  unknown');
  });

  it('gives ten steps alike one function, with its parameters described, and nine their own', () => {
    const namespaces = (count: number) => Array.from({ length: count }, (_, i) => `team-${i}`);
    const alike = renderRemediationScript(report('istio-1.6', [relabel(namespaces(10), 'istio-1611')]));
    expect(alike).toContain(
      '# Steps alike: 10 steps of the phases below are each one line calling this function\n# with the values that differ between them, in this order: $1 lines[0].callStep.args[0].\n',
    );
    expect(alike).toMatch(/^steps_alike_1\(\) \{\n {2}step namespace-injection-labels "Namespace \$\{1\}" /m);
    expect(alike).toMatch(/^ {2}steps_alike_1 team-9$/m);
    const nine = renderRemediationScript(report('istio-1.6', [relabel(namespaces(9), 'istio-1611')]));
    expect(nine).not.toContain('steps_alike_');
  });
});

describe('values the templates print', () => {
  it('refuses a function name that is not a bash identifier', () => {
    for (const fn of ['1abc', 'abc-', 'f; rm -rf /', '']) {
      expect(() => renderPlanStep(planStep([{ kind: 'call', fn, args: [], shows: [] }])), fn).toThrow(
        fn === '' ? /needs a value|not a bash identifier/ : `not a bash identifier: ${JSON.stringify(fn)}`,
      );
    }
    expect(renderPlanStep(planStep([{ kind: 'call', fn: '_f1', args: ['x'], shows: [] }]))).toContain(
      '\n  _f1 x\n',
    );
  });

  it('replaces NUL, which no command can receive, and nothing else', () => {
    expect(body([{ kind: 'run', argv: ['echo', 'a\u0000b', 'c\ufffdd'] }])).toEqual([
      "  run echo 'a\ufffdb' 'c\ufffdd'",
    ]);
  });

  it('rejects decorators and values in an else branch; accepts unless', () => {
    expect(() => checkTemplate('{{* decorate}}', 't')).toThrow('t:1: decorators are not allowed');
    expect(() => checkTemplate('{{#*inline "x"}}{{shq y}}{{/inline}}', 't')).toThrow(
      't:1: decorators are not allowed',
    );
    expect(() => checkTemplate('{{#if a}}{{shq a}}{{else}}\n{{b}}{{/if}}', 't')).toThrow(
      't:2: {{b}} prints a value unquoted',
    );
    expect(() => checkTemplate('{{#unless a}}{{shq b}}{{/unless}}', 't')).not.toThrow();
  });

  it("records the scan's cluster, empty when unknown, and the contexts that name it only from a whole identity", () => {
    const header = (cluster: Parameters<typeof report>[2]) =>
      renderRemediationScript(report('istio-1.6', [], cluster))
        .split('\n')
        .filter((line) => /^readonly SCAN_(CLUSTER|PROJECT|LOCATION|CONTEXTS)=/.test(line));
    expect(header({})).toEqual([
      "readonly SCAN_CLUSTER=''",
      "readonly SCAN_PROJECT=''",
      "readonly SCAN_LOCATION=''",
      'readonly SCAN_CONTEXTS=()',
    ]);
    expect(header({ name: 'demo', project: 'acme-prod' })[3]).toBe('readonly SCAN_CONTEXTS=()');
    expect(header({ project: 'acme-prod', location: 'europe-west1-b' })[3]).toBe('readonly SCAN_CONTEXTS=()');
    expect(header({ name: 'demo', location: 'europe-west1-b', context: 'mine' })[3]).toBe(
      'readonly SCAN_CONTEXTS=(mine )',
    );
    expect(
      header({ name: 'demo', project: 'acme-prod', location: 'europe-west1-b', context: CONTEXT }),
    ).toEqual([
      'readonly SCAN_CLUSTER=demo',
      'readonly SCAN_PROJECT=acme-prod',
      'readonly SCAN_LOCATION=europe-west1-b',
      `readonly SCAN_CONTEXTS=(${CONTEXT} )`,
    ]);
  });

  it('describes each parameter of a function of steps alike, in order', () => {
    const workloads = Array.from({ length: 10 }, (_, i): [string, string] => [`ns-${i}`, `app-${i}`]);
    const script = renderRemediationScript(report('istio-1.6', [restarts(workloads)]));
    expect(script).toContain(
      '# with the values that differ between them, in this order: $1 resource, $2 lines[1].withholdUnless.args[0], $3 lines[2].callStep.args[2].\n',
    );
  });
});
