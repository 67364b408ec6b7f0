/**
 * The `meshready.yaml` configuration (SPEC §11). This zod schema is its only definition: the
 * TypeScript type and schemas/meshready-config.schema.json (for editors) are derived from it.
 */
import { z } from 'zod';
import { SEVERITIES, targetSchema } from '../engine/vocabulary.ts';
import { parseGkeVersion } from '../gke/version.ts';

export const SEVERITY_OVERRIDES = ['off', ...SEVERITIES] as const;

const glob = z.string().min(1).describe('a name or a glob: `*` matches any characters, `?` one');

/** A calendar date; the suppression applies through that whole day (UTC). */
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'not a calendar date');

const gkeVersionText = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+-gke\.\d+$/, 'expected a GKE version such as 1.17.12-gke.1501')
  .refine((text) => parseGkeVersion(text) !== undefined, 'not a GKE version');

export const suppressionConfigSchema = z
  .object({
    rule: z.string().min(1).describe('the rule id the suppression applies to'),
    namespace: glob.optional().describe('namespace glob; omitted = any namespace'),
    kind: glob.optional().describe('kind glob, e.g. Service; omitted = any kind'),
    name: glob.optional().describe('object name glob; omitted = any name'),
    reason: z.string().trim().min(1, 'a reason is required').describe('why the finding is accepted'),
    owner: z.string().min(1).optional().describe('who answers for it (a team or an address)'),
    expires: calendarDate
      .optional()
      .describe('YYYY-MM-DD; after this day (UTC) the suppression stops applying and is reported'),
  })
  .strict();
export type SuppressionConfig = z.infer<typeof suppressionConfigSchema>;

export const configSchema = z
  .object({
    target: targetSchema.optional().describe('same as --target; the flag wins'),
    upgradeTo: gkeVersionText.optional().describe('same as --upgrade-to; the flag wins'),
    excludeNamespaces: z
      .array(glob)
      .optional()
      .describe('namespaces (globs) whose objects are not evaluated at all'),
    excludePaths: z
      .array(
        z
          .string()
          .min(1)
          .describe(
            'a path glob: `*` and `?` within a name, `**` any directories; without `/` it matches the file name',
          ),
      )
      .optional()
      .describe(
        'files of a --snapshot directory that are not read (e.g. "src/mongodb/*.json"), as --exclude-path; both apply',
      ),
    rules: z
      .record(z.string(), z.enum(SEVERITY_OVERRIDES))
      .optional()
      .describe('per rule id: `off` or a severity that replaces the default'),
    suppressions: z
      .array(suppressionConfigSchema)
      .optional()
      .describe('accepted findings: still shown, not counted toward the verdict or the exit code'),
    annotationExemptions: z
      .boolean()
      .optional()
      .describe(
        'whether objects may exempt themselves with the meshready.dev/ignore annotation (default true; ' +
          '--no-annotation-exemptions wins)',
      ),
  })
  .strict();
export type MeshreadyConfig = z.infer<typeof configSchema>;

export const CONFIG_SCHEMA_ID = 'https://meshready.dev/schemas/meshready-config.schema.json';

/**
 * Draft-07, the draft YAML editors (yaml-language-server) support best. Point an editor at it
 * with `# yaml-language-server: $schema=...` at the top of meshready.yaml.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' }),
    $id: CONFIG_SCHEMA_ID,
    title: 'meshready configuration (meshready.yaml)',
  };
}
