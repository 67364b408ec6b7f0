/**
 * Steps the planner adds around the fix actions: no rule asks for them, the guide does (a gate
 * before workloads move, a check after, the install_asm step, a step the scan withheld).
 */
import type { BashFunction } from './actions/index.ts';
import type { Step } from './step.ts';

/** The steps the planner adds, by the name a PlanStep carries in place of a fix action. */
export type PlannerStepAction = 'v1beta1-gate' | 'verify-namespace' | 'install-asm' | 'withheld';

/** Each pod's name and istio-proxy image, to read (the guide, step 5). */
export const POD_PROXY_IMAGES_JSONPATH =
  'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\\n"}{end}';

/**
 * Stop the phase while a v1alpha1 policy the scan found has no v1beta1 replacement in the cluster:
 * a workload moved to the 1.6 proxy would lose what it expresses. `checks`: replacementChecks of
 * each policy (./actions/migrate-v1alpha1-policy.ts).
 */
export function v1beta1GateSteps(checks: readonly string[]): Step[] {
  return [
    {
      kind: 'halt-phase-unless',
      check: 'v1beta1-replacements-exist',
      args: checks,
      reason:
        'v1alpha1 policies found by the scan have no v1beta1 replacement in the cluster yet: apply them first (phase prepare), or the moved workloads lose the security they express. Stopping this phase.',
    },
  ];
}

/**
 * Stop the phase before the 1.6 gateway is enabled while a NetworkPolicy, AuthorizationPolicy,
 * BackendConfig or firewall rule for it names only the 1.4 ports (SPEC §9: a run-time gate on the
 * gateway-port-changes TODOs). `cluster`: name, location, project, for the firewall rules.
 */
export function gatewayPortsGateSteps(cluster: readonly string[]): Step[] {
  return [
    {
      kind: 'halt-phase-unless',
      check: 'gateway-ports-ready',
      args: cluster,
      reason:
        'the 1.6 gateway listens on 8080/8443 with its status port on 15021: enabling it now would leave traffic or health checks blocked by what is listed above (gateway-port-changes). Add the new ports beside the old ones, then run this phase again. Stopping this phase.',
    },
  ];
}

/** After a namespace moved: its restarted workloads rolled out, and its pods run the new proxy. */
export function verifyNamespaceSteps(namespace: string): Step<BashFunction>[] {
  return [
    { kind: 'call', fn: 'wait_for_rollouts', args: [namespace], shows: [] },
    { kind: 'check', argv: ['kubectl', 'get', 'pods', '-n', namespace] },
    { kind: 'check', argv: ['kubectl', 'get', 'pods', '-n', namespace, '-o', POD_PROXY_IMAGES_JSONPATH] },
    {
      kind: 'note',
      text: 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).',
    },
  ];
}

export interface InstallAsm {
  readonly asmVersion: string;
  /** The scanned cluster, its location and project ('' when unknown), for the gateway gate. */
  readonly scope: readonly string[];
  readonly project: string | undefined;
  readonly cluster: string | undefined;
  readonly location: string | undefined;
  /** The custom overlay files `meshready scan` wrote (write-custom-overlay). */
  readonly overlays: readonly string[];
  /** The overlay actions' own notes. */
  readonly overlayNotes: readonly Step<string>[];
}

/** install_asm, as the guide runs it for an add-on that keeps Citadel as its CA: a TODO. */
export function installAsmSteps(install: InstallAsm): Step<string>[] {
  const url = `https://storage.googleapis.com/csm-artifacts/asm/install_asm_${install.asmVersion}`;
  const identityMissing = !(install.project && install.cluster && install.location);
  return [
    // Once an asm-* revision is installed, install_asm refuses to run again (SPEC §9).
    { kind: 'done-unless', check: 'no-asm-istiod-installed', args: [] },
    // install_asm installs the ASM ingress gateway (8080/8443, status 15021).
    ...gatewayPortsGateSteps(install.scope),
    {
      kind: 'comment',
      text: 'Human decision: install_asm changes the project (APIs, IAM) and the cluster; read its options',
    },
    {
      kind: 'comment',
      text: "first. These are the guide's arguments for an add-on that keeps Citadel as its CA.",
    },
    {
      kind: 'comment',
      text: 'Beyond the mesh, install_asm also changes the cluster: it enables Workload Identity, enables',
    },
    {
      kind: 'comment',
      text: 'Cloud Operations (--enable-stackdriver-kubernetes), adds the mesh_id label to the cluster, and',
    },
    { kind: 'comment', text: 'creates a cluster-admin ClusterRoleBinding for the account that runs it.' },
    ...(identityMissing
      ? [
          {
            kind: 'note',
            text: 'The scan did not record the project, cluster and location: replace the placeholders below.',
          } as const,
        ]
      : []),
    ...install.overlayNotes,
    {
      kind: 'todo',
      text: `Download install_asm ${install.asmVersion}, check its checksum, review its options, then run it as shown`,
      commands: [
        { argv: ['curl', '-fsSLo', 'install_asm', url] },
        { argv: ['curl', '-fsSLo', 'install_asm.sha256', `${url}.sha256`] },
        { argv: ['sha256sum', '-c', '--ignore-missing', 'install_asm.sha256'] },
        { argv: ['chmod', '+x', 'install_asm'] },
        {
          argv: [
            './install_asm',
            '--project_id',
            install.project ?? 'PROJECT_ID',
            '--cluster_name',
            install.cluster ?? 'CLUSTER_NAME',
            '--cluster_location',
            install.location ?? 'CLUSTER_LOCATION',
            '--mode',
            'migrate',
            '--ca',
            'citadel',
            '--enable_apis',
            ...install.overlays.flatMap((file) => ['--custom_overlay', file]),
          ],
        },
      ],
    },
    {
      kind: 'note',
      text: 'Then enable sidecar injection for the asm-* revision and redeploy your workloads (scan again: meshready plans the relabelling and restarts), and run this phase again for the step below.',
    },
  ];
}

/** A step the scan could not plan: only why. */
export function withheldSteps(reason: string): Step[] {
  return [{ kind: 'withhold', reason: `the scan says: ${reason}` }];
}
