/**
 * planRemediation (src/remediate/plan.ts) on small reports, each built for one decision of the
 * planner: which upgrade it keeps, how namespace moves are ordered and gated, when the scale-down
 * is withheld, when install_asm is planned, where the `empty` profile goes, and the phase notes.
 * Each plan is compared whole, as an outline: a line per step and a line per step of its.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, PhaseStatus, Report, RuleResult } from '../../src/engine/report-model.ts';
import { type Phase, phasesFor, type Target } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { planAlike, planRemediation, type RemediationPlan } from '../../src/remediate/plan.ts';
import type { Step } from '../../src/remediate/step.ts';
import { finding, report, result } from './reports.ts';

/** A step of a planned step as one line. */
function stepText(s: Step<string>): string {
  switch (s.kind) {
    case 'check':
    case 'run':
      return `${s.kind} ${s.argv.join(' ')}`;
    case 'backup':
      return `backup ${s.argv.join(' ')} > ${s.file}`;
    case 'note':
    case 'comment':
      return `${s.kind} ${s.text}`;
    case 'todo':
      return [
        `todo ${s.text}`,
        ...s.commands.map((c) => `    $ ${c.argv.join(' ')}${c.for ? ` (for ${c.for.join(',')})` : ''}`),
      ].join('\n');
    case 'withhold-unless':
      return `${s.kind} ${s.check}(${s.args.join(' ')}) ${s.says}`;
    case 'done-unless':
      return `${s.kind} ${s.check}(${s.args.join(' ')})`;
    case 'halt-phase-unless':
      return `${s.kind} ${s.check}(${s.args.join(' ')}) ${s.reason}`;
    case 'confirm':
      return `${s.kind} ${s.impact}`;
    case 'stop-after-phase':
    case 'withhold':
      return `${s.kind} ${s.reason}`;
    case 'call':
      return `call ${s.fn} ${s.args.join(' ')}`;
  }
}

/** The phases with steps or notes: `action | rules | resource | title | summary | findings`, then its steps. */
function outline(plan: RemediationPlan, phase?: Phase) {
  return plan.phases
    .filter((p) => (phase ? p.id === phase : p.steps.length > 0 || p.notes.length > 0))
    .map((p) => ({
      id: p.id,
      status: p.scanStatus,
      current: p.current,
      notes: p.notes,
      steps: p.steps.map((s) => [
        `${s.action} | ${s.rules.join(',')} | ${s.resource} | ${s.title} | ${s.summary} | ${s.findings.length}`,
        ...s.steps.map((line) => `  ${stepText(line)}`),
      ]),
    }));
}

/** Phase statuses: `todo` where given, else done. */
function statuses(target: Target, given: Partial<Record<Phase, PhaseStatus>>) {
  return phasesFor(target).map((id) => ({ id, status: given[id] ?? 'done', rules: [] }));
}

const CLUSTER_WITHOUT_LOCATION = { name: 'demo', project: 'acme-prod' };
const SCOPE = { cluster: 'demo', location: 'europe-west1-b', project: 'acme-prod' };
const GKE = { apiVersion: 'container.googleapis.com/v1beta1', kind: 'Cluster', name: 'demo' };
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', name });
const OPERATOR = {
  apiVersion: 'install.istio.io/v1alpha1',
  kind: 'IstioOperator',
  namespace: 'istio-system',
  name: 'istio-1-6-11-gke-0',
};
const VERIFY = (ns: string) => [
  `  call wait_for_rollouts ${ns}`,
  `  check kubectl get pods -n ${ns}`,
  `  check kubectl get pods -n ${ns} -o jsonpath={range .items[*]}{.metadata.name}{"\\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\\n"}{end}`,
  '  note Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).',
];
const VERIFY_TITLE =
  "Check that the pods came back with the new proxy (guide: migrating namespaces, steps 4-5) | Check the namespace's pods (read-only) | 0";
const RELABEL_TITLE =
  'Point the namespace at the new control plane (guide: migrating namespaces, step 2) | Relabel the namespace (only once the revision is ready)';
const GATE_REASON =
  'v1alpha1 policies found by the scan have no v1beta1 replacement in the cluster yet: apply them first (phase prepare), or the moved workloads lose the security they express. Stopping this phase.';

function policy(name: string, ns: string): Finding {
  return finding({
    resource: { apiVersion: 'authentication.istio.io/v1alpha1', kind: 'Policy', namespace: ns, name },
    fix: fix('migrate-v1alpha1-policy', {
      kind: 'Policy',
      resource: 'policies.authentication.istio.io',
      replacement: 'PeerAuthentication',
      name,
      namespace: ns,
    }),
  });
}

function relabel(ns: string, revision: string): Finding {
  return finding({ resource: namespace(ns), fix: fix('relabel-namespace', { namespace: ns, revision }) });
}

function restart(ns: string, name: string): Finding {
  return finding({
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name },
    fix: fix('restart-workload', { kind: 'Deployment', namespace: ns, name, pods: 2 }),
  });
}

function servicePorts(ns: string, name: string): Finding {
  return finding({
    resource: { apiVersion: 'v1', kind: 'Service', namespace: ns, name },
    fix: fix('name-service-ports', {
      namespace: ns,
      name,
      ports: ['80/TCP (unnamed)'],
      suggestions: [],
      patches: [],
    }),
  });
}

