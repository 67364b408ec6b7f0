/**
 * The remediation plan: the report's structured fixes arranged as remediate.sh will run them,
 * phase by phase in the guide's order. Pure data; templates/remediate.sh.hbs renders it.
 *
 * Everything here is a value, never shell text: the templates quote every value with `shq`.
 */
import { FIX_ACTIONS, type FixAction, isFixAction } from '../engine/fixes.ts';
import { type Phase, phasesFor } from '../engine/vocabulary.ts';
import { compareGkeVersions, parseGkeVersion } from '../gke/version.ts';
import type { Finding, PhaseStatus, Report, RuleResult } from '../report/model.ts';
import { printable } from './text.ts';

type Params = Record<string, unknown>;

/** One step of the script: a partial under templates/remediate/ and the values it needs. */
export interface ScriptStep {
  /** The partial that renders it (a fix action, or a step the planner adds). */
  readonly partial: string;
  /** The rule ids this step fixes, comma-separated, for display. */
  readonly rules: string;
  /** The resource it fixes, printable (control characters escaped). */
  readonly resource: string;
  readonly params: Params;
  /** A file name for the YAML backup taken before a destructive change (safe characters only). */
  readonly backupFile?: string;
  /** One line for the plan at the top of the script: what the step does, printable. */
  readonly summary: string;
  readonly [extra: string]: unknown;
}

export interface ScriptPhase {
  readonly id: Phase;
  readonly title: string;
  /** The bash function that holds the phase's steps. */
  readonly functionName: string;
  readonly scanStatus: PhaseStatus | 'not-scanned';
  /** The phase a plain `--apply` runs: the scan's first phase that is not done. */
  readonly current: boolean;
  /** Lines shown at the start of the phase: unknown results, suppressed findings, skipped fixes. */
  readonly notes: readonly string[];
  readonly steps: readonly ScriptStep[];
}

export interface ScriptPlan {
  readonly toolVersion: string;
  readonly generatedAt: string;
  readonly target: string;
  readonly verdict: string;
  readonly cluster: { readonly name: string; readonly project: string; readonly location: string };
  /** Printable cluster description for the header. */
  readonly clusterLabel: string;
  /** kubectl contexts that identify the scanned cluster; empty when the scan had no identity. */
  readonly expectedContexts: readonly string[];
  readonly isAsm: boolean;
  /** The scan's current phase (the first not done), '' when every phase is done. */
  readonly currentPhase: Phase | '';
  readonly phases: readonly ScriptPhase[];
  /** Library partials (bash functions) the steps use, each included once. */
  readonly libraries: readonly { readonly partial: string }[];
}

const PHASE_TITLES: Readonly<Record<Phase, string>> = {
  'cluster-upgrade': 'Upgrade the GKE cluster to a version with the Istio 1.6 operator',
  prepare: 'Prepare the 1.4 control plane and the cluster',
  'migrate-namespaces': 'Move namespaces and their workloads to the 1.6 control plane',
  'migrate-gateway': 'Move the ingress gateway to Istio 1.6',
  'retire-old-control-plane': 'Turn off the 1.4 control plane',
  'asm-install': "Install Anthos Service Mesh next to the operator's control plane",
  'asm-migrate-namespaces': 'Move namespaces and their workloads to the Anthos Service Mesh revision',
  'asm-cleanup': "Turn off the operator's control plane (profile empty)",
};

/** Within a phase, the guide's order; actions absent from this list come last. */
const ACTION_ORDER: readonly FixAction[] = [
  'backup-istio-system-crs',
  'gateway-upgrade-outage',
  'upgrade-master',
  'inspect-istiod',
  'inspect-operator',
  'migrate-v1alpha1-policy',
  'restrict-galley-clusterrole',
  'delete-galley-webhook',
  'review-envoyfilter',
  'review-mixer-config',
  'fix-virtualservice-fields',
  'name-service-ports',
  'replace-node-pool',
  'resize-node-pool',
  'enable-workload-identity',
  'open-webhook-port',
  'relabel-namespace',
  'restart-workload',
  'update-gateway-port-refs',
  'enable-operator-gateway',
  'scale-down-old-control-plane',
  'set-operator-profile',
];

