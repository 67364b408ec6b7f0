/**
 * Golden scripts for the demo snapshots (fixtures/demo/<state>), and the real CLI writing them.
 * The part of remediate.sh before the steps (options, checks, the bash library) is the same for
 * every scan: it is golden once (golden/prelude.sh); each demo's golden is its own part, the
 * header with the plan and the steps (golden/<state>.sh). After an intended change, review the
 * diff and update with `npx vitest run test/remediate -u`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { type Report, reportSchema } from '../../src/engine/report-model.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { Target } from '../../src/engine/vocabulary.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { ROOT, runMeshready } from '../helpers/cli.ts';
import { dryRunCommands, runScript } from './fake-tools.ts';

const DEMOS: readonly (readonly [string, Target])[] = [
  ['addon-1.4', 'istio-1.6'],
  ['mid-migration', 'istio-1.6'],
  ['asm-candidate', 'asm-1.7'],
  ['asm-installed', 'asm-1.7'],
];

async function demoReport(state: string, target: Target): Promise<Report> {
  const snapshot = await loadSnapshot([path.join(ROOT, 'fixtures', 'demo', state)]);
  return withRemediation(
    runRules(snapshot, {
      rules: RULES,
      target,
      toolVersion: '0.1.0',
      now: new Date('2026-11-25T10:00:00Z'),
    }),
  );
}

async function demoScript(state: string, target: Target): Promise<string> {
  return renderRemediationScript(await demoReport(state, target), { reportFile: 'meshready-report.json' });
}

/** Where the shared part of a script starts and ends. */
const PRELUDE_START =
  '\n# ---------------------------------------------------------------------------------------------\n# Options\n';
const STEPS_START =
  '\n# ---------------------------------------------------------------------------------------------\n# The steps, one function each';

/** A script as its own part (header, steps, phases) and the shared prelude between them. */
function splitScript(script: string): { own: string; prelude: string } {
  const start = script.indexOf(PRELUDE_START);
  const end = script.indexOf(STEPS_START);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return {
    own: `${script.slice(0, start)}\n# [prelude: golden/prelude.sh]\n${script.slice(end)}`,
    prelude: script.slice(start, end),
  };
}

/**
 * Under `npm run mutate` (Stryker sets MESHREADY_MUTATE_SCOPE), the tests that run bash,
 * shellcheck or the CLI are skipped: seconds each, for every mutant that reaches them. The golden
 * comparisons, which need none of them, run (docs/development.md, "Mutation testing").
 */
const mutating = process.env.MESHREADY_MUTATE_SCOPE !== undefined;

const work = mkdtempSync(path.join(tmpdir(), 'meshready-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(DEMOS)('demo %s (%s)', (state, target) => {
  it('matches its golden step plan, after the prelude every script shares', async () => {
    const { own, prelude } = splitScript(await demoScript(state, target));
    await expect(own).toMatchFileSnapshot(`golden/${state}.sh`);
    await expect(prelude).toMatchFileSnapshot('golden/prelude.sh');
  });

  it.skipIf(mutating)("shows in the report exactly the commands the script's dry run prints", async () => {
    const report = await demoReport(state, target);
    const dry = runScript(renderRemediationScript(report));
    expect(dry.status, dry.stderr).toBe(0);
    const printed = dryRunCommands(dry.stdout);
    const commands = report.results.flatMap((r) => r.findings.flatMap((f) => f.remediation?.commands ?? []));
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) expect(printed.has(command), command).toBe(true);
    // A finding with a fix the script handles shows its commands; one it does not has none.
    const planned = report.results.flatMap((r) => r.findings.filter((f) => f.fix && !f.suppressed));
    expect(planned.filter((f) => (f.remediation?.commands.length ?? 0) > 0).length).toBeGreaterThan(
      planned.length / 2,
    );
  });

  it.skipIf(mutating)('is valid bash, shellcheck-clean, and its dry run contacts nothing', async () => {
    const script = await demoScript(state, target);
    const file = path.join(work, `${state}.sh`);
    writeFileSync(file, script);
    expect(spawnSync('bash', ['-n', file], { encoding: 'utf8' }).status).toBe(0);
    const lint = spawnSync('shellcheck', [file], { encoding: 'utf8' });
    expect(lint.stdout).toBe('');
    const dry = runScript(script);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dry.stdout).toContain('Dry run: nothing was changed and nothing was contacted.');
  });

  it.skipIf(mutating)(
    'is what `meshready scan` writes next to the reports, executable, and re-renders from the JSON report',
    () => {
      const out = path.join(work, state);
      const run = runMeshready([
        'scan',
        '--snapshot',
        `fixtures/demo/${state}`,
        '--target',
        target,
        '--output-dir',
        out,
        '--format',
        'json',
        '--fail-on',
        'never',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const file = path.join(out, 'remediate.sh');
      expect(statSync(file).mode & 0o777).toBe(0o755);
      expect(run.stdout).toContain('remediate.sh'); // the summary's "Wrote:" line
      const report = reportSchema.parse(
        JSON.parse(readFileSync(path.join(out, 'meshready-report.json'), 'utf8')),
      );
      expect(readFileSync(file, 'utf8')).toBe(
        renderRemediationScript(report, { reportFile: 'meshready-report.json' }),
      );
    },
  );
});