/** ingress-gateway-upgrade-disruption's finding: the add-on gateway is down during the upgrade. */
function gatewayOutage(): Finding {
  return finding({
    resource: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'istio-system',
      name: 'istio-ingressgateway',
    },
    fix: fix('gateway-upgrade-outage', {
      namespace: 'istio-system',
      name: 'istio-ingressgateway',
      editors: [],
    }),
  });
}

function scaleDownRule(status: RuleResult['status'], reason?: string, findings: Finding[] = []): RuleResult {
  return result('old-control-plane-scaledown', 'retire-old-control-plane', findings, {
    status,
    ...(reason ? { reason } : {}),
  });
}

const pilotScaleDown = () =>
  finding({
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name: 'istio-pilot' },
    fix: fix('scale-down-old-control-plane', { deployments: ['istio-pilot'] }),
  });

const profile = (kind: 'disabled' | 'empty', asmRevision?: string) =>
  finding({
    resource: OPERATOR,
    fix: fix('set-operator-profile', {
      operator: 'istio-1-6-11-gke-0',
      profile: kind,
      ...(asmRevision ? { asmRevision } : {}),
    }),
  });

describe('planRemediation', () => {
  it('upgrades once, to the highest version proposed, with that proposal’s scope, and backs up below it', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('gke-version-istio16', 'cluster-upgrade', [
          finding({
            resource: GKE,
            fix: fix('upgrade-master', {
              cluster: 'demo',
              version: '1.17.17-gke.100',
              from: '1.16.15-gke.4300',
            }),
          }),
        ]),
        result('gke-upgrade-cr-deletion', 'cluster-upgrade', [
          finding({
            resource: { ...GKE, name: 'other' },
            fix: fix('backup-istio-system-crs', {
              ...SCOPE,
              version: '1.17.12-gke.1501',
              resources: ['gateways.networking.istio.io'],
              objects: ['Gateway/public-gw'],
            }),
          }),
        ]),
      ]),
    );
    expect(plan.currentPhase).toBe('cluster-upgrade');
    expect(outline(plan)).toEqual([
      {
        id: 'cluster-upgrade',
        status: 'todo',
        current: true,
        notes: [],
        steps: [
          [
            'backup-istio-system-crs | gke-upgrade-cr-deletion | Cluster other | Back up the custom resources in istio-system before the master upgrade | Back up the custom resources in istio-system | 1',
            '  comment Upgrading a 1.16 master to 1.17 before 1.17.12-gke.1501, or to 1.18 before 1.18.9-gke.1501,',
            '  comment deletes the custom resources created in istio-system. The scan found:',
            '  comment   Gateway/public-gw',
            '  done-unless master-below(1.17.17-gke.100 demo)',
            '  note Keep these copies: an upgrade to an affected version deletes custom resources in istio-system.',
            '  backup kubectl get gateways.networking.istio.io -n istio-system -o yaml > istio-system-gateways.networking.istio.io.yaml',
            '  call backup_namespaced_custom_resources istio-system-every-namespaced-kind.yaml',
          ],
          [
            'upgrade-master | gke-version-istio16,gke-upgrade-cr-deletion | Cluster demo | Upgrade the GKE master to 1.17.17-gke.100 (guide, step 1) | Upgrade the GKE master (asks first) | 2',
            '  done-unless master-below(1.17.17-gke.100 demo)',
            '  confirm Upgrades the control plane of cluster demo to 1.17.17-gke.100: the Kubernetes API of a zonal cluster is unavailable for several minutes. Istio 1.6 (operator and istiod) is then installed beside 1.4; node pools are not upgraded by this command.',
            '  run gcloud container clusters upgrade demo --master --cluster-version 1.17.17-gke.100 --quiet',
            '  stop-after-phase the master was upgraded, so the rest of this script was planned for a cluster that no longer exists: scan again and use the new remediate.sh',
            '  check kubectl get pods -n istio-system',
            '  note After the upgrade an istiod-<revision> pod runs beside the 1.4 components (guide, step 2).',
          ],
        ],
      },
    ]);
  });

  it('takes the scope of the proposal it keeps, and names the gateway outage in the upgrade’s impact', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('gke-version-istio16', 'cluster-upgrade', [
          finding({
            resource: GKE,
            fix: fix('upgrade-master', {
              cluster: 'demo',
              version: '1.17.9-gke.6300',
              from: '1.16.15-gke.4300',
            }),
          }),
        ]),
        result('gke-upgrade-cr-deletion', 'cluster-upgrade', [
          finding({
            resource: GKE,
            fix: fix('backup-istio-system-crs', {
              ...SCOPE,
              version: '1.17.12-gke.1501',
              resources: [],
              objects: [],
            }),
          }),
        ]),
        result('ingress-gateway-upgrade-disruption', 'cluster-upgrade', [gatewayOutage()]),
      ]),
    );
    const [upgrade] = outline(plan).flatMap((p) => p.steps.filter((s) => s[0]?.startsWith('upgrade-master')));
    expect(upgrade?.slice(0, 4)).toEqual([
      'upgrade-master | gke-version-istio16,gke-upgrade-cr-deletion | Cluster demo | Upgrade the GKE master to 1.17.12-gke.1501 (guide, step 1) | Upgrade the GKE master (asks first) | 2',
      '  done-unless master-below(1.17.12-gke.1501 demo --location europe-west1-b --project acme-prod)',
      '  confirm Upgrades the control plane of cluster demo to 1.17.12-gke.1501: the Kubernetes API of a zonal cluster is unavailable for several minutes, the add-on ingress gateway is down for about 5 minutes and loses edits made to its Deployment (see the step above). Istio 1.6 (operator and istiod) is then installed beside 1.4; node pools are not upgraded by this command.',
      '  run gcloud container clusters upgrade demo --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-prod --quiet',
    ]);
  });

  it('plans no upgrade step without a proposal', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('ingress-gateway-upgrade-disruption', 'cluster-upgrade', [gatewayOutage()]),
      ]),
    );
    expect(outline(plan)[0]?.steps.map((s) => s[0]?.split(' | ')[0])).toEqual(['gateway-upgrade-outage']);
  });

  it('moves namespaces in name order behind one gate for every v1alpha1 policy, each verified unless only an instruction', () => {
    const plan = planRemediation(
      report('asm-1.7', [
        result('v1alpha1-security-policy', 'prepare', [
          policy('default', 'shop'),
          policy('default', 'shop'),
          finding({
            resource: {
              apiVersion: 'rbac.istio.io/v1alpha1',
              kind: 'ServiceRoleBinding',
              namespace: 'web',
              name: 'readers',
            },
            fix: fix('delete-v1alpha1-policy', {
              kind: 'ServiceRoleBinding',
              resource: 'servicerolebindings.rbac.istio.io',
              name: 'readers',
              namespace: 'web',
              converted: ['AuthorizationPolicy web/readers'],
            }),
          }),
        ]),
        result('namespace-injection-labels', 'asm-migrate-namespaces', [
          relabel('b', 'asm-171-6'),
          relabel('a', 'asm-171-7'),
          relabel('y', ''),
          relabel('x', ''),
        ]),
        result('sidecar-proxy-version', 'asm-migrate-namespaces', [restart('c', 'web')]),
      ]),
    );
    expect(outline(plan, 'asm-migrate-namespaces')[0]?.steps).toEqual([
      [
        'v1beta1-gate | v1alpha1-security-policy | 3 v1alpha1 policies | Check that each v1alpha1 policy has its v1beta1 replacement before workloads move to new proxies | Stop here while a v1beta1 replacement is missing | 0',
        `  halt-phase-unless v1beta1-replacements-exist(by-hand policies.authentication.istio.io shop default object authorizationpolicies.security.istio.io web readers) ${GATE_REASON}`,
      ],
      [
        `relabel-namespace | namespace-injection-labels | Namespace a | ${RELABEL_TITLE} | 1`,
        '  call relabel_namespace a asm-171-7',
      ],
      [`verify-namespace | namespace-injection-labels | Namespace a | ${VERIFY_TITLE}`, ...VERIFY('a')],
      [
        `relabel-namespace | namespace-injection-labels | Namespace b | ${RELABEL_TITLE} | 1`,
        '  call relabel_namespace b asm-171-6',
      ],
      [`verify-namespace | namespace-injection-labels | Namespace b | ${VERIFY_TITLE}`, ...VERIFY('b')],
      [
        'restart-workload | sidecar-proxy-version | Deployment c/web | Restart them so that their pods get the new proxy (guide: migrating namespaces, step 3) | Restart workloads (only once their namespace selects the revision) | 1',
        '  comment   Deployment web: 2 pod(s) on an older proxy',
        // Two revisions planned: a restart waits for any ready asm-* revision.
        '  withhold-unless namespace-selects-revision(c asm-*) namespace c selects a ready revision asm-* (else a restart brings back the same proxy)',
        '  call restart_workloads deployment c web',
      ],
      [`verify-namespace | sidecar-proxy-version | Namespace c | ${VERIFY_TITLE}`, ...VERIFY('c')],
      [
        'relabel-namespace | namespace-injection-labels | 2 Namespaces | Point the namespaces at the new control plane, once it runs (guide: migrating namespaces, step 2) | Relabel the namespace (only once the revision is ready) | 2',
        '  comment No ready istiod revision existed when the scan was taken: there is no revision to label with.',
        [
          '  todo Once a 1.6 istiod runs, find its revision and relabel these 2 namespaces with it (or scan again)',
          '    $ kubectl -n istio-system get pods -l app=istiod --show-labels',
          '    $ kubectl label namespace y istio-injection- istio.io/rev=REVISION --overwrite (for 0)',
          '    $ kubectl label namespace x istio-injection- istio.io/rev=REVISION --overwrite (for 1)',
        ].join('\n'),
      ],
    ]);
    // The Istio phase moves nothing: no gate there.
    expect(outline(plan, 'migrate-namespaces')[0]?.steps).toEqual([]);
  });

  it('restarts for the one revision planned, and verifies a namespace once after its relabelling and restarts', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('v1alpha1-security-policy', 'prepare', [policy('default', 'shop')]),
        result('namespace-injection-labels', 'migrate-namespaces', [relabel('b', 'istio-1611')]),
        result('sidecar-proxy-version', 'migrate-namespaces', [restart('b', 'web')]),
      ]),
    );
    expect(outline(plan, 'migrate-namespaces')[0]?.steps).toEqual([
      [
        'v1beta1-gate | v1alpha1-security-policy | 1 v1alpha1 policy | Check that each v1alpha1 policy has its v1beta1 replacement before workloads move to new proxies | Stop here while a v1beta1 replacement is missing | 0',
        `  halt-phase-unless v1beta1-replacements-exist(by-hand policies.authentication.istio.io shop default) ${GATE_REASON}`,
      ],
      [
        `relabel-namespace | namespace-injection-labels | Namespace b | ${RELABEL_TITLE} | 1`,
        '  call relabel_namespace b istio-1611',
      ],
      [
        'restart-workload | sidecar-proxy-version | Deployment b/web | Restart them so that their pods get the new proxy (guide: migrating namespaces, step 3) | Restart workloads (only once their namespace selects the revision) | 1',
        '  comment   Deployment web: 2 pod(s) on an older proxy',
        '  withhold-unless namespace-selects-revision(b istio-1611) namespace b selects a ready revision istio-1611 (else a restart brings back the same proxy)',
        '  call restart_workloads deployment b web',
      ],
      [
        `verify-namespace | namespace-injection-labels,sidecar-proxy-version | Namespace b | ${VERIFY_TITLE}`,
        ...VERIFY('b'),
      ],
    ]);
  });

  it('restarts for any revision (`*`) when the Istio phase plans several', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('namespace-injection-labels', 'migrate-namespaces', [
          relabel('a', 'istio-1611'),
          relabel('b', 'istio-1612'),
        ]),
        result('sidecar-proxy-version', 'migrate-namespaces', [restart('a', 'web')]),
      ]),
    );
    expect(outline(plan, 'migrate-namespaces')[0]?.steps.flat()).toContain(
      '  withhold-unless namespace-selects-revision(a *) namespace a selects a ready revision * (else a restart brings back the same proxy)',
    );
  });

  it('withholds the scale-down with the scan’s reason, or its status, only when it planned none and was not applicable or unknown', () => {
    const withheld = (reason: string) => [
      'withheld | old-control-plane-scaledown | Deployments istio-system/istio-* | Scale the 1.4 control plane down to 0 replicas | Withheld by the scan | 0',
      `  withhold the scan says: ${reason}`,
    ];
    const retire = (rule: RuleResult) =>
      outline(planRemediation(report('istio-1.6', [rule])), 'retire-old-control-plane')[0];
    expect(retire(scaleDownRule('not-applicable', 'no 1.4 control plane runs'))).toEqual({
      id: 'retire-old-control-plane',
      status: 'done',
      current: false,
      notes: [],
      steps: [withheld('no 1.4 control plane runs')],
    });
    expect(retire(scaleDownRule('unknown'))).toEqual({
      id: 'retire-old-control-plane',
      status: 'done',
      current: false,
      notes: ['Not checked by the scan: old-control-plane-scaledown (unknown).'],
      steps: [withheld('unknown')],
    });
    const scaleDown = [
      'scale-down-old-control-plane | old-control-plane-scaledown | Deployments istio-system/istio-pilot | Scale the 1.4 control plane down to 0 replicas (guide: turning off the old control plane) | Back up and scale the 1.4 control plane to 0 (only once no namespace or pod uses it) | 1',
      '  withhold-unless no-namespace-on-old-injector() no namespace selects the 1.4 injector',
      '  withhold-unless no-pod-on-old-proxy() no pod runs a 1.4 proxy (workload or ingress gateway)',
      '  withhold-unless galley-webhook-gone() the 1.4 galley webhook is gone',
      '  call scale_down_old_control_plane istio-system-old-control-plane-deployments.yaml istio-pilot',
    ];
    expect(retire(scaleDownRule('unknown', 'x', [pilotScaleDown()]))?.steps).toEqual([scaleDown]);
    expect(retire(scaleDownRule('fail', undefined, [pilotScaleDown()]))?.steps).toEqual([scaleDown]);
    expect(retire(scaleDownRule('pass'))?.steps).toEqual([]);
    expect(outline(planRemediation(report('istio-1.6', [])), 'retire-old-control-plane')[0]?.steps).toEqual(
      [],
    );
  });

  it('plans install_asm with the target’s version and placeholders when the scan had no cluster identity; notes first that an earlier phase is unfinished', () => {
    const plan = planRemediation(
      report(
        'asm-1.6',
        [result('vpc-sc-mesh-ca', 'asm-install', [], { status: 'unknown' })],
        {},
        statuses('asm-1.6', { prepare: 'todo', 'asm-install': 'blocked' }),
      ),
    );
    expect(plan.currentPhase).toBe('prepare');
    expect(outline(plan, 'asm-install')).toEqual([
      {
        id: 'asm-install',
        status: 'blocked',
        current: false,
        notes: [
          'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.',
          'Not checked by the scan: vpc-sc-mesh-ca (unknown).',
        ],
        steps: [
          [
            'install-asm | asm-install | GKE cluster (unknown) | Migrate to Anthos Service Mesh 1.6 with install_asm (you run it) | Install Anthos Service Mesh with install_asm (TODO) | 0',
            '  done-unless no-asm-istiod-installed()',
            '  halt-phase-unless gateway-ports-ready(  ) the 1.6 gateway listens on 8080/8443 with its status port on 15021: enabling it now would leave traffic or health checks blocked by what is listed above (gateway-port-changes). Add the new ports beside the old ones, then run this phase again. Stopping this phase.',
            '  comment Human decision: install_asm changes the project (APIs, IAM) and the cluster; read its options',
            "  comment first. These are the guide's arguments for an add-on that keeps Citadel as its CA.",
            '  comment Beyond the mesh, install_asm also changes the cluster: it enables Workload Identity, enables',
            '  comment Cloud Operations (--enable-stackdriver-kubernetes), adds the mesh_id label to the cluster, and',
            '  comment creates a cluster-admin ClusterRoleBinding for the account that runs it.',
            '  note The scan did not record the project, cluster and location: replace the placeholders below.',
            [
              '  todo Download install_asm 1.6, check its checksum, review its options, then run it as shown',
              '    $ curl -fsSLo install_asm https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.6',
              '    $ curl -fsSLo install_asm.sha256 https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.6.sha256',
              '    $ sha256sum -c --ignore-missing install_asm.sha256',
              '    $ chmod +x install_asm',
              '    $ ./install_asm --project_id PROJECT_ID --cluster_name CLUSTER_NAME --cluster_location CLUSTER_LOCATION --mode migrate --ca citadel --enable_apis',
            ].join('\n'),
            '  note Then enable sidecar injection for the asm-* revision and redeploy your workloads (scan again: meshready plans the relabelling and restarts), and run this phase again for the step below.',
          ],
        ],
      },
    ]);
    // A blocked phase without steps or other notes still says so.
    expect(outline(plan, 'asm-cleanup')[0]?.notes).toEqual([]);
  });

  it('plans no install_asm once the phase is done, nor once ASM runs (a note says why), and disables the operator first', () => {
    const done = planRemediation(
      report('asm-1.7', [], undefined, statuses('asm-1.7', { 'asm-cleanup': 'todo' })),
    );
    expect(outline(done, 'asm-install')[0]?.steps).toEqual([]);
    const installed = planRemediation(
      report(
        'asm-1.7',
        [result('istio-operator-profile', 'asm-install', [profile('disabled', 'asm-171-6')])],
        undefined,
        statuses('asm-1.7', { 'asm-install': 'todo' }),
      ),
    );
    const disable = [
      'set-operator-profile | istio-operator-profile | IstioOperator istio-system/istio-1-6-11-gke-0 | Disable the operator (profile: disabled) so that it leaves the ASM gateway alone (guide: disabling the operator) | Back up and set the IstioOperator profile to disabled | 1',
      '  call set_operator_profile istio-1-6-11-gke-0 disabled istiooperator-istio-1-6-11-gke-0-disabled.yaml',
    ];
    const empty = [
      'set-operator-profile | istio-operator-profile | IstioOperator istio-system/istio-1-6-11-gke-0 | After the migration: set the IstioOperator profile to empty, so the operator removes what it had installed (guide: after the migration) | Back up and set the IstioOperator profile to empty (only once no namespace or pod uses its revision) | 1',
      '  call set_operator_profile istio-1-6-11-gke-0 empty istiooperator-istio-1-6-11-gke-0-empty.yaml',
    ];
    expect(outline(installed)).toEqual([
      {
        id: 'asm-install',
        status: 'todo',
        current: true,
        notes: [
          "The scan found Anthos Service Mesh installed (revision asm-171-6 is ready): install_asm is not run again (--mode migrate refuses once an ASM control plane runs, --mode upgrade while the operator's istiod runs); the steps below finish what remains against that revision.",
        ],
        steps: [disable],
      },
      // Nothing asked for `empty` yet: the disabled operator gets it after the migration.
      { id: 'asm-cleanup', status: 'done', current: false, notes: [], steps: [empty] },
    ]);
    // An `empty` found in asm-install (a report from before asm-cleanup) stays there, after the install.
    const early = planRemediation(
      report(
        'asm-1.7',
        [result('istio-operator-profile', 'asm-install', [profile('empty')])],
        CLUSTER_WITHOUT_LOCATION,
        statuses('asm-1.7', { 'asm-install': 'todo' }),
      ),
    );
    expect(
      outline(early).map((p) => [p.id, p.steps.map((s) => s[0]?.split(' | ').slice(0, 3).join(' | '))]),
    ).toEqual([
      [
        'asm-install',
        [
          // The `empty` profile is not what install_asm needs: the step has no rule of its own.
          'install-asm | asm-install | GKE cluster demo',
          'set-operator-profile | istio-operator-profile | IstioOperator istio-system/istio-1-6-11-gke-0',
        ],
      ],
    ]);
    expect(outline(early)[0]?.steps[1]).toEqual(empty);
    // A scan without the location: that one is a placeholder, and the note says so.
    const install = outline(early)[0]?.steps[0] ?? [];
    expect(install).toContain(
      '  note The scan did not record the project, cluster and location: replace the placeholders below.',
    );
    expect(install.join('\n')).toContain(
      '$ ./install_asm --project_id acme-prod --cluster_name demo --cluster_location CLUSTER_LOCATION --mode migrate --ca citadel --enable_apis\n',
    );
  });

  it('names in install_asm’s step the overlays and the operators disabled before it', () => {
    const overlay = finding({
      resource: OPERATOR,
      fix: fix('write-custom-overlay', {
        operator: 'istio-1-6-11-gke-0',
        namespace: 'istio-system',
        file: 'asm-custom-overlay.yaml',
        overlay: 'kind: IstioOperator\n',
        settings: ['meshConfig.accessLogFile'],
      }),
    });
    const plan = planRemediation(
      report(
        'asm-1.7',
        [
          result('istio-operator-profile', 'asm-install', [profile('disabled')]),
          result('install-asm-preconditions', 'asm-install', [overlay]),
        ],
        undefined,
        statuses('asm-1.7', { 'asm-install': 'todo' }),
      ),
    );
    const [install] = (outline(plan, 'asm-install')[0]?.steps ?? []).filter((s) =>
      s[0]?.startsWith('install-asm'),
    );
    expect(install?.[0]).toBe(
      'install-asm | istio-operator-profile,install-asm-preconditions | GKE cluster demo | Migrate to Anthos Service Mesh 1.7 with install_asm (you run it) | Install Anthos Service Mesh with install_asm (TODO) | 1',
    );
    expect(install).toContain(
      '  note The customisations of IstioOperator istio-1-6-11-gke-0 (meshConfig.accessLogFile) are in asm-custom-overlay.yaml, written by meshready scan next to the reports: review it, then keep --custom_overlay below.',
    );
    expect(plan.phases.find((p) => p.id === 'asm-install')?.steps[1]?.findings).toEqual([overlay]);
    expect(install?.join('\n')).toContain(
      '$ ./install_asm --project_id acme-prod --cluster_name demo --cluster_location europe-west1-b --mode migrate --ca citadel --enable_apis --custom_overlay asm-custom-overlay.yaml\n',
    );
    expect(install?.join('\n')).not.toContain('placeholders');
  });

  it('notes suppressed findings in their own phase and fixes it cannot read, and skips findings without a fix', () => {
    const suppressed = finding({
      phase: 'prepare',
      resource: namespace('shop'),
      fix: fix('relabel-namespace', { namespace: 'shop', revision: 'istio-1611' }),
      suppressed: { reason: 'moved \u001b[2Jby hand' },
    });
    const plan = planRemediation(
      report('istio-1.6', [
        result('namespace-injection-labels', 'migrate-namespaces', [
          suppressed,
          finding({ resource: namespace('bare') }),
          finding({
            resource: namespace('odd'),
            fix: { action: 'relabel-namespace', params: { namespace: 'odd' } },
          }),
        ]),
      ]),
    );
    expect(plan.phases.map((p) => [p.id, p.notes, p.steps.length])).toEqual([
      ['cluster-upgrade', [], 0],
      [
        'prepare',
        [
          'Suppressed, so not handled here: namespace-injection-labels Namespace shop (moved \\u{1b}[2Jby hand).',
        ],
        0,
      ],
      [
        'migrate-namespaces',
        [
          'No script step for namespace-injection-labels Namespace odd (fix "relabel-namespace" is unknown or malformed in this report): follow the report.',
        ],
        0,
      ],
      ['migrate-gateway', [], 0],
      ['retire-old-control-plane', [], 0],
    ]);
  });

  it('says "in namespace" of a group of findings only when they are all in it (a defect: the first one\'s was named)', () => {
    const grouped = (findings: Finding[]) =>
      planRemediation(report('istio-1.6', [result('service-port-naming', 'prepare', findings)])).phases[1]
        ?.steps[0]?.resource;
    expect(grouped([servicePorts('shop', 'a'), servicePorts('web', 'b')])).toBe('2 Services');
    expect(grouped([servicePorts('shop', 'a'), servicePorts('shop', 'b')])).toBe(
      '2 Services in namespace shop',
    );
    expect(grouped([servicePorts('shop', 'a')])).toBe('Service shop/a');
  });

  it('plans a report once, and a copy recorded as planning alike to the same plan', () => {
    const original = report('istio-1.6', [
      result('namespace-injection-labels', 'migrate-namespaces', [relabel('a', 'r')]),
    ]);
    const plan = planRemediation(original);
    expect(planRemediation(original)).toBe(plan);
    const copy: Report = { ...original };
    planAlike(copy, original);
    expect(planRemediation(copy)).toBe(plan);
    // Not planned yet: nothing to record, the copy is planned on its own.
    const unplanned = report('istio-1.6', []);
    const other: Report = { ...unplanned };
    planAlike(other, unplanned);
    expect(planRemediation(other)).not.toBe(planRemediation(unplanned));
    expect(planRemediation(other)).toEqual(planRemediation(unplanned));
  });

  it('numbers a second backup of the same name, and leaves absent parts out of a backup name', () => {
    const webhook = (name: string) =>
      finding({
        resource: {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          name,
        },
        fix: fix('delete-galley-webhook', { name }),
      });
    const deletePolicy = (kind: string, resource: string, name: string, ns?: string) =>
      finding({
        resource: { apiVersion: 'rbac.istio.io/v1alpha1', kind, name, ...(ns ? { namespace: ns } : {}) },
        fix: fix('delete-v1alpha1-policy', {
          kind,
          resource,
          name,
          ...(ns ? { namespace: ns } : {}),
          converted: [],
        }),
      });
    const plan = planRemediation(
      report('istio-1.6', [
        result('galley-validating-webhook', 'prepare', [webhook('a/b'), webhook('a:b'), webhook('a b')]),
        result('v1alpha1-security-policy', 'retire-old-control-plane', [
          deletePolicy('ClusterRbacConfig', 'clusterrbacconfigs.rbac.istio.io', 'default'),
          deletePolicy('ServiceRole', 'serviceroles.rbac.istio.io', 'reader', 'web'),
        ]),
      ]),
    );
    const files = plan.phases.flatMap((p) =>
      p.steps.flatMap((step) =>
        step.steps.flatMap((line) =>
          line.kind === 'backup'
            ? [line.file]
            : line.kind === 'call' && line.fn === 'delete_v1alpha1_policy'
              ? [line.args[0]]
              : [],
        ),
      ),
    );
    expect(files).toEqual([
      'validatingwebhookconfiguration-a_b.yaml',
      'validatingwebhookconfiguration-a_b-2.yaml',
      'validatingwebhookconfiguration-a_b-3.yaml',
      'clusterrbacconfig-default.yaml',
      'servicerole-web-reader.yaml',
    ]);
  });

  it('puts a gate before restarts alone, and none before a phase that moves nothing', () => {
    const gateOf = (findings: Finding[]) =>
      planRemediation(
        report('istio-1.6', [
          result('v1alpha1-security-policy', 'prepare', [policy('default', 'shop')]),
          result('sidecar-proxy-version', 'migrate-namespaces', findings),
        ]),
      ).phases[2]?.steps.map((step) => step.action);
    expect(gateOf([restart('b', 'web')])).toEqual(['v1beta1-gate', 'restart-workload', 'verify-namespace']);
    const elsewhere = finding({
      phase: 'migrate-namespaces',
      resource: {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'EnvoyFilter',
        namespace: 'shop',
        name: 'lua',
      },
      fix: fix('review-envoyfilter', { namespace: 'shop', name: 'lua' }),
    });
    // No gate without a move. (The phase plans only namespace moves: no rule gives it another fix.)
    expect(gateOf([elsewhere])).not.toContain('v1beta1-gate');
  });

  it('checks each v1beta1 replacement once, however many policies name it', () => {
    const converted = (name: string, names: string[]) =>
      finding({
        resource: {
          apiVersion: 'rbac.istio.io/v1alpha1',
          kind: 'ServiceRoleBinding',
          namespace: 'web',
          name,
        },
        fix: fix('delete-v1alpha1-policy', {
          kind: 'ServiceRoleBinding',
          resource: 'servicerolebindings.rbac.istio.io',
          name,
          namespace: 'web',
          converted: names.map((n) => `AuthorizationPolicy web/${n}`),
        }),
      });
    const plan = planRemediation(
      report('istio-1.6', [
        result('v1alpha1-security-policy', 'retire-old-control-plane', [
          converted('x', ['a', 'b']),
          converted('y', ['b']),
        ]),
        result('namespace-injection-labels', 'migrate-namespaces', [relabel('web', 'istio-1611')]),
      ]),
    );
    expect(outline(plan, 'migrate-namespaces')[0]?.steps[0]?.[1]).toBe(
      `  halt-phase-unless v1beta1-replacements-exist(object authorizationpolicies.security.istio.io web a object authorizationpolicies.security.istio.io web b) ${GATE_REASON}`,
    );
  });

  it('finds the installed ASM revision on any operator finding that records one', () => {
    const other = finding({
      resource: { ...OPERATOR, name: 'other' },
      fix: fix('set-operator-profile', { operator: 'other', profile: 'disabled', asmRevision: '' }),
    });
    const plan = planRemediation(
      report(
        'asm-1.7',
        [result('istio-operator-profile', 'asm-install', [other, profile('disabled', 'asm-171-6')])],
        undefined,
        statuses('asm-1.7', { 'asm-install': 'todo' }),
      ),
    );
    expect(plan.phases.find((p) => p.id === 'asm-install')?.notes[0]).toMatch(
      /^The scan found Anthos Service Mesh installed \(revision asm-171-6 is ready\)/,
    );
  });

  it('gives asm-cleanup no step when an `empty` was asked for elsewhere, though another operator is disabled', () => {
    const other = finding({
      resource: { ...OPERATOR, name: 'other' },
      fix: fix('set-operator-profile', { operator: 'other', profile: 'disabled' }),
    });
    const plan = planRemediation(
      report(
        'asm-1.7',
        [result('istio-operator-profile', 'asm-install', [other, profile('empty')])],
        undefined,
        statuses('asm-1.7', { 'asm-install': 'todo' }),
      ),
    );
    expect(plan.phases.find((p) => p.id === 'asm-cleanup')?.steps).toEqual([]);
  });

  it('lists the rules of a step in the report’s order', () => {
    const plan = planRemediation(
      report('istio-1.6', [
        result('gke-upgrade-cr-deletion', 'cluster-upgrade', [
          finding({
            resource: GKE,
            fix: fix('backup-istio-system-crs', {
              ...SCOPE,
              version: '1.17.12-gke.1501',
              resources: [],
              objects: [],
            }),
          }),
        ]),
        result('gke-version-istio16', 'cluster-upgrade', [
          finding({ resource: GKE, fix: fix('upgrade-master', { ...SCOPE, version: '1.17.12-gke.1501' }) }),
        ]),
      ]),
    );
    expect(plan.phases[0]?.steps.find((step) => step.action === 'upgrade-master')?.rules).toEqual([
      'gke-upgrade-cr-deletion',
      'gke-version-istio16',
    ]);
  });

  it('marks a phase the report does not list as not scanned, and no phase current once all are done', () => {
    const partial = planRemediation(
      report('istio-1.6', [], CLUSTER_WITHOUT_LOCATION, [
        { id: 'cluster-upgrade', status: 'done', rules: [] },
      ]),
    );
    expect(partial.phases.map((p) => p.scanStatus)).toEqual([
      'done',
      'not-scanned',
      'not-scanned',
      'not-scanned',
      'not-scanned',
    ]);
    expect(partial.currentPhase).toBe('prepare');
    const done = planRemediation(report('istio-1.6', []));
    expect(done.currentPhase).toBe('');
    expect(done.phases.some((p) => p.current)).toBe(false);
  });

  it('applies the converted v1beta1 file in one step for its policies, each replacement checked once, and keeps the others by hand', () => {
    const converted = (name: string, objects: string[], extra: Record<string, unknown> = {}) =>
      finding({
        resource: {
          apiVersion: 'rbac.istio.io/v1alpha1',
          kind: 'ServiceRoleBinding',
          namespace: 'web',
          name,
        },
        fix: fix('migrate-v1alpha1-policy', {
          kind: 'ServiceRoleBinding',
          resource: 'servicerolebindings.rbac.istio.io',
          replacement: 'AuthorizationPolicy',
          name,
          namespace: 'web',
          convertedFile: 'v1beta1-policies.yaml',
          converted: objects,
          ...extra,
        }),
      });
    const plan = planRemediation(
      report('istio-1.6', [
        result('v1alpha1-security-policy', 'prepare', [
          converted('x', ['AuthorizationPolicy web/a', 'AuthorizationPolicy web/b']),
          converted('y', ['AuthorizationPolicy web/b']),
          // Not converted: by hand, whatever file is named.
          converted('z', [], {
            notConverted: 'a custom condition',
            meshStrict: true,
            replacement: 'PeerAuthentication',
          }),
        ]),
      ]),
    );
    const steps = outline(plan, 'prepare')[0]?.steps ?? [];
    expect(steps[0]).toEqual([
      'migrate-v1alpha1-policy | v1alpha1-security-policy | 2 v1alpha1 policies (v1beta1-policies.yaml) | Apply the v1beta1 replacements meshready wrote; the v1alpha1 policies stay until the 1.4 proxies are gone (guide, step 3) | Apply the v1beta1 replacements of the v1alpha1 policies (the old ones stay) | 2',
      '  withhold-unless galley-webhook-gone() the 1.4 galley webhook is gone (it rejects the kinds it does not know)',
      '  note Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply) and each replacement is checked. The v1alpha1 objects stay until no 1.4 proxy or gateway runs.',
      '  call apply_v1beta1_policies v1beta1-policies.yaml',
      '  check kubectl get authorizationpolicies.security.istio.io -n web a',
      '  check kubectl get authorizationpolicies.security.istio.io -n web b',
    ]);
    const [, , call, checkA, checkB] = plan.phases[1]?.steps[0]?.steps ?? [];
    expect(call).toMatchObject({
      shows: [
        { kind: 'run', argv: ['kubectl', 'apply', '--dry-run=server', '-f', 'v1beta1-policies.yaml'] },
        { kind: 'run', argv: ['kubectl', 'apply', '-f', 'v1beta1-policies.yaml'] },
      ],
    });
    expect([checkA, checkB].map((c) => (c?.kind === 'check' ? c.for : undefined))).toEqual([[0], [0, 1]]);
    expect(steps[1]).toEqual([
      'migrate-v1alpha1-policy | v1alpha1-security-policy | ServiceRoleBinding web/z | Migrate a v1alpha1 security policy: Istio 1.6 ignores it (guide, step 3) | Migrate a v1alpha1 security policy (TODO) | 1',
      '  comment Human decision: rewrite this object as PeerAuthentication',
      '  comment (security.istio.io/v1beta1) and apply that before any namespace moves; keep the old one until',
      '  comment no 1.4 proxy or gateway runs. Not automated: translating the intent needs judgement.',
      '  comment Not converted: a custom condition',
      [
        '  todo Apply PeerAuthentication (mtls.mode: STRICT, no selector) before any namespace moves. Keep the v1alpha1 object while any 1.4 proxy or gateway runs (they read only v1alpha1); delete it in phase retire-old-control-plane.',
        '    $ kubectl get servicerolebindings.rbac.istio.io -n web z -o yaml',
      ].join('\n'),
    ]);
  });
});
