/**
 * Golden scripts for the demo snapshots (fixtures/demo/<state>), and the real CLI writing them.
 * After an intended change, review the diff and update with `npx vitest run test/remediate -u`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { Target } from '../../src/engine/vocabulary.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { reportSchema } from '../../src/report/model.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { ROOT, runMeshready } from '../helpers/cli.ts';
import { runScript } from './fake-tools.ts';

const DEMOS: readonly (readonly [string, Target])[] = [
  ['addon-1.4', 'istio-1.6'],
  ['mid-migration', 'istio-1.6'],
  ['asm-candidate', 'asm-1.7'],
];

async function demoScript(state: string, target: Target): Promise<string> {
  const snapshot = await loadSnapshot([path.join(ROOT, 'fixtures', 'demo', state)]);
  const report = runRules(snapshot, {
    rules: RULES,
    target,
    toolVersion: '0.1.0',
    now: new Date('2026-11-25T10:00:00Z'),
  });
  return renderRemediationScript(report, { reportFile: 'meshready-report.json' });
}

const work = mkdtempSync(path.join(tmpdir(), 'meshready-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(DEMOS)('demo %s (%s)', (state, target) => {
  it('matches its golden script', async () => {
    await expect(await demoScript(state, target)).toMatchFileSnapshot(`golden/${state}.sh`);
  });

  it('is valid bash, shellcheck-clean, and its dry run contacts nothing', async () => {
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

  it('is what `meshready scan` writes next to the reports, executable, and re-renders from the JSON report', () => {
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
  });
});

describe('meshready report --remediation-script', () => {
  it('writes the same script from a saved JSON report, executable', () => {
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
  it('backs up, then upgrades the 1.16 master to a safe version, and applies the converted policies before removing the old', async () => {
    const script = await demoScript('addon-1.4', 'istio-1.6');
    expect(script).toContain(
      'run gcloud container clusters upgrade shop-prod --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-shop --quiet',
    );
    expect(script).toContain("note 'Edits found on it (field managers): kubectl-edit'");
    // The add-on's own PERMISSIVE MeshPolicy is advice: no step, and the v1alpha1 gate does not wait for it.
    expect(script).not.toContain('meshpolicies.authentication.istio.io');
    // The v1beta1 equivalents: server-side dry run, apply, check, and only then back up and delete.
    const step = script.slice(script.indexOf("step v1alpha1-security-policy 'Policy auth/jwt-auth'"));
    const order = [
      'run kubectl apply --dry-run=server -f "$policies_file"',
      'run kubectl apply -f "$policies_file"',
      'check kubectl get requestauthentications.security.istio.io -n auth',
      'backup 04-policy-auth-jwt-auth.yaml kubectl get policies.authentication.istio.io -n auth jwt-auth -o yaml',
      'run kubectl delete policies.authentication.istio.io -n auth jwt-auth --ignore-not-found',
    ].map((line) => step.indexOf(line));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toContain('restrict_galley_clusterrole istio-galley-istio-system 0');
    // No istiod ran yet: relabelling is an instruction, not a command.
    expect(script).toContain(
      "todo_command kubectl label namespace shop istio-injection- 'istio.io/rev=REVISION' --overwrite",
    );
    expect(script).not.toContain('relabel_namespace ');
  });
});
