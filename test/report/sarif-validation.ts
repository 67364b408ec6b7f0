/**
 * The two SARIF validators the tests hold every file to: Microsoft's Sarif.Multitool (with the
 * GitHub rules GH1001–GH1007 raised to errors) and the SARIF 2.1.0 JSON Schema through ajv.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO_ROOT } from './reports.ts';

const run = promisify(execFile);

/**
 * The validator binary. Its package makes it executable in a postinstall script; when install
 * scripts were skipped (npm ci --ignore-scripts), do that here.
 */
export function multitoolPath(): string {
  const binary = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    chmodSync(binary, 0o755);
  }
  return binary;
}

export interface ValidatorIssue {
  readonly ruleId: string;
  readonly level: string;
  readonly file: string;
  readonly message: string;
}

interface ValidatorLog {
  runs: {
    results?: {
      ruleId: string;
      level?: string;
      message: { text?: string; id?: string; arguments?: string[] };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
    }[];
    invocations?: { executionSuccessful?: boolean; toolExecutionNotifications?: unknown[] }[];
  }[];
}

/**
 * Validates SARIF logs with Sarif.Multitool in one run. It exits 0 even when it finds errors,
 * so its own SARIF output is read: every error and warning it logged is returned, by file name.
 */
export async function multitoolIssues(logs: Readonly<Record<string, unknown>>): Promise<ValidatorIssue[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'meshready-sarif-'));
  const files = Object.entries(logs).map(([name, log]) => ({
    name,
    file: path.join(dir, `${name}.sarif`),
    log,
  }));
  for (const { file, log } of files) await writeFile(file, JSON.stringify(log, null, 2));
  const output = path.join(dir, 'validation.sarif');
  await run(
    multitoolPath(),
    [
      'validate',
      ...files.map((f) => f.file),
      '--output',
      output,
      '--config',
      path.join(REPO_ROOT, 'fixtures/sarif/github-validation.config.xml'),
      '--rule-kind',
      'Sarif;Ghas',
      '--level',
      'Error;Warning',
    ],
    // The .NET single-file binary needs ICU unless told to run without it.
    { env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 120_000 },
  );
  const validation = JSON.parse(await readFile(output, 'utf8')) as ValidatorLog;
  const runResult = validation.runs[0];
  if (!runResult?.invocations?.[0]?.executionSuccessful) {
    throw new Error(`Sarif.Multitool did not run: ${JSON.stringify(runResult?.invocations)}`);
  }
  return (runResult.results ?? []).map((result) => {
    const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
    const name = files.find((f) => uri.endsWith(`${f.name}.sarif`))?.name ?? uri;
    return {
      ruleId: result.ruleId,
      level: result.level ?? 'warning',
      file: name,
      message: result.message.text ?? (result.message.arguments ?? []).join(' | '),
    };
  });
}

const URI_REFERENCE =
  /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

let compiled: ((log: unknown) => boolean) & { errors?: unknown } = Object.assign(() => false, {});
let compiledOnce = false;

/** Validates against fixtures/sarif/sarif-schema-2.1.0.json, formats included. */
export async function schemaErrors(log: unknown): Promise<unknown[]> {
  if (!compiledOnce) {
    const schema = JSON.parse(
      await readFile(path.join(REPO_ROOT, 'fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'),
    );
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat('uri', (value: string) => URL.canParse(value));
    ajv.addFormat('uri-reference', (value: string) => URI_REFERENCE.test(value));
    ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)) && /T/.test(value));
    compiled = ajv.compile(schema);
    compiledOnce = true;
  }
  return compiled(log) ? [] : ((compiled.errors as unknown[]) ?? ['invalid']);
}
