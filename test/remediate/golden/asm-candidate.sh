#!/usr/bin/env bash
# remediate.sh: the migration steps meshready planned from one scan, phase by phase, in the order
# of Google's guide "Upgrading to Istio 1.6 with the operator"
# (https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator).
#
#   cluster:  shop-prod (project acme-shop, location europe-west1)
#   target:   asm-1.7
#   scanned:  2026-11-25T10:00:00Z by meshready 0.1.0 (verdict: not-ready)
#   report:   meshready-report.json
#
# Review it first. It changes nothing unless you pass --apply, and then only after checking that
# kubectl (and gcloud) point at the scanned cluster. --apply runs the scan's current phase and
# stops; scan again after it: a new scan writes a new remediate.sh from the new state. Each step
# checks the cluster again just before it changes anything, and withholds itself (saying why)
# when its precondition no longer holds. See --help.
#
# The plan: phases in order, one line per step (or, in a long phase, per kind of step, with a count).
#   Phase cluster-upgrade (scan: done)
#     (nothing to do)
#   Phase prepare (scan: todo): the current phase, what --apply runs
#     - Move workloads to a node pool with 4 vCPUs or more (TODO): NodePool tools-pool [node-machine-vcpu]
#     - Enable Workload Identity (asks first): Cluster shop-prod [workload-identity]
#     - Open TCP 15017 from the control plane to the nodes: Cluster shop-prod [webhook-firewall-15017]
#   Phase migrate-namespaces (scan: blocked)
#     (nothing to do)
#   Phase retire-old-control-plane (scan: blocked)
#     - Back up and scale the 1.4 control plane to 0 (only once no namespace or pod uses it): Deployments istio-system/istio-citadel,istio-galley,istio-pilot,istio-policy,istio-sidecar-injector,istio-telemetry,prometheus,promsd [old-control-plane-scaledown]
#   Phase asm-install (scan: blocked)
#     - Back up and set the IstioOperator profile to disabled: IstioOperator istio-system/istio-1-6-11-gke-0 [istio-operator-profile]
#     - Install Anthos Service Mesh with install_asm (TODO): GKE cluster shop-prod [istio-operator-profile, install-asm-preconditions]
#   Phase asm-migrate-namespaces (scan: blocked)
#     (nothing to do)
#   Phase asm-cleanup (scan: blocked)
#     - Back up and set the IstioOperator profile to empty (only once no namespace or pod uses its revision): IstioOperator istio-system/istio-1-6-11-gke-0 [istio-operator-profile]
#
# Values from the cluster are single-quoted on purpose, so they never expand:
# shellcheck disable=SC2016
set -euo pipefail

if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  echo "remediate.sh needs bash 4.4 or later (on macOS: brew install bash)" >&2
  exit 2
fi

# ---------------------------------------------------------------------------------------------
# What the scan found (every value shell-quoted where it is written)
readonly SCAN_CLUSTER=shop-prod
readonly SCAN_PROJECT=acme-shop
readonly SCAN_LOCATION=europe-west1
readonly SCAN_TARGET=asm-1.7
# kubectl contexts that name the scanned cluster (none: the scan recorded no identity).
readonly SCAN_CONTEXTS=(gke_acme-shop_europe-west1_shop-prod )
readonly PHASES=(cluster-upgrade prepare migrate-namespaces retire-old-control-plane asm-install asm-migrate-namespaces asm-cleanup )
# What the scan said of each phase, and the first phase it did not find done ('' if none).
declare -rA PHASE_STATUS=([cluster-upgrade]="done" [prepare]="todo" [migrate-namespaces]="blocked" [retire-old-control-plane]="blocked" [asm-install]="blocked" [asm-migrate-namespaces]="blocked" [asm-cleanup]="blocked" )
readonly CURRENT_PHASE=prepare

