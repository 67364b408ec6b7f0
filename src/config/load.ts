/**
 * Finds and reads the configuration file: `--config FILE`, else `meshready.yaml` in the working
 * directory when it exists. Like the snapshot loaders, this is one of the few places that read
 * files; parsing and validation are in parse.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import { parseConfig } from './parse.ts';
import type { MeshreadyConfig } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'meshready.yaml';

export interface LoadedConfig {
  /** The file's full path, as errors name it. */
  readonly file: string;
  readonly config: MeshreadyConfig;
}

export interface ConfigLocation {
  /** `--config`, when given: then a missing file is an error. */
  readonly explicit?: string | undefined;
  readonly cwd: string;
  readonly knownRuleIds: ReadonlySet<string>;
}

export async function loadConfig(location: ConfigLocation): Promise<LoadedConfig | undefined> {
  const given = location.explicit ?? DEFAULT_CONFIG_FILE;
  // Messages name the full path: "meshready.yaml:3" alone does not say which directory's file.
  const file = path.resolve(location.cwd, given);
  const absolute = file;
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && location.explicit === undefined) return undefined;
    throw new InputError(
      file,
      undefined,
      code === 'ENOENT' ? 'configuration file not found' : `cannot read: ${(error as Error).message}`,
    );
  }
  return { file, config: parseConfig(file, text, location.knownRuleIds) };
}
