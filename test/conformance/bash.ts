/**
 * Runs conformance cases through the bash of remediate.sh, in real bash: the script's functions
 * (its prelude and bash library, as renderBashLibrary renders them: nothing of its steps runs)
 * sourced once, then one call per case, each printing its answer on a line of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBashLibrary } from '../../src/remediate/script.ts';
import { commandLine } from '../../src/remediate/shell.ts';

export interface BashCall {
  /** The function and its arguments (each passed as one word, exactly). */
  readonly argv: readonly string[];
}

/**
 * The answer of each call: `answer` is a bash word evaluated after the call, with `$status` its
 * exit status (e.g. `"$status"`, or a variable the function sets).
 */
export function bashAnswers(calls: readonly BashCall[], answer: string, locale = 'C.UTF-8'): string[] {
  const work = mkdtempSync(path.join(tmpdir(), 'meshready-conformance-'));
  try {
    const library = path.join(work, 'library.sh');
    writeFileSync(library, renderBashLibrary());
    const lines = calls.map(
      (call) => `status=0; ${commandLine(call.argv)} || status=$?; printf '%s\\n' ${answer}`,
    );
    const script = [`source ${commandLine([library])}`, 'MODE=apply', ...lines, ''].join('\n');
    const run = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LC_ALL: locale },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`bash exited ${run.status}: ${run.stderr}`);
    const answers = run.stdout.split('\n').slice(0, -1);
    if (answers.length !== calls.length) {
      throw new Error(`bash printed ${answers.length} answers for ${calls.length} cases: ${run.stderr}`);
    }
    return answers;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
