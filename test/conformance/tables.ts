/**
 * The conformance tables (STYLE §15): for each predicate that remediate.sh decides again at run
 * time what the scan decided in TypeScript, one JSON file of cases in this folder, read and checked
 * here. Each table names its predicate, the TypeScript function and the bash function that must
 * give every case its `answer`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const header = {
  /** What the predicate decides. */
  predicate: z.string().min(1),
  /** The TypeScript function (at scan time). */
  typescript: z.string().min(1),
  /** The bash function (at run time). */
  bash: z.string().min(1),
};
/** Why a case is in the table, when its input does not say it. */
const why = z.string().optional();

function table<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  return schema.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, file), 'utf8')));
}

export const GKE_VERSION_ORDER = table(
  'gke-version-order.json',
  z.object({
    ...header,
    answers: z.tuple([z.literal('below'), z.literal('not-below'), z.literal('malformed')]),
    cases: z.array(
      z.object({ why, a: z.string(), b: z.string(), answer: z.enum(['below', 'not-below', 'malformed']) }),
    ),
  }),
);

export const OLD_PROXY = table(
  'old-proxy.json',
  z.object({
    ...header,
    answers: z.tuple([z.literal('pre-1.6'), z.literal('1.6+'), z.literal('unknown')]),
    cases: z.array(
      z.object({
        why,
        image: z.string(),
        revisionLabel: z.string().optional(),
        answer: z.enum(['pre-1.6', '1.6+', 'unknown']),
      }),
    ),
  }),
);

export const REVISION_SELECTION = table(
  'revision-selection.json',
  z.object({
    ...header,
    cases: z.array(
      z.object({ why, labels: z.record(z.string(), z.string()), pattern: z.string(), answer: z.boolean() }),
    ),
  }),
);

const raw = z.record(z.string(), z.unknown());
export const GATEWAY_PORTS = table(
  'gateway-ports.json',
  z.object({
    ...header,
    /** The labels of the gateway pods both languages look at. */
    gatewayPodLabels: z.record(z.string(), z.string()),
    cases: z.array(
      z.object({
        /** The name of the object the case is about (unique in the table). */
        name: z.string().min(1),
        kind: z.enum(['NetworkPolicy', 'AuthorizationPolicy', 'BackendConfig', 'Firewall']),
        /** Whether it still names only the 1.4 ports: a finding, and an open item of the gate. */
        open: z.boolean(),
        /** Kubernetes objects of the case (a BackendConfig comes with the Service that attaches it). */
        objects: z.array(raw).optional(),
        /** A Compute firewall rule, as `gcloud compute firewall-rules list --format=json` prints it. */
        firewall: raw.optional(),
      }),
    ),
  }),
);