describe('meshready report --remediation-script', () => {
  it.skipIf(mutating)('writes the same script from a saved JSON report, executable', () => {
    const out = path.join(work, 'from-report');
    const scan = runMeshready([
      'scan',
      '--snapshot',
      'fixtures/demo/mid-migration',
      '--output-dir',
      out,
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    expect(scan.code, scan.stderr).toBe(0);
    const again = path.join(work, 'again.sh');
    const run = runMeshready([
      'report',
      path.join(out, 'meshready-report.json'),
      '--format',
      'markdown',
      '--output',
      path.join(work, 'again.md'),
      '--remediation-script',
      again,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(again).mode & 0o777).toBe(0o755);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(path.join(out, 'remediate.sh'), 'utf8'));
  });
});

describe('demo addon-1.4, what its script plans', () => {
  it('backs up, then upgrades the 1.16 master to a safe version; galley first, then the converted policies, the old ones kept', async () => {
    const script = await demoScript('addon-1.4', 'istio-1.6');
    expect(script).toContain(
      'run gcloud container clusters upgrade shop-prod --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-shop --quiet',
    );
    expect(script).toContain("note 'Edits found on it (field managers): kubectl-edit'");
    // The add-on's own PERMISSIVE MeshPolicy is advice: no step, and the v1beta1 gate does not wait for it.
    expect(script).not.toContain('meshpolicies.authentication.istio.io');
    // Galley's ClusterRole, then its webhook, then the v1beta1 equivalents (after a check that the
    // webhook is gone): server-side dry run, apply, a check of each.
    const order = [
      'restrict_galley_clusterrole istio-galley-istio-system 0',
      'run kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
      "precondition 'the 1.4 galley webhook is gone (it rejects the kinds it does not know)' galley_webhook_gone",
      'apply_v1beta1_policies v1beta1-policies.yaml',
      'check kubectl get requestauthentications.security.istio.io -n auth',
    ].map((line) => script.indexOf(line));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // 1.4 proxies read only v1alpha1: nothing in this scan's script deletes a policy.
    expect(script).not.toMatch(
      /kubectl delete (policies|serviceroles|servicerolebindings|clusterrbacconfigs)/,
    );
    expect(script).toContain('restrict_galley_clusterrole istio-galley-istio-system 0');
    // No istiod ran yet: relabelling is an instruction, not a command.
    expect(script).toMatch(
      /^ {2}each_command todo_command 7 3 kubectl label namespace \S+ istio-injection- istio\.io\/rev=REVISION --overwrite .*\bshop\b/m,
    );
    expect(script).not.toContain('relabel_namespace ');
  });
});
