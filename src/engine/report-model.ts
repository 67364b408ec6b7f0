/**
 * The JSON report (SPEC §3, schemaVersion 1): the contract other tools read. This zod schema is
 * its only definition; schemas/report.schema.json is generated from it (`npm run schemas`).
 */
import { z } from 'zod';
import {
  fixSchema,
  phaseSchema,
  resourceRefSchema,
  severitySchema,
  statusSchema,
  targetSchema,
} from './vocabulary.ts';

export const PHASE_STATUSES = ['done', 'todo', 'blocked', 'unknown'] as const;
export const phaseStatusSchema = z.enum(PHASE_STATUSES);
export type PhaseStatus = z.infer<typeof phaseStatusSchema>;

export const VERDICTS = ['ready', 'not-ready', 'unknown'] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const suppressionSchema = z.object({
  reason: z.string(),
  owner: z.string().optional(),
  expires: z.string().optional(),
  /** Where the suppression came from: the config file or an object annotation. */
  source: z.enum(['config', 'annotation']).optional(),
});
export type Suppression = z.infer<typeof suppressionSchema>;

export const findingSchema = z.object({
  fingerprint: z.string(),
  severity: severitySchema,
  message: z.string(),
  resource: resourceRefSchema,
  location: z.object({ file: z.string(), line: z.number().int().positive() }).optional(),
  /** The phase this finding belongs to: the rule's, or another for a rule spanning two phases. */
  phase: phaseSchema.optional(),
  /**
   * Present (true) only when the finding's harm is already live, not only a blocker of a later
   * phase (SPEC §3): reports list urgent findings first, whatever their phase.
   */
  urgent: z.literal(true).optional(),
  remediation: z.object({ phase: phaseSchema, commands: z.array(z.string()) }).optional(),
  /** Structured form of the remediation, from which remediate.sh is generated. */
  fix: fixSchema.optional(),
  suppressed: suppressionSchema.optional(),
  baseline: z.enum(['new', 'unchanged']).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const ruleResultSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  phase: phaseSchema,
  severity: severitySchema,
  status: statusSchema,
  reason: z.string().optional(),
  findings: z.array(findingSchema),
});
export type RuleResult = z.infer<typeof ruleResultSchema>;

const countsSchema = z.object({
  pass: z.number().int(),
  fail: z.number().int(),
  'not-applicable': z.number().int(),
  unknown: z.number().int(),
  findings: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  suppressed: z.number().int(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('meshready'), version: z.string() }),
  target: targetSchema,
  upgradeTo: z.string().optional(),
  generatedAt: z.string(),
  cluster: z.object({
    name: z.string().optional(),
    project: z.string().optional(),
    location: z.string().optional(),
    masterVersion: z.string().optional(),
    context: z.string().optional(),
  }),
  source: z.object({
    kind: z.enum(['snapshot', 'live']),
    inputs: z.array(z.string()),
    skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
    notCollected: z.array(z.object({ part: z.string(), reason: z.string() })),
  }),
  verdict: verdictSchema,
  summary: countsSchema,
  phases: z.array(z.object({ id: phaseSchema, status: phaseStatusSchema, rules: z.array(z.string()) })),
  /** The first phase that is not done, and what to do there. */
  currentPhase: phaseSchema.optional(),
  nextStep: z.string().optional(),
  results: z.array(ruleResultSchema),
  /** With --baseline: findings of the baseline that are gone. */
  resolved: z.array(findingSchema.extend({ ruleId: z.string() })).optional(),
  /** Suppressions from the configuration that expired and no longer apply. */
  expiredSuppressions: z
    .array(
      z.object({ rule: z.string(), reason: z.string(), owner: z.string().optional(), expires: z.string() }),
    )
    .optional(),
});
export type Report = z.infer<typeof reportSchema>;

export function reportJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12', io: 'output' }),
    $id: 'https://meshready.dev/schemas/report.schema.json',
    title: 'meshready report (schemaVersion 1)',
  };
}
