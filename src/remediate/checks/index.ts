/**
 * The run-time checks a step may name (SPEC §9: every step re-checks its preconditions against
 * the cluster at the moment of the change). Each is a bash function of one file in this folder,
 * `<file>.sh.hbs`, or of the script's prelude (templates/remediate/prelude.hbs); every script
 * carries all of them. A check shared by several fix actions lives here; what one action alone
 * calls lives in that action's folder (../actions/<action>/).
 */

/** The files of this folder, in the order the script carries them. */
export const CHECK_FILES = [
  'gke-version',
  'proxies',
  'revisions',
  'galley',
  'gateway-ports',
  'v1beta1',
] as const;
export type CheckFile = (typeof CHECK_FILES)[number];

/** Each check: its bash function, and the file that defines it (undefined: the prelude). */
export const CHECKS = {
  /** A Deployment of istiod for revision $1 has a ready replica. */
  'istiod-revision-ready': { fn: 'istiod_revision_ready', file: 'revisions' },
  /** Namespace $1 selects (istio.io/rev, without istio-injection) a ready revision matching the glob $2. */
  'namespace-selects-revision': { fn: 'namespace_selects_revision', file: 'revisions' },
  /** No namespace selects the 1.4 injector (istio-injection=enabled). */
  'no-namespace-on-old-injector': { fn: 'no_namespace_on_old_injector', file: 'revisions' },
  /** No pod runs a 1.4 proxy: no workload sidecar and no ingress gateway pod (every target). */
  'no-pod-on-old-proxy': { fn: 'no_pod_on_old_proxy', file: 'proxies' },
  /** The 1.4 galley validating webhook is gone. */
  'galley-webhook-gone': { fn: 'galley_webhook_gone', file: 'galley' },
  /** An asm-* istiod is ready. */
  'asm-istiod-ready': { fn: 'asm_istiod_ready', file: 'revisions' },
  /** No asm-* istiod is installed (ready or not); else: done already, install_asm is never run again. */
  'no-asm-istiod-installed': { fn: 'no_asm_istiod_installed', file: 'revisions' },
  /** No namespace selects, and no pod runs on, a revision of IstioOperator $1. */
  'nothing-on-operator-revision': { fn: 'nothing_on_operator_revision', file: 'revisions' },
  /** The master runs a version below $1 (cluster $2, then the gcloud scope); else: done already. */
  'master-below': { fn: 'master_below', file: 'gke-version' },
  /**
   * Nothing that lets traffic reach the gateway names only its 1.4 ports: NetworkPolicies,
   * AuthorizationPolicies and BackendConfigs of the gateway pods, firewall rules of cluster $1
   * (location $2, project $3); else each open item is named.
   */
  'gateway-ports-ready': { fn: 'gateway_ports_ready', file: 'gateway-ports' },
  /** The object exists (kubectl get arguments); else: done already. */
  'object-exists': { fn: 'object_exists', file: undefined },
  /**
   * Each v1beta1 replacement of the v1alpha1 policies exists; four words a check (`object RESOURCE
   * NAMESPACE NAME`, `mesh-strict - - -`, `by-hand RESOURCE NAMESPACE NAME`: see replacementChecks
   * in ../actions/migrate-v1alpha1-policy/).
   */
  'v1beta1-replacements-exist': { fn: 'v1beta1_replacements_exist', file: 'v1beta1' },
} as const satisfies Readonly<Record<string, { readonly fn: string; readonly file: CheckFile | undefined }>>;
export type CheckName = keyof typeof CHECKS;
