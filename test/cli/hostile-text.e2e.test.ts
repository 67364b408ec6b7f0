/**
 * Cluster text that could become code or terminal control (issue: "every cluster string is inert
 * everywhere", SPEC §10): a port name that breaks out of a `# …` comment when the report's
 * commands are pasted, ESC/BEL/bidi characters in names and messages that reach the terminal,
 * and a saved report whose `remediation.commands` were edited.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import { runMeshready } from '../helpers/cli.ts';
import { gkeCluster, istiod, list, namespace, service } from '../helpers/objects.ts';
import { runScript } from '../remediate/fake-tools.ts';

const work = mkdtempSync(path.join(tmpdir(), 'meshready-hostile-text-'));
const CANARY = path.join(work, 'pwned');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** ESC, BEL, an OSC 8 link, a screen clear, a C1 CSI and a right-to-left override. */
const TERMINAL = '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007\u001b[2J\u009b31m\u202e';
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const PORT = `web\n$(touch ${CANARY})\n`;
const snapshotFile = path.join(work, 'snapshot.json');
const outputDir = path.join(work, 'out');
let scan: ReturnType<typeof runMeshready>;
let report: Report;

beforeAll(() => {
  const documents = [
    namespace('istio-system'),
    namespace('shop', { 'istio-injection': 'enabled' }),
    namespace(`evil${TERMINAL}`, { 'istio-injection': 'enabled' }),
    service('shop', 'cart', [{ name: PORT, port: 8080, protocol: 'TCP' }]),
    service('shop', `cart${TERMINAL}`, [{ name: `tcp${TERMINAL}`, port: 9090, protocol: 'TCP' }]),
    service(`evil${TERMINAL}`, 'web', [{ name: `$(touch ${CANARY})`, port: 80 }]),
    ...istiod('istio-1611', '1.6.11-gke.0'),
  ];
  writeFileSync(snapshotFile, JSON.stringify(list(documents)));
  writeFileSync(path.join(work, 'cluster.json'), JSON.stringify(gkeCluster({ name: `shop${TERMINAL}` })));
  scan = runMeshready([
    'scan',
    '--snapshot',
    snapshotFile,
    '--snapshot',
    path.join(work, 'cluster.json'),
    '--output-dir',
    outputDir,
    '--format',
    'html,json,sarif,markdown',
    '--fail-on',
    'warning',
  ]);
  report = JSON.parse(readFileSync(path.join(outputDir, 'meshready-report.json'), 'utf8')) as Report;
}, 60_000);

function allCommands(from: Report): string[] {
  return from.results.flatMap((result) => result.findings.flatMap((f) => f.remediation?.commands ?? []));
}

describe('hostile cluster text', () => {
  it('finds the hostile port names', () => {
    expect(scan.code, scan.stderr).toBe(1);
    const ports = report.results.find((r) => r.ruleId === 'service-port-naming');
    expect(ports?.status).toBe('fail');
    // The hostile name is in the findings' fix data; the script keeps it in one comment line.
    expect(ports?.findings.some((f) => JSON.stringify(f.fix).includes('touch'))).toBe(true);
    expect(allCommands(report).length).toBeGreaterThan(0);
  });

  it('keeps every report command on one line, and pasting them all runs nothing hidden', () => {
    const commands = allCommands(report);
    for (const command of commands) expect(command).not.toMatch(/[\n\r]/);
    const pasted = runScript(`#!/usr/bin/env bash\n${commands.join('\n')}\n`);
    expect(pasted.stderr).not.toMatch(/syntax error/);
    expect(existsSync(CANARY)).toBe(false);
    // The service really is edited by its exact hostile name: the command was not defanged by mangling.
    expect(
      pasted.calls.some((call) => call.tool === 'kubectl' && call.args.includes(`cart${TERMINAL}`)),
    ).toBe(true);
  });

  it('pasting the Markdown report commands runs nothing hidden', () => {
    const markdown = readFileSync(path.join(outputDir, 'meshready-report.md'), 'utf8');
    const fenced = [...markdown.matchAll(/^```+sh\n([\s\S]*?)\n```+$/gm)].map((match) => match[1]);
    expect(fenced.length).toBeGreaterThan(0);
    runScript(`#!/usr/bin/env bash\n${fenced.join('\n')}\n`);
    expect(existsSync(CANARY)).toBe(false);
    expect(markdown).not.toMatch(RAW_CONTROL);
  });

  it('shows no control character on the terminal summary', () => {
    expect(`${scan.stdout}${scan.stderr}`).toMatch(/^(NOT READY|UNKNOWN|READY|DONE)\b/m);
    expect(scan.stdout).not.toMatch(RAW_CONTROL);
    expect(scan.stderr).not.toMatch(RAW_CONTROL);
  });

  it('prints no control character in the remediation script messages (Impact lines included)', () => {
    const script = readFileSync(path.join(outputDir, 'remediate.sh'), 'utf8');
    const dry = runScript(script);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).not.toMatch(RAW_CONTROL);
    expect(existsSync(CANARY)).toBe(false);
  });

  it('re-renders commands from fix data, never from a tampered remediation.commands', () => {
    const tampered = structuredClone(report);
    for (const result of tampered.results) {
      for (const finding of result.findings) {
        if (finding.remediation) finding.remediation.commands = [`touch ${CANARY}-tampered`];
      }
    }
    const file = path.join(work, 'tampered.json');
    writeFileSync(file, JSON.stringify(tampered));
    for (const format of ['markdown', 'html', 'sarif']) {
      const run = runMeshready(['report', file, '--format', format]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toContain('-tampered');
      expect(run.stdout).toContain('kubectl edit service');
    }
  });

  it('diff --format markdown and text show no control character', () => {
    const old = path.join(work, 'old.json');
    const empty = structuredClone(report);
    empty.results = empty.results.map((result) => ({ ...result, findings: [] }));
    writeFileSync(old, JSON.stringify(empty));
    for (const format of ['markdown', 'text']) {
      const run = runMeshready([
        'diff',
        old,
        path.join(outputDir, 'meshready-report.json'),
        '--format',
        format,
      ]);
      expect(run.stdout).toContain('cart');
      expect(run.stdout).not.toMatch(RAW_CONTROL);
    }
  });

  it('quotes a JSON parse error excerpt without its control characters', () => {
    const bad = path.join(work, 'bad.json');
    writeFileSync(bad, `{"kind": ${TERMINAL}}`);
    const run = runMeshready(['scan', '--snapshot', bad, '--output-dir', path.join(work, 'bad-out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.json');
    expect(run.stderr).not.toMatch(RAW_CONTROL);
  });
});
