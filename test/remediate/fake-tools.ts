/**
 * Runs a generated remediate.sh against stand-in `kubectl` and `gcloud` executables placed first
 * on PATH. The stand-ins record their exact argv (NUL-separated, so any byte survives) and answer
 * from a table of bash glob patterns matched against "tool arg arg ...". A response can require a
 * flag that an earlier call set, which is enough to model "after the namespace was relabelled".
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeResponse {
  /** A bash glob matched against `tool arg1 arg2 …` (e.g. `kubectl *get namespace shop *`). */
  readonly match: string;
  readonly stdout?: string;
  readonly exit?: number;
  /** Only answers once a call has set this flag. */
  readonly requires?: string;
}

export interface FakeEffect {
  readonly match: string;
  readonly sets: string;
}

export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
}

export interface RunOptions {
  readonly args?: readonly string[];
  readonly responses?: readonly FakeResponse[];
  readonly effects?: readonly FakeEffect[];
  /** Run under `script` so that stdin is a terminal; `input` is typed into it. */
  readonly tty?: boolean;
  readonly input?: string;
  /** Files written next to the script (e.g. the v1beta1-policies.yaml `scan` writes there). */
  readonly besideScript?: Readonly<Record<string, string>>;
  /** Extra environment, e.g. a canary path for the property test. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Flags already set (by an earlier run's effects), to run the phases one after another. */
  readonly flags?: readonly string[];
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: readonly Call[];
  /** Files the script wrote below its working directory (backups), by relative path. */
  readonly files: Readonly<Record<string, string>>;
  /** The flags set when the run ended (`flags` and those its calls set). */
  readonly flags: readonly string[];
}

const STAND_IN = `#!/usr/bin/env bash
# Stand-in for kubectl/gcloud in tests: records argv, answers from responses.tsv.
tool=\${0##*/}
printf '%s\\0' "$(($# + 1))" "$tool" "$@" >>"$FAKE_DIR/calls.log"
joined="$tool $*"
while IFS=$'\\t' read -r pattern flag; do
  # shellcheck disable=SC2053
  if [[ $joined == $pattern ]]; then : >"$FAKE_DIR/flags/$flag"; fi
done <"$FAKE_DIR/effects.tsv"
while IFS=$'\\t' read -r pattern code file requires; do
  if [[ $requires != - && ! -e $FAKE_DIR/flags/$requires ]]; then continue; fi
  # shellcheck disable=SC2053
  if [[ $joined == $pattern ]]; then
    if [[ $file != - ]]; then cat "$FAKE_DIR/responses/$file"; fi
    exit "$code"
  fi
done <"$FAKE_DIR/responses.tsv"
exit 0
`;

function noTabs(text: string, what: string): string {
  if (/[\t\n]/.test(text)) throw new Error(`${what} must not contain tabs or newlines: ${text}`);
  return text;
}

function parseCalls(log: string): Call[] {
  const fields = log.split('\0');
  const calls: Call[] = [];
  let i = 0;
  while (i < fields.length - 1) {
    const count = Number(fields[i]);
    const words = fields.slice(i + 1, i + 1 + count);
    calls.push({ tool: words[0] ?? '', args: words.slice(1) });
    i += 1 + count;
  }
  return calls;
}