usage() {
  cat <<'USAGE'
Usage: remediate.sh [--apply [--yes]] [--phase ID] [--context NAME] [--backup-dir DIR]

Runs the migration steps meshready planned from a scan, phase by phase.

  (no option)       Dry run: print every phase, step and command, change nothing, contact
                    nothing.
  --apply           Run the scan's current phase (the first it did not find done), then stop:
                    later phases are blocked until it is done; scan again for them. First
                    checks that kubectl's current context is the scanned cluster (and, before
                    any gcloud step, that gcloud's project is the scanned project); refuses
                    otherwise. Each step checks its preconditions against the cluster again
                    and withholds itself when they no longer hold. Saves YAML backups before
                    anything is deleted, scaled down or has its profile changed.
  --yes, -y         With --apply, do not ask before each phase and each disruptive step.
                    Without a terminal, --apply requires --yes.
  --phase ID        Only this phase (see the list below). A phase the scan reported blocked
                    asks for confirmation first, or needs --yes.
  --context NAME    Accept the kubectl context NAME as the scanned cluster, e.g. when your
                    context has another name or the scan recorded no cluster identity.
  --backup-dir DIR  Where backups go (default: ./meshready-backup-<UTC time>).
  -h, --help        Show this help.

Steps that need a human decision (policies to rewrite, port names, install_asm) are printed as
TODO with the commands to use; they never run. Running the script again is safe: steps that are
already done say so and change nothing.

Exit status: 0 finished (see the summary for TODO and withheld steps), 1 refused, a command
failed, or a check stopped the phase because something it relies on is not done (nothing after
it ran; the summary names it), 2 usage error.
USAGE
  printf '\nPhases of this script (target %s), with what the scan found:\n' "$SCAN_TARGET"
  local phase
  for phase in "${PHASES[@]}"; do printf '  %-26s %s\n' "$phase" "${PHASE_STATUS[$phase]}"; done
}

# [prelude: golden/prelude.sh]

# ---------------------------------------------------------------------------------------------
# The steps, one function each (a step that withholds itself returns from its function only);
# steps alike share one function, and each is one line of its phase below

step_1() {
  step node-machine-vcpu 'NodePool tools-pool' 'Move workloads off node pool tools-pool (e2-medium, fewer than 4 vCPUs)'
  # Human decision: ASM only counts machine types with 4 or more vCPUs. Moving workloads to another
  # pool (cordon and drain the old nodes, delete the old pool) reschedules every pod on
  # them and changes the bill; choose the node count and the moment yourself.
  # kubectl drain --delete-local-data: the flag of a kubectl matching a 1.17/1.18 master (1.20 renamed it).
  todo 'Create a pool of e2-standard-4, cordon and drain the nodes of tools-pool, then delete tools-pool (GKE: migrating workloads to different machine types)'
  todo_command gcloud container node-pools create tools-pool-4vcpu --cluster shop-prod --machine-type e2-standard-4 --num-nodes NODES --location europe-west1 --project acme-shop
  todo_command kubectl cordon -l cloud.google.com/gke-nodepool=tools-pool
  todo_command kubectl drain -l cloud.google.com/gke-nodepool=tools-pool --ignore-daemonsets --delete-local-data
  todo_command gcloud container node-pools delete tools-pool --cluster shop-prod --location europe-west1 --project acme-shop
}

step_2() {
  step workload-identity 'Cluster shop-prod' 'Enable Workload Identity (install_asm would enable it; doing it first lets you choose the moment)'
  require_gcloud
  enable_cluster_workload_identity shop-prod acme-shop.svc.id.goog --location europe-west1 --project acme-shop
}

step_3() {
  step webhook-firewall-15017 'Cluster shop-prod' 'Open TCP 15017 from the control plane to the nodes: add it to firewall rule gke-shop-prod-1a2b3c4d-master'
  require_gcloud
  open_webhook_port acme-shop shop-vpc gke-shop-prod-1a2b3c4d-master shop-prod-istio-webhook-15017 172.16.0.0/28 gke-shop-prod-1a2b3c4d-node tcp:10250,tcp:443
}

