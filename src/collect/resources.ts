/**
 * What the live collector reads from the Kubernetes API, one entry per list call, derived from the
 * table of kinds (src/snapshot/kinds.ts). This list is also the source of the read-only
 * ClusterRole and Roles that `meshready manifests` prints (rbac.ts), so the RBAC always covers
 * exactly what the collector requests (and never Secrets).
 */
import { type ApiResource, KIND_TABLE, type KubeKind } from '../snapshot/kinds.ts';

export interface CollectedResource extends ApiResource {
  /** The snapshot part the objects go into. */
  readonly part: KubeKind;
  /** Only this namespace is listed, when set. */
  readonly namespace?: string;
}

/** Every API resource of the table, in its order: parts with none (custom resources) are not listed live. */
export const COLLECTED_RESOURCES: readonly CollectedResource[] = (
  Object.keys(KIND_TABLE) as KubeKind[]
).flatMap((part) => {
  const { namespace, resources } = KIND_TABLE[part];
  return resources.map((resource) => ({
    ...resource,
    part,
    ...(namespace === undefined ? {} : { namespace }),
  }));
});
