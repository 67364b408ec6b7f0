/**
 * The fix-action registry: every action has its own folder in src/remediate/actions/ (its module
 * with a schema, a place in the guide's order and the bash functions it calls; its bash file
 * defining exactly those), and a golden rendering (golden/actions/<action>.txt): the step
 * remediate.sh writes for it and the commands the report shows, from the same steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { templatePath } from '../../src/package-root.ts';
import { FIX_ACTIONS, type FixAction } from '../../src/remediate/actions/index.ts';
import { CHECKS } from '../../src/remediate/checks/index.ts';
import { type PlanStep, planRemediation } from '../../src/remediate/plan.ts';
import { commandsByFinding } from '../../src/remediate/report-commands.ts';
import { bashLibraries, renderPlanStep } from '../../src/remediate/script.ts';
import { fullReport } from './reports.ts';

const ACTIONS = Object.keys(FIX_ACTIONS) as FixAction[];
const ACTIONS_DIR = path.resolve(import.meta.dirname, '../../src/remediate/actions');

/** The first planned step serving a finding with each action, over both targets' full reports. */
function sampleSteps(): Map<FixAction, { step: PlanStep; commands: string[] }> {
  const samples = new Map<FixAction, { step: PlanStep; commands: string[] }>();
  for (const target of ['istio-1.6', 'asm-1.7', 'asm-1.6'] as const) {
    const report = fullReport(target);
    const commands = commandsByFinding(report);
    for (const phase of planRemediation(report).phases) {
      for (const step of phase.steps) {
        for (const finding of step.findings) {
          const action = finding.fix?.action as FixAction | undefined;
          if (action && !samples.has(action)) {
            samples.set(action, { step, commands: step.findings.flatMap((f) => commands.get(f) ?? []) });
          }
        }
      }
    }
  }
  return samples;
}

describe('the fix actions', () => {
  // Planned inside the tests that read them, not when the block is collected: mutation testing's
  // per-test coverage (docs/development.md) then knows which tests reach the planner.

  it.each(ACTIONS)('%s has its module, schema and order', (action) => {
    const definition = FIX_ACTIONS[action];
    expect(existsSync(path.join(ACTIONS_DIR, action, `${action}.ts`))).toBe(true);
    expect(definition.action).toBe(action);
    expect(definition.params).toBeInstanceOf(z.ZodObject);
    expect(Number.isInteger(definition.order)).toBe(true);
    expect(definition.summary).not.toBe('');
  });

  it('are in one order, without ties', () => {
    const orders = ACTIONS.map((action) => FIX_ACTIONS[action].order);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it.each(ACTIONS)('%s has a golden rendering: its script step and its report commands', async (action) => {
    const sample = sampleSteps().get(action);
    expect(sample, `no finding with ${action} in the test reports`).toBeDefined();
    const { step, commands } = sample as { step: PlanStep; commands: string[] };
    const text = [
      `# ${action}: the step in remediate.sh`,
      renderPlanStep(step),
      '# the commands the report shows for its findings',
      ...commands,
      '',
    ].join('\n');
    await expect(text).toMatchFileSnapshot(`golden/actions/${action}.txt`);
  });

  /** The functions a bash file defines at its top level (`name() {`). */
  const definedIn = (source: string) =>
    [...source.matchAll(/^([a-z0-9_]+)\(\) \{$/gm)].map((m) => m[1] as string);
  const prelude = readFileSync(templatePath(path.join('remediate', 'prelude.hbs')), 'utf8');

  it.each(ACTIONS)(
    '%s has a bash file exactly when it calls a function, and it defines each one',
    (action) => {
      const file = path.join(ACTIONS_DIR, action, `${action}.sh.hbs`);
      const { functions } = FIX_ACTIONS[action];
      expect(existsSync(file)).toBe(functions.length > 0);
      if (functions.length === 0) return;
      const defined = definedIn(readFileSync(file, 'utf8'));
      for (const fn of functions) expect(defined, `${fn} in ${action}.sh.hbs`).toContain(fn);
    },
  );

  it('name only checks defined where the registry says', () => {
    for (const { fn, file } of Object.values(CHECKS)) {
      const source = file
        ? readFileSync(path.resolve(ACTIONS_DIR, '..', 'checks', `${file}.sh.hbs`), 'utf8')
        : prelude;
      expect(definedIn(source), `${fn} in ${file ?? 'the prelude'}`).toContain(fn);
    }
  });

  it('give every bash function one definition in the whole library (bash has one namespace)', () => {
    const all = [prelude, ...bashLibraries().map((library) => readFileSync(library.file, 'utf8'))].flatMap(
      definedIn,
    );
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter((fn, index) => all.indexOf(fn) !== index)).toEqual([]);
  });

  it('call in their steps only functions of their own folder', () => {
    for (const [action, { step }] of sampleSteps()) {
      for (const line of step.steps) {
        if (line.kind === 'call' && step.action === action) {
          expect(FIX_ACTIONS[action].functions as readonly string[]).toContain(line.fn);
        }
      }
    }
  });
});