/** What each partial does, for the one-line plan at the top of the script. */
const STEP_SUMMARIES: Readonly<Record<string, string>> = {
  'backup-istio-system-crs': 'Back up the custom resources in istio-system',
  'gateway-upgrade-outage': 'Back up the add-on ingress gateway before the master upgrade',
  'upgrade-master': 'Upgrade the GKE master (asks first)',
  'inspect-istiod': 'Check the 1.6 istiod (read-only)',
  'inspect-operator': 'Find out why the IstioOperator is not healthy (TODO)',
  'migrate-v1alpha1-policy': 'Migrate a v1alpha1 security policy (TODO)',
  'restrict-galley-clusterrole': 'Restrict the 1.4 galley ClusterRole to get',
  'delete-galley-webhook': 'Back up and delete the 1.4 galley validating webhook',
  'review-envoyfilter': 'Review an EnvoyFilter (TODO)',
  'review-mixer-config': 'Replace Mixer configuration (TODO)',
  'fix-virtualservice-fields': 'Rewrite VirtualService fields 1.6 rejects (TODO)',
  'name-service-ports': 'Name Service ports (TODO)',
  'replace-node-pool': 'Move workloads to a node pool with 4 vCPUs or more (TODO)',
  'resize-node-pool': 'Grow a node pool (asks first)',
  'enable-workload-identity': 'Enable Workload Identity (asks first)',
  'open-webhook-port': 'Open TCP 15017 from the control plane to the nodes',
  'v1alpha1-gate': 'Stop here while v1alpha1 policies remain',
  'relabel-namespace': 'Relabel the namespace (only once the revision is ready)',
  'restart-workload': 'Restart the workload (only once its namespace selects the revision)',
  'verify-namespace': "Check the namespace's pods (read-only)",
  'update-gateway-port-refs': 'Move an object off the 1.4 gateway ports (TODO)',
  'enable-operator-gateway': 'Enable the 1.6 ingress gateway in the IstioOperator',
  'scale-down-old-control-plane':
    'Back up and scale the 1.4 control plane to 0 (only once no namespace or pod uses it)',
  withheld: 'Withheld by the scan',
  'install-asm': 'Install Anthos Service Mesh with install_asm (TODO)',
  'set-operator-profile': 'Back up and set the IstioOperator profile',
};

/** The run-time checks (lib/checks) and the libraries they use. */
const CHECKS = ['lib/checks', 'lib/namespaces', 'lib/proxies'];

/** The bash function library each partial needs (templates/remediate/lib/*.hbs). */
const LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  'backup-istio-system-crs': ['lib/gke-version'],
  'gateway-upgrade-outage': ['lib/gke-version'],
  'upgrade-master': ['lib/gke-version'],
  'restrict-galley-clusterrole': ['lib/galley'],
  'resize-node-pool': ['lib/node-pools'],
  'enable-workload-identity': ['lib/node-pools'],
  'open-webhook-port': ['lib/firewall'],
  'migrate-v1alpha1-policy': ['lib/v1alpha1'],
  'v1alpha1-gate': ['lib/v1alpha1'],
  'relabel-namespace': [...CHECKS, 'lib/namespaces'],
  'restart-workload': [...CHECKS, 'lib/namespaces'],
  'verify-namespace': ['lib/proxies'],
  'enable-operator-gateway': ['lib/gateway'],
  'scale-down-old-control-plane': [...CHECKS, 'lib/old-control-plane'],
  'set-operator-profile': [...CHECKS, 'lib/operator-profile'],
};

interface FixedFinding {
  /** Position in the report (catalogue order), to list rules in that order. */
  readonly order: number;
  readonly result: RuleResult;
  readonly finding: Finding;
  /** The finding's own phase (a rule spanning two phases sets it), else its rule's. */
  readonly phase: Phase;
  readonly action: FixAction;
  readonly params: Params;
}

