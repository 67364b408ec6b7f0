/**
 * The container image the CronJob runs. There is no Docker engine here, so this checks the
 * Dockerfile's promises one by one and then runs what the image runs: the build output laid
 * out as in the image's /app, started through a `meshready` link as its ENTRYPOINT does.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyBash } from '../../scripts/copy-bash.ts';
import { reportSchema } from '../../src/engine/report-model.ts';
import { ROOT } from '../helpers/cli.ts';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions per stage (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const dockerfile = parseDockerfile(await readFile(path.join(ROOT, 'Dockerfile'), 'utf8'));
const dockerignore = (await readFile(path.join(ROOT, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const packageJson = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
const runtime = dockerfile.at(-1) ?? [];

function args(stage: readonly Instruction[], keyword: string): string[] {
  return stage.filter((i) => i.keyword === keyword).map((i) => i.args);
}

describe('Dockerfile', () => {
  it('builds on Node 24 slim in every stage', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile) expect(args(stage, 'FROM')[0]).toMatch(/^node:24-slim(\s|$)/);
  });

  it('runs as a numeric non-root user, with meshready as the entrypoint', () => {
    const user = args(runtime, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(args(runtime, 'ENTRYPOINT')).toEqual(['["meshready"]']);
    expect(args(runtime, 'RUN').join('\n')).toContain('ln -s /app/bin/meshready.js /usr/local/bin/meshready');
  });

  it('installs only production dependencies in the final image', () => {
    const installs = args(runtime, 'RUN').filter((run) => /\bnpm (ci|install|i)\b/.test(run));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci --omit=dev/);
    // The compiled code comes from the build stage; no TypeScript sources or tests are copied in.
    const copies = args(runtime, 'COPY');
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(copies.join('\n')).not.toMatch(/\b(src|test|rules)\b/);
  });

  it('copies only files that exist and that .dockerignore lets through', async () => {
    // As Docker reads .dockerignore: the last pattern matching a path decides; `!` lets it through.
    const ignored = (name: string) =>
      dockerignore.reduce((excluded, line) => {
        const negated = line.startsWith('!');
        const pattern = negated ? line.slice(1) : line;
        return new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}(/|$)`).test(name)
          ? !negated
          : excluded;
      }, false);
    for (const stage of dockerfile) {
      for (const copy of args(stage, 'COPY').filter((c) => !c.startsWith('--from'))) {
        const sources = copy.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          await expect(
            readdir(path.join(ROOT, source)).catch(() => readFile(path.join(ROOT, source))),
          ).resolves.toBeDefined();
          expect(ignored(source), `${source} is not ignored`).toBe(false);
        }
      }
    }
    for (const local of ['node_modules', '.git', 'dist', 'scripts/generate-schemas.ts'])
      expect(ignored(local)).toBe(true);
  });
});

describe('the image entrypoint, run directly', () => {
  let app: string;
  let entrypoint: string;

  beforeAll(async () => {
    app = await mkdtemp(path.join(tmpdir(), 'meshready-image-'));
    // What `RUN npm run build` produces, into the image's layout.
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        path.join(app, 'dist'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    copyBash(path.join(app, 'dist'));
    expect(tsc.status).toBe(0);
    for (const dir of ['bin', 'templates', 'schemas'])
      await cp(path.join(ROOT, dir), path.join(app, dir), { recursive: true });
    await cp(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
    await mkdir(path.join(app, 'usr-local-bin'));
    entrypoint = path.join(app, 'usr-local-bin', 'meshready');
    await symlink(path.join(app, 'bin', 'meshready.js'), entrypoint);
  }, 120_000);

  function run(argv: readonly string[], cwd: string) {
    const result = spawnSync(entrypoint, argv, {
      cwd,
      encoding: 'utf8',
      // `#!/usr/bin/env node` must find this Node (24), as it finds the image's.
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('the compiled code needs only production dependencies', async () => {
    const production = new Set(Object.keys(packageJson.dependencies ?? {}));
    const needed = new Set<string>();
    const files = await readdir(path.join(app, 'dist'), { recursive: true });
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = await readFile(path.join(app, 'dist', file), 'utf8');
      const imports = code.matchAll(
        /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm,
      );
      for (const match of imports) {
        const specifier = (match[1] ?? match[2] ?? match[3]) as string;
        if (specifier.startsWith('.')) continue;
        if (specifier.startsWith('node:')) continue;
        const parts = specifier.split('/');
        needed.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
      }
    }
    expect(needed.size).toBeGreaterThan(0);
    expect([...needed].filter((name) => !production.has(name))).toEqual([]);
  });

  it('scans a snapshot and prints one line of JSON, writing nothing in its working directory', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'meshready-image-cwd-'));
    const result = run(['scan', '--snapshot', path.join(ROOT, 'fixtures/demo/addon-1.4'), '--json'], cwd);
    expect(result.stderr).toMatch(/^NOT READY: /m);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const report = reportSchema.parse(JSON.parse(lines[0] ?? ''));
    expect(report.cluster.name).toBe('shop-prod');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('answers --help (the image CMD) and prints manifests with a config', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'meshready-image-cwd-'));
    expect(run(['--help'], cwd).code).toBe(0);
    await writeFile(path.join(cwd, 'meshready.yaml'), 'excludeNamespaces: ["sandbox-*"]\n');
    const manifests = run(['manifests', '--config', 'meshready.yaml'], cwd);
    expect(manifests.stderr).toBe('');
    expect(manifests.code).toBe(0);
    expect(manifests.stdout).toContain('kind: CronJob');
  });

  it('exits 2 with a one-line message on a bad configuration file', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'meshready-image-cwd-'));
    await writeFile(path.join(cwd, 'meshready.yaml'), 'targett: asm-1.7\n');
    const result = run(['scan', '--snapshot', path.join(ROOT, 'fixtures/demo/addon-1.4'), '--json'], cwd);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(/^meshready: \/.*\/meshready\.yaml:1: unknown key "targett"/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
