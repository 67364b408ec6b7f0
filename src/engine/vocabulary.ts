/** The words of the catalogue, defined once as zod enums (SPEC §3, §4). */
import { z } from 'zod';

export const TARGETS = ['istio-1.6', 'asm-1.6', 'asm-1.7'] as const;
export const targetSchema = z.enum(TARGETS);
export type Target = z.infer<typeof targetSchema>;

export function isAsmTarget(target: Target): boolean {
  return target !== 'istio-1.6';
}

/** Migration phases in the order of the upgrade guide. */
export const PHASES = [
  'cluster-upgrade',
  'prepare',
  'migrate-namespaces',
  'migrate-gateway',
  'retire-old-control-plane',
  'asm-install',
  'asm-migrate-namespaces',
  'asm-cleanup',
] as const;
export const phaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof phaseSchema>;

const ASM_PHASES: readonly Phase[] = ['asm-install', 'asm-migrate-namespaces', 'asm-cleanup'];

/** The phases of a target: migrate-gateway is istio-1.6 only, the asm-* phases are ASM only. */
export function phasesFor(target: Target): Phase[] {
  return PHASES.filter((phase) =>
    phase === 'migrate-gateway'
      ? !isAsmTarget(target)
      : ASM_PHASES.includes(phase)
        ? isAsmTarget(target)
        : true,
  );
}

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

/** Higher is more severe. */
export function severityRank(severity: Severity): number {
  return severity === 'error' ? 3 : severity === 'warning' ? 2 : 1;
}

export const STATUSES = ['pass', 'fail', 'not-applicable', 'unknown'] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

export const resourceRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

const fixValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
/**
 * A structured fix: the remediation code turns it into commands and script steps, so no rule
 * ever builds a shell command from cluster values.
 */
export const fixSchema = z.object({
  action: z.string(),
  params: z.record(z.string(), fixValue),
});
export type Fix = z.infer<typeof fixSchema>;

/**
 * The annotation by which an object exempts itself from rules (`"<rule>[,<rule>...]"`, SPEC §11),
 * and the one that says why. Rules name it in advice; remediate.sh's gates read it at run time.
 */
export const IGNORE_ANNOTATION = 'meshready.dev/ignore';
export const IGNORE_REASON_ANNOTATION = 'meshready.dev/ignore-reason';