function describeResource(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return printable(namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`);
}

/** A file name made only of safe characters; the step number keeps names unique. */
function backupName(sequence: number, ...parts: readonly (string | undefined)[]): string {
  const words = parts
    .filter((part): part is string => part !== undefined && part !== '')
    .map((part) => part.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_'));
  return `${String(sequence).padStart(2, '0')}-${words.join('-')}`.slice(0, 120).concat('.yaml');
}

function text(params: Params, key: string): string {
  const value = params[key];
  return value === undefined ? '' : String(value);
}
function list(params: Params, key: string): string[] {
  const value = params[key];
  return Array.isArray(value) ? value.map(String) : [];
}

/** gcloud's `--location L --project P` when known. */
function gcloudScope(params: Params): string[] {
  const scope: string[] = [];
  if (text(params, 'location')) scope.push('--location', text(params, 'location'));
  if (text(params, 'project')) scope.push('--project', text(params, 'project'));
  return scope;
}

class PlanBuilder {
  private backups = 0;
  readonly libraries = new Set<string>();

  step(
    partial: string,
    rules: readonly string[],
    resource: string,
    params: Params,
    extra: Params = {},
  ): ScriptStep {
    for (const library of LIBRARIES[partial] ?? []) this.libraries.add(library);
    const summary = printable(String(extra.summary ?? STEP_SUMMARIES[partial] ?? partial));
    return { partial, rules: [...new Set(rules)].join(', '), resource, params, ...extra, summary };
  }

  backup(...parts: readonly (string | undefined)[]): string {
    this.backups += 1;
    return backupName(this.backups, ...parts);
  }
}

function fixedFindings(results: readonly RuleResult[], notes: Map<Phase, string[]>): FixedFinding[] {
  const fixed: FixedFinding[] = [];
  for (const result of results) {
    for (const finding of result.findings) {
      const phase = finding.phase ?? result.phase;
      let phaseNotes = notes.get(phase);
      if (!phaseNotes) {
        phaseNotes = [];
        notes.set(phase, phaseNotes);
      }
      if (finding.suppressed) {
        phaseNotes?.push(
          `Suppressed, so not handled here: ${result.ruleId} ${describeResource(finding)} (${printable(finding.suppressed.reason)}).`,
        );
        continue;
      }
      if (!finding.fix) continue;
      const { action } = finding.fix;
      const parsed = isFixAction(action) ? FIX_ACTIONS[action].safeParse(finding.fix.params) : undefined;
      if (!parsed?.success || !isFixAction(action)) {
        phaseNotes?.push(
          `No script step for ${result.ruleId} ${describeResource(finding)} (fix "${printable(action)}" is ` +
            'unknown or malformed in this report): follow the report.',
        );
        continue;
      }
      fixed.push({ order: fixed.length, result, finding, phase, action, params: parsed.data as Params });
    }
  }
  return fixed;
}

/** Identical fixes (e.g. two findings asking to relabel one namespace) become one step. */
function uniqueByFix(items: readonly FixedFinding[]): FixedFinding[][] {
  const groups = new Map<string, FixedFinding[]>();
  for (const item of items) {
    const key = JSON.stringify([item.action, item.params]);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

function rulesOf(group: readonly FixedFinding[]): string[] {
  return [...group].sort((a, b) => a.order - b.order).map((item) => item.result.ruleId);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Back up the custom resources, note the gateway outage, then one upgrade step. The first two
 * only matter while the master is below the version the upgrade step goes to, so they carry it.
 */
function clusterUpgradeSteps(items: readonly FixedFinding[], plan: PlanBuilder): ScriptStep[] {
  // gke-version-istio16 and gke-upgrade-cr-deletion both propose an upgrade: one step, to the
  // highest version proposed (the safe one when they differ).
  const proposals = items.filter(
    (i) => i.action === 'upgrade-master' || i.action === 'backup-istio-system-crs',
  );
  const chosen = proposals.length
    ? proposals.reduce((best, item) => {
        const a = parseGkeVersion(text(best.params, 'version'));
        const b = parseGkeVersion(text(item.params, 'version'));
        return a && b && compareGkeVersions(b, a) > 0 ? item : best;
      })
    : undefined;
  const upgrade = chosen && {
    version: text(chosen.params, 'version'),
    cluster: text(chosen.params, 'cluster'),
    scope: gcloudScope(chosen.params),
  };
  const steps: ScriptStep[] = [];
  for (const group of uniqueByFix(items.filter((i) => i.action === 'backup-istio-system-crs'))) {
    const first = group[0] as FixedFinding;
    const resources = list(first.params, 'resources').map((resource) => ({
      resource,
      backupFile: plan.backup('istio-system', resource),
    }));
    steps.push(
      plan.step('backup-istio-system-crs', rulesOf(group), describeResource(first.finding), first.params, {
        resources,
        objects: list(first.params, 'objects').map(printable),
        upgrade,
      }),
    );
  }
  for (const group of uniqueByFix(items.filter((i) => i.action === 'gateway-upgrade-outage'))) {
    const first = group[0] as FixedFinding;
    steps.push(
      plan.step('gateway-upgrade-outage', rulesOf(group), describeResource(first.finding), first.params, {
        editors: list(first.params, 'editors').map(printable),
        backupFile: plan.backup('deployment', text(first.params, 'namespace'), text(first.params, 'name')),
        upgrade,
      }),
    );
  }
  if (chosen && upgrade) {
    steps.push(
      plan.step('upgrade-master', rulesOf(proposals), describeResource(chosen.finding), chosen.params, {
        scope: upgrade.scope,
        outage: items.some((i) => i.action === 'gateway-upgrade-outage'),
      }),
    );
  }
  return steps;
}

function prepareStep(group: readonly FixedFinding[], plan: PlanBuilder): ScriptStep {
  const first = group[0] as FixedFinding;
  const { params } = first;
  const rules = rulesOf(group);
  const resource = describeResource(first.finding);
  switch (first.action) {
    case 'restrict-galley-clusterrole':
      return plan.step(first.action, rules, resource, params, {
        backupFile: plan.backup('clusterrole', text(params, 'name')),
      });
    case 'delete-galley-webhook':
      return plan.step(first.action, rules, resource, params, {
        backupFile: plan.backup('validatingwebhookconfiguration', text(params, 'name')),
      });
    case 'name-service-ports':
      return plan.step(first.action, rules, resource, params, {
        ports: list(params, 'ports').map(printable),
        suggestions: list(params, 'suggestions').map(printable),
        patches: list(params, 'patches').flatMap((pair) => {
          const match = /^(\d+)=(.+)$/s.exec(pair);
          if (!match) return [];
          const [, index, name] = match as unknown as [string, string, string];
          // Built with JSON.stringify, never by pasting shell text; the template quotes it.
          return [JSON.stringify([{ op: 'add', path: `/spec/ports/${index}/name`, value: name }])];
        }),
      });
    case 'replace-node-pool':
      return plan.step(first.action, rules, resource, params, {
        scope: gcloudScope(params),
        // The name the report's commands use; node pool names have at most 40 characters.
        newPool: `${text(params, 'pool').slice(0, 34).replace(/-+$/, '')}-4vcpu`,
      });
    case 'enable-workload-identity':
    case 'resize-node-pool':
      return plan.step(first.action, rules, resource, params, { scope: gcloudScope(params) });
    case 'open-webhook-port':
      return plan.step(first.action, rules, resource, params, {
        firewallProject: text(params, 'project'),
        existingRule: text(params, 'rule'),
        allowedList: list(params, 'allowed').join(','),
        targetTagList: list(params, 'targetTags').join(','),
      });
    case 'enable-operator-gateway':
      return plan.step(first.action, rules, resource, params, {
        backupFile: plan.backup('istiooperator', text(params, 'operator')),
      });
    case 'update-gateway-port-refs':
      return plan.step(first.action, rules, resource, params, {
        replacements: list(params, 'replacements').map(printable),
        firewall: text(params, 'kind') === 'Firewall',
        allowList: list(params, 'allow').join(','),
      });
    case 'migrate-v1alpha1-policy': {
      const converted = list(params, 'converted').flatMap(convertedObject);
      // Only a converted policy is backed up and deleted; the others stay instructions.
      if (converted.length === 0) return plan.step(first.action, rules, resource, params, {});
      return plan.step(first.action, rules, resource, params, {
        backupFile: plan.backup(
          text(params, 'kind').toLowerCase(),
          text(params, 'namespace'),
          text(params, 'name'),
        ),
        converted,
        summary: 'Apply the converted v1beta1 policy, then back up and delete the v1alpha1 one',
      });
    }
    case 'fix-virtualservice-fields':
      return plan.step(first.action, rules, resource, params, {
        fields: list(params, 'fields').map(printable),
      });
    default:
      return plan.step(first.action, rules, resource, params, {
        revisions: list(params, 'revisions').map(printable),
        statusText: printable(text(params, 'status') || 'no status'),
      });
  }
}

const V1BETA1_RESOURCES: Readonly<Record<string, string>> = {
  AuthorizationPolicy: 'authorizationpolicies.security.istio.io',
  PeerAuthentication: 'peerauthentications.security.istio.io',
  RequestAuthentication: 'requestauthentications.security.istio.io',
};

/** "Kind namespace/name" of an object `meshready convert` wrote, as the script's kubectl arguments. */
function convertedObject(described: string): { resource: string; namespace: string; name: string }[] {
  const match = /^(\w+) ([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(described);
  const resource = match ? V1BETA1_RESOURCES[match[1] as string] : undefined;
  return match && resource ? [{ resource, namespace: match[2] as string, name: match[3] as string }] : [];
}

const RESTART_TYPES: Readonly<Record<string, string>> = {
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
};

/**
 * Per namespace: relabel, restart its workloads, verify (guide steps 2-5, repeated). First a
 * gate: the v1alpha1 policies the prepare phase asked to migrate must be gone (`everything` is
 * every fixed finding of the report, since those belong to the prepare phase).
 */
function migrateNamespacesSteps(
  phase: Phase,
  items: readonly FixedFinding[],
  everything: readonly FixedFinding[],
  plan: PlanBuilder,
): ScriptStep[] {
  const steps: ScriptStep[] = [];
  // The revision a restart must find its namespace on: the one this phase relabels to, or any
  // asm-* one (asm-migrate-namespaces), or any ready one (migrate-namespaces).
  const revisions = new Set(
    items.filter((i) => i.action === 'relabel-namespace').map((i) => text(i.params, 'revision')),
  );
  const [onlyRevision] = revisions;
  const targetRevision =
    revisions.size === 1 && onlyRevision ? onlyRevision : phase === 'asm-migrate-namespaces' ? 'asm-*' : '*';
  const policies = everything.filter((i) => i.action === 'migrate-v1alpha1-policy');
  const moves = items.some((i) => i.action === 'relabel-namespace' || i.action === 'restart-workload');
  if (policies.length > 0 && moves) {
    steps.push(
      plan.step(
        'v1alpha1-gate',
        ['v1alpha1-security-policy'],
        `${policies.length} v1alpha1 polic${policies.length === 1 ? 'y' : 'ies'}`,
        {},
        {
          policies: policies.map((p) => ({
            resource: text(p.params, 'resource'),
            name: text(p.params, 'name'),
            namespace: text(p.params, 'namespace'),
          })),
        },
      ),
    );
  }
  const namespaces = new Map<string, { relabel: FixedFinding[][]; restarts: FixedFinding[][] }>();
  const entry = (namespace: string) => {
    let found = namespaces.get(namespace);
    if (!found) {
      found = { relabel: [], restarts: [] };
      namespaces.set(namespace, found);
    }
    return found;
  };
  for (const group of uniqueByFix(items.filter((i) => i.action === 'relabel-namespace'))) {
    entry(text((group[0] as FixedFinding).params, 'namespace')).relabel.push(group);
  }
  for (const group of uniqueByFix(items.filter((i) => i.action === 'restart-workload'))) {
    entry(text((group[0] as FixedFinding).params, 'namespace')).restarts.push(group);
  }
  for (const namespace of [...namespaces.keys()].sort(compareText)) {
    const { relabel, restarts } = namespaces.get(namespace) as {
      relabel: FixedFinding[][];
      restarts: FixedFinding[][];
    };
    for (const group of relabel) {
      const first = group[0] as FixedFinding;
      steps.push(
        plan.step('relabel-namespace', rulesOf(group), describeResource(first.finding), first.params),
      );
    }
    const workloads: { type: string; name: string }[] = [];
    const restartRules: string[] = [];
    for (const group of restarts) {
      const first = group[0] as FixedFinding;
      const type = RESTART_TYPES[text(first.params, 'kind')];
      if (type) workloads.push({ type, name: text(first.params, 'name') });
      restartRules.push(...rulesOf(group));
      steps.push(
        plan.step('restart-workload', rulesOf(group), describeResource(first.finding), first.params, {
          type,
          barePod: type === undefined,
          targetRevision,
        }),
      );
    }
    // Nothing to verify when the namespace could only get an instruction (no revision known).
    const relabelled = relabel.some((group) => text((group[0] as FixedFinding).params, 'revision') !== '');
    if (restarts.length > 0 || relabelled) {
      const rules = [...rulesOf(relabel.flat()), ...restartRules];
      steps.push(
        plan.step(
          'verify-namespace',
          rules,
          printable(`Namespace ${namespace}`),
          { namespace },
          { workloads },
        ),
      );
    }
  }
  return steps;
}

function retireSteps(
  items: readonly FixedFinding[],
  results: readonly RuleResult[],
  plan: PlanBuilder,
): ScriptStep[] {
  const scaleDown = items.filter((i) => i.action === 'scale-down-old-control-plane');
  if (scaleDown.length > 0) {
    const deployments = [...new Set(scaleDown.flatMap((i) => list(i.params, 'deployments')))];
    return [
      plan.step(
        'scale-down-old-control-plane',
        rulesOf(scaleDown),
        printable(`Deployments istio-system/${deployments.join(',')}`),
        { deployments },
        { backupFile: plan.backup('istio-system', 'old-control-plane-deployments') },
      ),
    ];
  }
  const result = results.find((r) => r.ruleId === 'old-control-plane-scaledown');
  if (result && (result.status === 'not-applicable' || result.status === 'unknown')) {
    return [
      plan.step(
        'withheld',
        [result.ruleId],
        'Deployments istio-system/istio-*',
        {},
        {
          what: 'Scale the 1.4 control plane down to 0 replicas',
          reason: printable(result.reason ?? result.status),
        },
      ),
    ];
  }
  return [];
}

function operatorProfileStep(
  group: readonly FixedFinding[],
  profile: 'disabled' | 'empty',
  plan: PlanBuilder,
): ScriptStep {
  const first = group[0] as FixedFinding;
  const operator = text(first.params, 'operator');
  return plan.step(
    'set-operator-profile',
    rulesOf(group),
    describeResource(first.finding),
    { operator, profile },
    {
      emptyProfile: profile === 'empty',
      backupFile: plan.backup('istiooperator', operator, profile),
      summary: `Back up and set the IstioOperator profile to ${profile}${profile === 'empty' ? ' (only once no namespace or pod uses its revision)' : ''}`,
    },
  );
}

function profileGroups(items: readonly FixedFinding[], profile: 'disabled' | 'empty'): FixedFinding[][] {
  return uniqueByFix(
    items.filter((i) => i.action === 'set-operator-profile' && text(i.params, 'profile') === profile),
  );
}

/**
 * The operator disabled, then install_asm (a TODO). The install is left out once the scan found
 * this phase done. An `empty` profile found here (a report from before asm-cleanup existed) stays
 * here: the step checks the cluster itself before it changes anything.
 */
function asmInstallSteps(
  items: readonly FixedFinding[],
  report: Report,
  scanStatus: PhaseStatus | 'not-scanned',
  plan: PlanBuilder,
): ScriptStep[] {
  const disabled = profileGroups(items, 'disabled');
  const steps = disabled.map((group) => operatorProfileStep(group, 'disabled', plan));
  // Port references to the gateway move with the install, which replaces the gateway.
  const others = items.filter(
    (i) => i.action !== 'set-operator-profile' && i.action !== 'write-custom-overlay',
  );
  for (const group of uniqueByFix(others)) steps.push(prepareStep(group, plan));
  if (scanStatus !== 'done') {
    const { name, project, location } = report.cluster;
    const version = report.target === 'asm-1.6' ? '1.6' : '1.7';
    const overlayGroups = uniqueByFix(items.filter((i) => i.action === 'write-custom-overlay'));
    const installRules = [...disabled.flat(), ...overlayGroups.flat()];
    steps.push(
      plan.step(
        'install-asm',
        installRules.length > 0 ? rulesOf(installRules) : ['asm-install'],
        printable(`GKE cluster ${name ?? '(unknown)'}`),
        {},
        {
          asmVersion: version,
          scriptUrl: `https://storage.googleapis.com/csm-artifacts/asm/install_asm_${version}`,
          project: project ?? 'PROJECT_ID',
          cluster: name ?? 'CLUSTER_NAME',
          location: location ?? 'CLUSTER_LOCATION',
          identityMissing: !(name && project && location),
          overlays: overlayGroups.map((group) => text((group[0] as FixedFinding).params, 'file')),
        },
      ),
    );
  }
  for (const group of profileGroups(items, 'empty')) steps.push(operatorProfileStep(group, 'empty', plan));
  return steps;
}

