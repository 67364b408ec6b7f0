/**
 * Facts about Istio configuration objects that several rules share: who installed an object
 * (the control plane or a user) and the name `kubectl get` knows its kind by.
 */
import type { KubeObject } from '../snapshot/model.ts';
import { apiGroup } from '../snapshot/strip.ts';

/** The GKE add-on manager's label: its objects are re-created and reconciled by it. */
export const ADDON_MANAGER_LABEL = 'addonmanager.kubernetes.io/mode';

/**
 * Labels the Istio operator (1.6) puts on everything it installs: `install.operator.istio.io/
 * owning-resource[-namespace]`, `operator.istio.io/{managed,component,version}`.
 */
const OPERATOR_LABEL_PREFIXES = ['install.operator.istio.io/', 'operator.istio.io/'];

/** Whether the GKE add-on manager owns the object (it re-creates it when it is missing). */
export function isAddonManaged(object: KubeObject): boolean {
  return ADDON_MANAGER_LABEL in (object.metadata.labels ?? {});
}

/**
 * Whether the control plane installed the object: the GKE add-on manager
 * (`addonmanager.kubernetes.io/mode`), Istio's Helm charts (`release: istio`), or the Istio
 * operator (its labels, or an ownerReference to an IstioOperator). Anything else was created by
 * a user and survives neither an operator reconcile nor a version change unreviewed.
 */
export function isControlPlaneObject(object: KubeObject): boolean {
  const labels = object.metadata.labels ?? {};
  if (isAddonManaged(object) || labels.release === 'istio') return true;
  if (Object.keys(labels).some((key) => OPERATOR_LABEL_PREFIXES.some((prefix) => key.startsWith(prefix)))) {
    return true;
  }
  return (object.metadata.ownerReferences ?? []).some((ref) => ref.kind === 'IstioOperator');
}

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/**
 * The fully qualified resource name kubectl accepts for an object's kind, e.g.
 * `virtualservices.networking.istio.io` or `handlers.config.istio.io`. Istio's CRDs use the
 * regular English plural of the lower-cased kind (logentry -> logentries).
 */
export function kubectlResourceName(object: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const group = apiGroup(object.apiVersion);
  const resource = plural(object.kind);
  return group === '' ? resource : `${resource}.${group}`;
}

/** `Kind/name`, the way kubectl names an object, for messages and backup lists. */
export function kindSlashName(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
