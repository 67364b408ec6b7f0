/**
 * The snapshot bundle written by `meshready collect` and read back by `scan --snapshot`:
 * the stripped objects plus a record, per part, of what was collected. That record wins over
 * the offline rule "any Kubernetes object means every kind was dumped".
 */
import { z } from 'zod';
import {
  type ClusterSnapshot,
  clusterIdentitySchema,
  firewallRuleSchema,
  gkeClusterSchema,
  KUBE_KINDS,
  type KubeKind,
  kubeKinds,
  machineTypeSchema,
  partCoverageSchema,
  snapshotPartSchema,
} from './model.ts';

export const BUNDLE_API_VERSION = 'meshready.dev/v1alpha1';
export const BUNDLE_KIND = 'ClusterSnapshot';

const kubeSection = z
  .object(
    Object.fromEntries(KUBE_KINDS.map((kind) => [kind, z.array(kubeKinds[kind]).optional()])) as {
      [K in KubeKind]: z.ZodOptional<z.ZodArray<(typeof kubeKinds)[K]>>;
    },
  )
  .strict();

export const bundleSchema = z
  .object({
    apiVersion: z.literal(BUNDLE_API_VERSION),
    kind: z.literal(BUNDLE_KIND),
    metadata: z.object({
      collectedAt: z.string(),
      toolVersion: z.string(),
      identity: clusterIdentitySchema,
      failures: z.array(z.object({ part: snapshotPartSchema, reason: z.string() })).optional(),
    }),
    coverage: z.partialRecord(snapshotPartSchema, partCoverageSchema),
    kube: kubeSection,
    gkeCluster: gkeClusterSchema.optional(),
    firewalls: z.array(firewallRuleSchema).optional(),
    machineTypes: z.array(machineTypeSchema).optional(),
  })
  .strict();
export type SnapshotBundle = z.infer<typeof bundleSchema>;

export function isBundleDocument(value: Record<string, unknown>): boolean {
  return value.apiVersion === BUNDLE_API_VERSION && value.kind === BUNDLE_KIND;
}

/** The bundle for a snapshot, with what `collect` knows about the collection itself. */
export function snapshotToBundle(
  snapshot: ClusterSnapshot,
  collectedAt: Date,
  toolVersion: string,
): SnapshotBundle {
  const failures = Object.entries(snapshot.coverage).flatMap(([part, coverage]) =>
    coverage.collected ? [] : [{ part: snapshotPartSchema.parse(part), reason: coverage.reason }],
  );
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: BUNDLE_KIND,
    metadata: { collectedAt: collectedAt.toISOString(), toolVersion, identity: snapshot.identity, failures },
    coverage: { ...snapshot.coverage },
    kube: Object.fromEntries(KUBE_KINDS.map((kind) => [kind, [...snapshot.kube[kind]]])),
    ...(snapshot.gkeCluster ? { gkeCluster: snapshot.gkeCluster } : {}),
    ...(snapshot.coverage.firewalls.collected ? { firewalls: [...snapshot.firewalls] } : {}),
    ...(snapshot.coverage.machineTypes.collected ? { machineTypes: [...snapshot.machineTypes] } : {}),
  };
}
