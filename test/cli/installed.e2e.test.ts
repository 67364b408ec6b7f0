/**
 * The installed command, as a user gets it: the package is packed with `npm pack` (from a copy of
 * the files package.json ships, compiled as `npm run build` compiles them, so the working tree is
 * not touched), installed from the tarball into an empty prefix with `npm install --global`, and
 * run from another directory on a snapshot given by a relative path. It writes all four reports
 * (and remediate.sh), and none of them names this machine's absolute paths.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyBash } from '../../scripts/copy-bash.ts';
import { reportSchema } from '../../src/engine/report-model.ts';
import { ROOT } from '../helpers/cli.ts';

const packageJson = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
let work: string;
let installed: string;

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-installed-'));
  const source = path.join(work, 'source');
  await mkdir(source);
  for (const entry of [...packageJson.files, 'package.json', 'README.md', 'LICENSE']) {
    if (entry === 'dist') continue;
    await cp(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  }
  // `npm run build`, into the copy.
  const tsc = run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(source, 'dist'),
    ],
    ROOT,
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  copyBash(path.join(source, 'dist'));
  // What `npm pack` puts in the tarball is package.json's "files" (prepare already ran above).
  const pack = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], source);
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = path.join(work, pack.stdout.trim().split('\n').at(-1) as string);
  expect(path.basename(tarball)).toBe(`meshready-${packageJson.version}.tgz`);
  const prefix = path.join(work, 'prefix');
  const install = run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball],
    work,
  );
  expect(install.code, install.stderr).toBe(0);
  installed = path.join(prefix, 'lib/node_modules/meshready/bin/meshready.js');
  await cp(path.join(ROOT, 'fixtures/demo/asm-candidate'), path.join(work, 'user/snapshot'), {
    recursive: true,
  });
}, 240_000);

describe('meshready installed from the npm pack tarball', () => {
  it('is the linked command, with its version', async () => {
    const links = await readdir(path.join(work, 'prefix/bin'));
    expect(links).toEqual(['meshready']);
    const version = run(process.execPath, [installed, '--version'], work);
    expect(version.stdout.trim()).toBe(packageJson.version);
  });

  it('scans a snapshot and writes all four reports and remediate.sh, naming paths as the user gave them', async () => {
    const cwd = path.join(work, 'user');
    const scan = run(
      process.execPath,
      [
        installed,
        'scan',
        '--snapshot',
        'snapshot',
        '--target',
        'asm-1.7',
        '--format',
        'html,json,sarif,markdown',
        '--output-dir',
        'out',
      ],
      cwd,
    );
    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(1);
    expect(scan.stdout).toMatch(/^NOT READY: \d+ errors? blocks? phase prepare/m);
    expect(scan.stdout).toContain(
      'Wrote: out/meshready-report.html, out/meshready-report.json, out/meshready-report.sarif, out/meshready-report.md',
    );
    const files = await readdir(path.join(cwd, 'out'));
    for (const name of [
      'meshready-report.html',
      'meshready-report.json',
      'meshready-report.sarif',
      'meshready-report.md',
      'remediate.sh',
    ]) {
      expect(files).toContain(name);
    }
    const report = reportSchema.parse(
      JSON.parse(await readFile(path.join(cwd, 'out/meshready-report.json'), 'utf8')),
    );
    expect(report.source.inputs).toEqual(['snapshot']);
    const locations = report.results.flatMap((r) =>
      r.findings.flatMap((f) => (f.location ? [f.location.file] : [])),
    );
    expect(locations.length).toBeGreaterThan(0);
    for (const file of locations) expect(file.startsWith('snapshot/'), file).toBe(true);
    const sarif = JSON.parse(await readFile(path.join(cwd, 'out/meshready-report.sarif'), 'utf8'));
    expect(sarif.runs[0].tool.driver.informationUri).toBe(packageJson.homepage);
    expect(sarif.runs[0].automationDetails.id).toBe('meshready/shop-prod/asm-1.7/');
    // Nothing names where this machine keeps the files.
    for (const name of files) {
      const text = await readFile(path.join(cwd, 'out', name), 'utf8');
      expect(text.includes(work), name).toBe(false);
      expect(text.includes(ROOT), name).toBe(false);
    }
  });
});