export function runScript(script: string, options: RunOptions = {}): RunResult {
  const root = mkdtempSync(path.join(tmpdir(), 'meshready-remediate-'));
  try {
    const fakeDir = path.join(root, 'fake');
    const bin = path.join(fakeDir, 'bin');
    const cwd = path.join(root, 'work');
    mkdirSync(bin, { recursive: true });
    mkdirSync(path.join(fakeDir, 'responses'));
    mkdirSync(path.join(fakeDir, 'flags'));
    for (const flag of options.flags ?? [])
      writeFileSync(path.join(fakeDir, 'flags', noTabs(flag, 'flag')), '');
    mkdirSync(cwd);
    for (const tool of ['kubectl', 'gcloud']) {
      writeFileSync(path.join(bin, tool), STAND_IN);
      chmodSync(path.join(bin, tool), 0o755);
    }
    const rows = (options.responses ?? []).map((response, index) => {
      const file = response.stdout === undefined ? '-' : String(index);
      if (response.stdout !== undefined)
        writeFileSync(path.join(fakeDir, 'responses', file), response.stdout);
      return [
        noTabs(response.match, 'match'),
        response.exit ?? 0,
        file,
        noTabs(response.requires ?? '-', 'flag'),
      ]
        .join('\t')
        .concat('\n');
    });
    writeFileSync(path.join(fakeDir, 'responses.tsv'), rows.join(''));
    writeFileSync(
      path.join(fakeDir, 'effects.tsv'),
      (options.effects ?? []).map((e) => `${noTabs(e.match, 'match')}\t${noTabs(e.sets, 'flag')}\n`).join(''),
    );
    writeFileSync(path.join(fakeDir, 'calls.log'), '');
    const scriptFile = path.join(root, 'remediate.sh');
    writeFileSync(scriptFile, script, { mode: 0o755 });
    for (const [name, text] of Object.entries(options.besideScript ?? {}))
      writeFileSync(path.join(root, name), text);

    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: root,
      LANG: 'C.UTF-8',
      FAKE_DIR: fakeDir,
      ...options.env,
    };
    const args = options.args ?? [];
    const command = options.tty
      ? spawnSync(
          'script',
          [
            '-qec',
            ['bash', scriptFile, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' '),
            '/dev/null',
          ],
          { cwd, env, input: options.input ?? '', encoding: 'utf8', timeout: options.timeoutMs ?? 20_000 },
        )
      : spawnSync('bash', [scriptFile, ...args], {
          cwd,
          env,
          input: options.input ?? '',
          encoding: 'utf8',
          timeout: options.timeoutMs ?? 20_000,
        });
    const calls = parseCalls(readFileSync(path.join(fakeDir, 'calls.log'), 'utf8'));
    const files: Record<string, string> = {};
    for (const entry of readdirSync(cwd, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) {
        const file = path.join(entry.parentPath, entry.name);
        files[path.relative(cwd, file)] = readFileSync(file, 'utf8');
      }
    }
    const flags = readdirSync(path.join(fakeDir, 'flags')).sort();
    return { status: command.status, stdout: command.stdout, stderr: command.stderr, calls, files, flags };
  } finally {
    if (!process.env.KEEP_REMEDIATE_TMP) rmSync(root, { recursive: true, force: true });
  }
}

/** The argv of a kubectl call without the `--context NAME` the script pins. */
export function kubectlWords(call: Call): readonly string[] {
  const args = [...call.args];
  const at = args.indexOf('--context');
  if (at >= 0) args.splice(at, 2);
  return args;
}

const CHANGING_KUBECTL = new Set([
  'label',
  'patch',
  'delete',
  'scale',
  'annotate',
  'apply',
  'create',
  'replace',
  'edit',
]);
const CHANGING_GCLOUD = new Set(['upgrade', 'update', 'create', 'resize', 'delete']);

/** Whether a recorded call would change the cluster or the project. */
export function isChanging(call: Call): boolean {
  if (call.tool === 'kubectl') {
    const words = kubectlWords(call);
    const verb = words[0] ?? '';
    return CHANGING_KUBECTL.has(verb) || (verb === 'rollout' && words[1] === 'restart');
  }
  const firstFlag = call.args.findIndex((a) => a.startsWith('-'));
  const command = firstFlag < 0 ? call.args : call.args.slice(0, firstFlag);
  return command.some((word) => CHANGING_GCLOUD.has(word));
}

/** A one-line rendering of a call, for readable assertions. */
export function describeCall(call: Call): string {
  const words = call.tool === 'kubectl' ? kubectlWords(call) : call.args;
  return [call.tool, ...words].join(' ');
}

/** How a dry run introduces a command: `would run: `, `would check: `, `would save: `, `$ ` (TODO). */
const DRY_RUN_PREFIX = /^ *(would (run|check|save): |\$ )/;

/** The commands a dry run printed, as the reports show them (without the prefix that says how). */
export function dryRunCommands(stdout: string): Set<string> {
  return new Set(stdout.split('\n').map((line) => line.replace(DRY_RUN_PREFIX, '')));
}