/**
 * The operator's profile set to empty (the guide's last step). When the scan asked for no `empty`
 * anywhere yet, the operators it asked to disable get this step too, as what comes after.
 */
function asmCleanupSteps(
  items: readonly FixedFinding[],
  everything: readonly FixedFinding[],
  plan: PlanBuilder,
): ScriptStep[] {
  const empty = profileGroups(items, 'empty');
  const groups =
    empty.length > 0 || profileGroups(everything, 'empty').length > 0
      ? empty
      : profileGroups(everything, 'disabled');
  return groups.map((group) => operatorProfileStep(group, 'empty', plan));
}

function phaseNotesFor(results: readonly RuleResult[]): Map<Phase, string[]> {
  const notes = new Map<Phase, string[]>();
  for (const result of results) {
    const phaseNotes = notes.get(result.phase) ?? [];
    notes.set(result.phase, phaseNotes);
    if (result.status === 'unknown') {
      phaseNotes.push(
        `Not checked by the scan: ${result.ruleId} (${printable(result.reason ?? 'unknown')}).`,
      );
    }
  }
  return notes;
}

function actionRank(action: string): number {
  const index = ACTION_ORDER.indexOf(action as FixAction);
  return index < 0 ? ACTION_ORDER.length : index;
}

/** Kubernetes contexts that name the scanned cluster: the recorded one and gcloud's default name. */
function expectedContexts(cluster: Report['cluster']): string[] {
  const contexts: string[] = [];
  if (cluster.context) contexts.push(cluster.context);
  if (cluster.project && cluster.location && cluster.name) {
    contexts.push(`gke_${cluster.project}_${cluster.location}_${cluster.name}`);
  }
  return [...new Set(contexts)];
}

