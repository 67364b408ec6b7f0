// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bash parameters ("${1}"), not templates
/**
 * layoutSteps (src/remediate/steps-alike.ts) on small hand-made steps, with nothing run: which
 * steps share a shape, what becomes a parameter and in which order, what stays with each call.
 * The equivalence with one function per step, in real bash, is steps-alike.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { layoutSteps, Parameter, type StepView } from '../../src/remediate/steps-alike.ts';

const view = (namespace: string, extra: Partial<StepView> = {}): StepView => ({
  rules: 'namespace-injection-labels',
  resource: `Namespace ${namespace}`,
  title: 'Point the namespace at the new control plane',
  titleVariable: '',
  lines: [{ callStep: { fn: 'relabel_namespace', args: [namespace, 'istio-1611'] } }],
  halts: false,
  ...extra,
});

const restart = (namespace: string, workload: string): StepView => ({
  rules: 'sidecar-proxy-version',
  resource: `Deployment ${namespace}/${workload}`,
  title: 'Restart the workload',
  titleVariable: 'TITLE_1',
  lines: [
    { commentText: 'restarts the pods' },
    { callStep: { fn: 'restart_workloads', args: ['deployment', namespace, workload] } },
  ],
  halts: true,
});

describe('layoutSteps on small plans', () => {
  it('numbers the functions of steps alike in the order their first step comes, and own functions across phases', () => {
    const { phases, alike } = layoutSteps(
      [
        [view('x', { lines: [{ noteText: 'alone' }] }), view('a'), restart('a', 'web')],
        [view('b'), restart('b', 'api'), view('y', { lines: [{ runArgv: ['kubectl', 'get', 'ns'] }] })],
      ],
      2,
    );
    expect(alike.map((fn) => [fn.functionName, fn.calls, fn.parameters])).toEqual([
      ['steps_alike_1', 2, ['lines[0].callStep.args[0]']],
      // `Deployment a/web` holds two values, not one with fixed text around it: a value of its own.
      ['steps_alike_2', 2, ['resource', 'lines[1].callStep.args[1]', 'lines[1].callStep.args[2]']],
    ]);
    expect(phases).toEqual([
      [
        { kind: 'function', functionName: 'step_1', step: view('x', { lines: [{ noteText: 'alone' }] }) },
        { kind: 'call', functionName: 'steps_alike_1', values: ['a'], comments: [], halts: false },
        {
          kind: 'call',
          functionName: 'steps_alike_2',
          values: ['Deployment a/web', 'a', 'web'],
          comments: [],
          halts: true,
        },
      ],
      [
        { kind: 'call', functionName: 'steps_alike_1', values: ['b'], comments: [], halts: false },
        {
          kind: 'call',
          functionName: 'steps_alike_2',
          values: ['Deployment b/api', 'b', 'api'],
          comments: [],
          halts: true,
        },
        {
          kind: 'function',
          functionName: 'step_2',
          step: view('y', { lines: [{ runArgv: ['kubectl', 'get', 'ns'] }] }),
        },
      ],
    ]);
  });

  it('keeps what every step alike has in the function: identifiers, a comment they share, the title variable, halts', () => {
    const [fn] = layoutSteps([[restart('a', 'web'), restart('b', 'api')]], 2).alike;
    expect(fn?.step).toEqual({
      rules: 'sidecar-proxy-version',
      resource: new Parameter(1),
      title: 'Restart the workload',
      titleVariable: 'TITLE_1',
      lines: [
        { commentText: 'restarts the pods' },
        { callStep: { fn: 'restart_workloads', args: ['deployment', new Parameter(2), new Parameter(3)] } },
      ],
      halts: true,
    });
  });

  it('writes a parameter around an earlier one only with the same text around it in every step', () => {
    // `Deployment a/web` is `Deployment ` + a + `/web` but `Deployment b/api` is not `... b/web`:
    // the resource is a value of its own, the last parameter (the longest value).
    const steps = [
      restart('a', 'web'),
      { ...restart('b', 'web'), resource: 'Deployment b/api' },
      { ...restart('c', 'web'), resource: 'Deployment c/web' },
    ];
    const [fn] = layoutSteps([steps], 3).alike;
    expect(fn?.parameters).toEqual(['resource', 'lines[1].callStep.args[1]']);
    expect(fn?.step.resource).toEqual(new Parameter(1));
    expect(fn?.step.lines[1]).toEqual({
      callStep: { fn: 'restart_workloads', args: ['deployment', new Parameter(2), 'web'] },
    });
  });

  it('makes shorter values parameters first, a longer one written around them (the earliest when equal)', () => {
    const steps = ['a', 'b'].map((ns) =>
      view(ns, {
        lines: [
          { noteText: `the namespace ${ns} is moved` },
          { callStep: { fn: 'relabel_namespace', args: [`${ns}`, `rev-${ns}`] } },
        ],
      }),
    );
    const [fn] = layoutSteps([steps], 2).alike;
    // Values `a` (args[0]) then `Namespace a`, `rev-a` and the note, all around parameter 1.
    expect(fn?.parameters).toEqual(['lines[1].callStep.args[0]']);
    expect(fn?.step.lines).toEqual([
      { noteText: new Parameter(1, 'the namespace ', ' is moved') },
      { callStep: { fn: 'relabel_namespace', args: [new Parameter(1), new Parameter(1, 'rev-', '')] } },
    ]);
    expect(fn?.step.resource).toEqual(new Parameter(1, 'Namespace ', ''));
  });

  it('finds the value inside a longer one at a later place when the first place does not fit every step', () => {
    // `aa` is in `aa-aa` twice: at 0 the rest (`-aa`) is not the same in `bb-bb`; at 3 it is not either;
    // only as a whole value of its own. `x` is in `Namespace x` at its end, after an `x`-free prefix.
    const steps = [
      view('aa', { resource: 'aa-aa' }),
      view('bb', { resource: 'bb-bb' }),
      view('cc', { resource: 'cc-cc' }),
    ];
    const [fn] = layoutSteps([steps], 2).alike;
    expect(fn?.parameters).toEqual(['resource', 'lines[0].callStep.args[0]']);
    const later = ['na', 'nb'].map((ns) => view(ns, { resource: `na:${ns}` }));
    const [around] = layoutSteps([later], 2).alike;
    // `na` first occurs at 0 (`na:na` is `` + na + `:na`, but `na:nb` is not `nb:na`): the second place fits.
    expect(around?.parameters).toEqual(['lines[0].callStep.args[0]']);
    expect(around?.step.resource).toEqual(new Parameter(1, 'na:', ''));
  });

  it('tells steps apart by a function name, an empty value, or a line of another kind, each alone', () => {
    const fn = view('b', { lines: [{ callStep: { fn: 'other_function', args: ['b', 'istio-1611'] } }] });
    const empty = view('c', { lines: [{ callStep: { fn: 'relabel_namespace', args: ['c', ''] } }] });
    const kind = view('d', { lines: [{ checkArgv: ['d', 'istio-1611'] }] });
    const number = view('e', {
      lines: [{ callStep: { fn: 'relabel_namespace', args: ['e', 'istio-1611'], n: 1 } }],
    });
    for (const other of [fn, empty, kind, number]) {
      expect(layoutSteps([[view('a'), other]], 2).alike, JSON.stringify(other.lines)).toEqual([]);
    }
    // …while the same two steps with only their values different share one.
    expect(layoutSteps([[view('a'), view('b')]], 2).alike).toHaveLength(1);
  });

  it('moves a comment that differs out of the function, even where the other values are the same', () => {
    const steps = ['one', 'two'].map((comment) =>
      view('a', {
        lines: [{ commentText: comment }, { callStep: { fn: 'relabel_namespace', args: ['a', 'r'] } }],
      }),
    );
    const { phases, alike } = layoutSteps([steps], 2);
    expect(alike[0]?.parameters).toEqual([]);
    expect(alike[0]?.step.lines).toEqual([{ callStep: { fn: 'relabel_namespace', args: ['a', 'r'] } }]);
    expect(phases[0]?.map((entry) => (entry.kind === 'call' ? [entry.values, entry.comments] : []))).toEqual([
      [[], ['one']],
      [[], ['two']],
    ]);
  });

  it('never writes a comment as a parameter, even when another value is the same text', () => {
    const steps = ['a', 'b'].map((ns) =>
      view(ns, { lines: [{ commentText: ns }, { callStep: { fn: 'relabel_namespace', args: [ns, 'r'] } }] }),
    );
    const [fn] = layoutSteps([steps], 2).alike;
    expect(fn?.parameters).toEqual(['lines[1].callStep.args[0]']);
    expect(fn?.step.lines).toEqual([
      { callStep: { fn: 'relabel_namespace', args: [new Parameter(1), 'r'] } },
    ]);
  });

  it('leaves no step alike below the minimum and every step alike from it on', () => {
    const steps = ['a', 'b', 'c', 'd'].map((ns) => view(ns));
    expect(layoutSteps([steps], 5).alike).toEqual([]);
    expect(layoutSteps([steps], 4).alike.map((fn) => fn.calls)).toEqual([4]);
    expect(layoutSteps([[], steps.slice(0, 1)], 1).alike.map((fn) => [fn.calls, fn.parameters])).toEqual([
      [1, []],
    ]);
  });

  it('keeps numbers and booleans as they are, part of the shape', () => {
    const withFlag = (ns: string, flag: boolean | number): StepView =>
      view(ns, {
        lines: [{ requireGcloud: flag }, { callStep: { fn: 'relabel_namespace', args: [ns, 'istio-1611'] } }],
      });
    const [fn] = layoutSteps([[withFlag('a', true), withFlag('b', true)]], 2).alike;
    expect(fn?.step.lines).toEqual([
      { requireGcloud: true },
      { callStep: { fn: 'relabel_namespace', args: [new Parameter(1), 'istio-1611'] } },
    ]);
    expect(layoutSteps([[withFlag('a', 1), withFlag('b', 2)]], 2).alike).toEqual([]);
    expect(layoutSteps([[withFlag('a', true), withFlag('b', false)]], 2).alike).toEqual([]);
  });

  it('keeps an empty value every step has in the function, the parameters after it in place', () => {
    const steps = ['a', 'b'].map((ns) =>
      view(ns, { lines: [{ callStep: { fn: 'relabel_namespace', args: ['', ns, 'istio-1611'] } }] }),
    );
    const [fn] = layoutSteps([steps], 2).alike;
    expect(fn?.step.lines).toEqual([
      { callStep: { fn: 'relabel_namespace', args: ['', new Parameter(1), 'istio-1611'] } },
    ]);
  });
});