step_4() {
  step old-control-plane-scaledown 'Deployments istio-system/istio-citadel,istio-galley,istio-pilot,istio-policy,istio-sidecar-injector,istio-telemetry,prometheus,promsd' 'Scale the 1.4 control plane down to 0 replicas (guide: turning off the old control plane)'
  precondition 'no namespace selects the 1.4 injector' no_namespace_on_old_injector || return 0
  precondition 'no pod runs a 1.4 proxy (workload or ingress gateway)' no_pod_on_old_proxy || return 0
  precondition 'the 1.4 galley webhook is gone' galley_webhook_gone || return 0
  scale_down_old_control_plane istio-system-old-control-plane-deployments.yaml istio-citadel istio-galley istio-pilot istio-policy istio-sidecar-injector istio-telemetry prometheus promsd
}

step_5() {
  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'Disable the operator (profile: disabled) so that it leaves the ASM gateway alone (guide: disabling the operator)'
  set_operator_profile istio-1-6-11-gke-0 disabled istiooperator-istio-1-6-11-gke-0-disabled.yaml
}

step_6() {
  step 'istio-operator-profile, install-asm-preconditions' 'GKE cluster shop-prod' 'Migrate to Anthos Service Mesh 1.7 with install_asm (you run it)'
  no_asm_istiod_installed || return 0
  if ! gateway_ports_ready shop-prod europe-west1 acme-shop; then
    halt_phase 'the 1.6 gateway listens on 8080/8443 with its status port on 15021: enabling it now would leave traffic or health checks blocked by what is listed above (gateway-port-changes). Add the new ports beside the old ones, then run this phase again. Stopping this phase.'
    return 0
  fi
  # Human decision: install_asm changes the project (APIs, IAM) and the cluster; read its options
  # first. These are the guide's arguments for an add-on that keeps Citadel as its CA.
  # Beyond the mesh, install_asm also changes the cluster: it enables Workload Identity, enables
  # Cloud Operations (--enable-stackdriver-kubernetes), adds the mesh_id label to the cluster, and
  # creates a cluster-admin ClusterRoleBinding for the account that runs it.
  note 'The customisations of IstioOperator istio-1-6-11-gke-0 (meshConfig.accessLogFile, components.pilot.k8s.resources) are in asm-custom-overlay.yaml, written by meshready scan next to the reports: review it, then keep --custom_overlay below.'
  todo 'Download install_asm 1.7, check its checksum, review its options, then run it as shown'
  todo_command curl -fsSLo install_asm https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.7
  todo_command curl -fsSLo install_asm.sha256 https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.7.sha256
  todo_command sha256sum -c --ignore-missing install_asm.sha256
  todo_command chmod +x install_asm
  todo_command ./install_asm --project_id acme-shop --cluster_name shop-prod --cluster_location europe-west1 --mode migrate --ca citadel --enable_apis --custom_overlay asm-custom-overlay.yaml
  note 'Then enable sidecar injection for the asm-* revision and redeploy your workloads (scan again: meshready plans the relabelling and restarts), and run this phase again for the step below.'
}

step_7() {
  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'After the migration: set the IstioOperator profile to empty, so the operator removes what it had installed (guide: after the migration)'
  set_operator_profile istio-1-6-11-gke-0 empty istiooperator-istio-1-6-11-gke-0-empty.yaml
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: done)
phase_cluster_upgrade() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: todo)
phase_prepare() {
  note 'Not checked by the scan: vpc-sc-mesh-ca (manual check: if your organisation has a VPC Service Controls perimeter around project acme-shop, add Mesh CA (meshca.googleapis.com) to its restricted services before installing ASM; meshready cannot see organisation-level perimeters).'
  step_1
  step_2
  step_3
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: blocked)
phase_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase retire-old-control-plane: Turn off the 1.4 control plane (scan: blocked)
phase_retire_old_control_plane() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_4
}

