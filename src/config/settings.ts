/**
 * Flags win over the configuration file, which wins over the defaults (SPEC §11).
 */
import type { Target } from '../engine/vocabulary.ts';
import type { MeshreadyConfig } from './schema.ts';

export const DEFAULT_TARGET: Target = 'istio-1.6';

export interface ScanFlags {
  /** Undefined when the flag was not given on the command line. */
  readonly target?: Target | undefined;
  readonly upgradeTo?: string | undefined;
  /** False with --no-annotation-exemptions; undefined when not given. */
  readonly annotationExemptions?: boolean | undefined;
}

export interface ScanSettings {
  readonly target: Target;
  readonly upgradeTo: string | undefined;
  readonly annotationExemptions: boolean;
}

export function scanSettings(flags: ScanFlags, config: MeshreadyConfig | undefined): ScanSettings {
  return {
    target: flags.target ?? config?.target ?? DEFAULT_TARGET,
    upgradeTo: flags.upgradeTo ?? config?.upgradeTo,
    annotationExemptions: flags.annotationExemptions ?? config?.annotationExemptions ?? true,
  };
}
