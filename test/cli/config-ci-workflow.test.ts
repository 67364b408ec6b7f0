/**
 * docs/ci/github-actions.yml, the documented nightly workflow: valid for GitHub Actions
 * (action-validator, the SchemaStore workflow schema), its shell steps clean under shellcheck
 * and free of `${{ }}` interpolation, and its meshready calls using flags the CLI has.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.ts';
import { fakeIO } from '../config/fake-io.ts';
import { ROOT } from '../helpers/cli.ts';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

const text = await readFile(path.join(ROOT, 'docs/ci/github-actions.yml'), 'utf8');
const workflow = parse(text);
const steps: Step[] = workflow.jobs.scan.steps;

function step(predicate: (s: Step) => boolean, what: string): Step {
  const found = steps.find(predicate);
  if (!found) throw new Error(`no step ${what}`);
  return found;
}

/** The long options a command declares. */
function optionsOf(command: string): Set<string> {
  const program = buildProgram(fakeIO(ROOT), () => {});
  const sub = program.commands.find((c: Command) => c.name() === command);
  return new Set((sub?.options ?? []).map((o) => o.long ?? '').filter(Boolean));
}

describe('docs/ci/github-actions.yml', () => {
  it('is a valid GitHub Actions workflow', () => {
    const state = validateWorkflow(text);
    expect(state.errors).toEqual([]);
  });

  it('runs on a schedule (and by hand), with only the permissions it needs', () => {
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    expect(workflow.permissions).toEqual({
      contents: 'read',
      actions: 'read',
      'security-events': 'write',
      'id-token': 'write',
    });
  });

  it('scans against the previous report as baseline and keeps tonight`s as the next baseline', () => {
    const download = step((s) => s.run?.includes('gh run download') === true, 'downloading the baseline');
    expect(download.run).toContain('--name meshready-report --dir baseline');
    const scan = step((s) => s.id === 'scan', 'scan');
    expect(scan.run).toContain('--baseline baseline/meshready-report.json --fail-on-new');
    expect(scan.run).toContain('--format "json,sarif,markdown" --output-dir report');
    const keep = step((s) => s.uses?.startsWith('actions/upload-artifact@') === true, 'uploading the report');
    expect(keep.with).toMatchObject({ name: 'meshready-report', path: 'report/' });
    expect(keep.if).toContain('always()');
  });

  it('uploads the SARIF with a category and writes the Markdown summary', () => {
    const sarif = step(
      (s) => s.uses?.startsWith('github/codeql-action/upload-sarif@') === true,
      'upload-sarif',
    );
    expect(sarif.with?.sarif_file).toBe('report/meshready-report.sarif');
    // upload-sarif keeps the id the SARIF has (meshready/<cluster>/<target>/) and would ignore a category.
    expect(sarif.with).not.toHaveProperty('category');
    const summary = step((s) => s.run?.includes('GITHUB_STEP_SUMMARY') === true, 'summary');
    expect(summary.run).toContain('diff baseline/meshready-report.json');
    expect(summary.run).toContain('--format markdown');
    expect(summary.run).toContain('cat report/meshready-report.md >> "$GITHUB_STEP_SUMMARY"');
  });

  it('calls meshready only with flags the CLI has', () => {
    const scan = step((s) => s.id === 'scan', 'scan').run ?? '';
    const summary = step((s) => s.run?.includes('GITHUB_STEP_SUMMARY') === true, 'summary').run ?? '';
    const flags = (script: string) =>
      [...script.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((m) => m[1] as string);
    const npxFlags = new Set<string>();
    const scanOptions = optionsOf('scan');
    for (const flag of flags(scan).filter((f) => !npxFlags.has(f))) {
      expect(scanOptions.has(flag), `scan ${flag}`).toBe(true);
    }
    const diffOptions = optionsOf('diff');
    for (const flag of flags(summary).filter((f) => !npxFlags.has(f))) {
      expect(diffOptions.has(flag), `diff ${flag}`).toBe(true);
    }
  });

  it('passes values to scripts through env, never by expression interpolation, and they pass shellcheck', () => {
    const scripts = steps.filter((s) => s.run !== undefined);
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    for (const s of scripts) {
      expect(s.run, s.name).not.toContain('${{');
      // GitHub runs `bash -e {0}`.
      const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
        input: `#!/usr/bin/env bash\nset -e\n${s.run}`,
        encoding: 'utf8',
      });
      expect(result.error, 'shellcheck is installed').toBeUndefined();
      expect(result.stdout, s.name).toBe('');
      expect(result.status, s.name).toBe(0);
    }
  });
});