# ---------------------------------------------------------------------------------------------
# Phase asm-install: Install Anthos Service Mesh next to the operator's control plane (scan: blocked)
phase_asm_install() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_5
  step_6
  if [[ $HALTED == true ]]; then return 0; fi
}

# ---------------------------------------------------------------------------------------------
# Phase asm-migrate-namespaces: Move namespaces and their workloads to the Anthos Service Mesh revision (scan: blocked)
phase_asm_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase asm-cleanup: Turn off the operator's control plane (profile empty) (scan: blocked)
phase_asm_cleanup() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_7
}

summary() {
  printf '\n=== Summary\n'
  if applying; then
    say "$CHANGES change(s) made in $STEP_NUMBER step(s)."
    if [[ -d $BACKUP_DIR ]]; then say "Backups: $BACKUP_DIR"; fi
  else
    say 'Dry run: nothing was changed and nothing was contacted.'
    if [[ -n $CURRENT_PHASE ]]; then
      say "Next: review this output, then run remediate.sh --apply: it runs phase $CURRENT_PHASE and stops. Then scan again."
    fi
  fi
  if [[ -z $CURRENT_PHASE ]]; then say 'The scan found every phase done.'; fi
  if [[ -n $STOP_REASON ]]; then say "Stopped after this phase: $STOP_REASON."; fi
  if [[ $HALTED == true ]]; then say 'A check stopped the last phase before its later steps (see Withheld): exit status 1.'; fi
  if ((${#WITHHELD_STEPS[@]} > 0)); then
    say 'Withheld (run this script again once the reason is gone):'
    printf '  - %s\n' "${WITHHELD_STEPS[@]}"
  fi
  if ((${#TODO_STEPS[@]} > 0)); then
    say 'TODO, for you to do by hand:'
    printf '  - %s\n' "${TODO_STEPS[@]}"
  fi
  say 'Then scan again: the new report shows what is left, and the new remediate.sh what to do next.'
}

# ---------------------------------------------------------------------------------------------
if applying; then
  check_context
else
  say "Dry run for cluster $(shell_word "${SCAN_CLUSTER:-unknown}") (project $(shell_word "${SCAN_PROJECT:-unknown}"), location $(shell_word "${SCAN_LOCATION:-unknown}")): nothing will be changed or contacted."
  say "Before --apply changes anything, it checks that kubectl's current context is the scanned cluster."
fi
if [[ -z $STOP_REASON ]] && begin_phase cluster-upgrade 'Upgrade the GKE cluster to a version with the Istio 1.6 operator'; then
  phase_cluster_upgrade
fi
if [[ -z $STOP_REASON ]] && begin_phase prepare 'Prepare the 1.4 control plane and the cluster'; then
  phase_prepare
fi
if [[ -z $STOP_REASON ]] && begin_phase migrate-namespaces 'Move namespaces and their workloads to the 1.6 control plane'; then
  phase_migrate_namespaces
fi
if [[ -z $STOP_REASON ]] && begin_phase retire-old-control-plane 'Turn off the 1.4 control plane'; then
  phase_retire_old_control_plane
fi
if [[ -z $STOP_REASON ]] && begin_phase asm-install 'Install Anthos Service Mesh next to the operator'\''s control plane'; then
  phase_asm_install
fi
if [[ -z $STOP_REASON ]] && begin_phase asm-migrate-namespaces 'Move namespaces and their workloads to the Anthos Service Mesh revision'; then
  phase_asm_migrate_namespaces
fi
if [[ -z $STOP_REASON ]] && begin_phase asm-cleanup 'Turn off the operator'\''s control plane (profile empty)'; then
  phase_asm_cleanup
fi
summary
FINISHED=true
if [[ $HALTED == true ]]; then exit 1; fi
