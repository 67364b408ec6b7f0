/**
 * The fix-action registry: every action has its own module in src/remediate/actions/, a schema,
 * a place in the guide's order, and a golden rendering (golden/actions/<action>.txt): the step
 * remediate.sh writes for it and the commands the report shows, from the same steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { templatePath } from '../../src/package-root.ts';
import { FIX_ACTIONS, type FixAction } from '../../src/remediate/actions/index.ts';
import { type PlanStep, planRemediation } from '../../src/remediate/plan.ts';
import { commandsByFinding } from '../../src/remediate/report-commands.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { CHECKS, LIBRARY_FUNCTIONS } from '../../src/remediate/step.ts';
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
  const samples = sampleSteps();

  it.each(ACTIONS)('%s has its module, schema and order', (action) => {
    const definition = FIX_ACTIONS[action];
    expect(existsSync(path.join(ACTIONS_DIR, `${action}.ts`))).toBe(true);
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
    const sample = samples.get(action);
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

  it('name only checks and library functions defined where the registry says', () => {
    /** A library partial (lib/NAME), or the script's own prelude when none is named. */
    const source = (library: string | undefined) =>
      readFileSync(
        templatePath(library ? path.join('remediate', `${library}.hbs`) : 'remediate.sh.hbs'),
        'utf8',
      );
    const defined = (fn: string, library: string | undefined) =>
      expect(source(library), `${fn} in ${library ?? 'remediate.sh.hbs'}`).toMatch(
        new RegExp(`^${fn}\\(\\) \\{$`, 'm'),
      );
    for (const check of Object.values(CHECKS)) defined(check.fn, check.library);
    for (const [fn, library] of Object.entries(LIBRARY_FUNCTIONS)) defined(fn, library);
  });
});
