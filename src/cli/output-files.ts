/**
 * The one way the CLI writes a file (reports, remediate.sh, bundles, re-rendered reports).
 *
 * - Never through a link: the content goes to a new temporary file in the destination's own
 *   directory, opened with O_EXCL | O_NOFOLLOW, which is then renamed over the destination. A
 *   rename replaces a symbolic link planted at the destination instead of following it, so
 *   `remediate.sh -> ../victim` leaves the victim untouched.
 * - Atomic: a run killed while writing leaves the previous file (or none), never half of one.
 * - Clear errors: a destination that cannot be written is an InputError naming it (exit 2).
 *
 * Directories are created one level at a time: Node's recursive mkdir never returns on some
 * paths (`/proc/x` spins at 100% CPU), and doing it by hand also names the level that failed.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';

/** Why a path could not be written, in words, from the error code. */
function reasonFor(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EEXIST':
      return 'it exists and is not a directory';
    case 'EISDIR':
      return 'it is a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return (error as Error).message;
  }
}

/** The InputError for a path the user named that cannot be written. */
export function outputError(shown: string, what: string, error: unknown): InputError {
  return new InputError(shown, undefined, `cannot ${what}: ${reasonFor(error)}`);
}

/**
 * Makes sure `directory` exists as a directory (like `mkdir -p`). `shown` is how the user named
 * it, for errors.
 */
export async function ensureDirectory(directory: string, shown: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(directory);
  for (;;) {
    let found: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      found = await stat(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw outputError(shown, 'use it as the output directory', error);
    }
    if (found) {
      if (!found.isDirectory()) {
        const message =
          current === path.resolve(directory)
            ? 'it exists and is not a directory'
            : `${current} is not a directory`;
        throw new InputError(shown, undefined, `cannot use it as the output directory: ${message}`);
      }
      break;
    }
    const parent = path.dirname(current);
    missing.push(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(level).catch(() => undefined))?.isDirectory()) continue;
      throw outputError(shown, 'create the output directory', error);
    }
  }
}

export interface WriteOptions {
  /** File mode, e.g. 0o755 for remediate.sh; default 0o644 (less the umask). */
  readonly mode?: number;
}

/**
 * Writes `content` (text, bytes, or text in pieces for very large reports) to `file` through a
 * temporary file and a rename. `shown` is how the user would name the file, for errors.
 */
export async function writeOutputFile(
  file: string,
  shown: string,
  content: string | Uint8Array | Iterable<string>,
  options: WriteOptions = {},
): Promise<void> {
  const destination = path.resolve(file);
  const existing = await lstat(destination).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new InputError(shown, undefined, 'cannot write the file: it is a directory');
  }
  const temporary = path.join(
    path.dirname(destination),
    `.${path.basename(destination)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temporary, flags, options.mode ?? 0o644);
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await handle.writeFile(content);
    } else {
      let pending = '';
      for (const chunk of content) {
        pending += chunk;
        if (pending.length >= 65_536) {
          await handle.write(pending);
          pending = '';
        }
      }
      if (pending.length > 0) await handle.write(pending);
    }
    // The mode given to open() is reduced by the umask; an executable script must be executable.
    if (options.mode !== undefined) await handle.chmod(options.mode);
    await handle.close();
    handle = undefined;
    await rename(temporary, destination);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    if (error instanceof InputError) throw error;
    throw outputError(shown, 'write the file', error);
  }
}