export function planRemediation(report: Report): ScriptPlan {
  const plan = new PlanBuilder();
  const notes = phaseNotesFor(report.results);
  const fixed = fixedFindings(report.results, notes);
  const statusOf = (phase: Phase) => report.phases.find((p) => p.id === phase)?.status ?? 'not-scanned';
  const currentPhase = phasesFor(report.target).find((phase) => statusOf(phase) !== 'done') ?? '';
  const phases = phasesFor(report.target).map((phase): ScriptPhase => {
    const scanStatus = statusOf(phase);
    const items = fixed
      .filter((item) => item.phase === phase)
      .map((item, index) => ({ item, index }))
      .sort((a, b) => actionRank(a.item.action) - actionRank(b.item.action) || a.index - b.index)
      .map(({ item }) => item);
    let steps: ScriptStep[];
    switch (phase) {
      case 'cluster-upgrade':
        steps = clusterUpgradeSteps(items, plan);
        break;
      case 'migrate-namespaces':
      case 'asm-migrate-namespaces':
        steps = migrateNamespacesSteps(phase, items, fixed, plan);
        break;
      case 'retire-old-control-plane':
        steps = retireSteps(items, report.results, plan);
        break;
      case 'asm-install':
        steps = asmInstallSteps(items, report, scanStatus, plan);
        break;
      case 'asm-cleanup':
        steps = asmCleanupSteps(items, fixed, plan);
        break;
      default:
        steps = uniqueByFix(items).map((group) => prepareStep(group, plan));
    }
    const phaseNotes = [...(notes.get(phase) ?? [])];
    if (scanStatus === 'blocked') {
      phaseNotes.unshift(
        'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the ' +
          'earlier phases, then rescan and use the new remediate.sh.',
      );
    }
    return {
      id: phase,
      title: PHASE_TITLES[phase],
      functionName: `phase_${phase.replaceAll('-', '_')}`,
      scanStatus,
      current: phase === currentPhase,
      notes: phaseNotes,
      steps,
    };
  });
  const { name, project, location } = report.cluster;
  return {
    toolVersion: report.tool.version,
    generatedAt: report.generatedAt,
    target: report.target,
    verdict: report.verdict,
    cluster: { name: name ?? '', project: project ?? '', location: location ?? '' },
    clusterLabel: printable(
      name ? `${name} (project ${project ?? 'unknown'}, location ${location ?? 'unknown'})` : 'unknown',
    ),
    expectedContexts: expectedContexts(report.cluster),
    isAsm: report.target !== 'istio-1.6',
    currentPhase,
    phases,
    libraries: [...plan.libraries].sort().map((partial) => ({ partial })),
  };
}
