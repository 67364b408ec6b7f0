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
#   Phase prepare (scan: done)
#     - Move workloads to a node pool with 4 vCPUs or more (TODO): NodePool tools-pool [node-machine-vcpu]
#   Phase migrate-namespaces (scan: done)
#     (nothing to do)
#   Phase retire-old-control-plane (scan: done)
#     (nothing to do)
#   Phase asm-install (scan: todo): the current phase, what --apply runs
#     - Back up and set the IstioOperator profile to disabled: IstioOperator istio-system/istio-1-6-11-gke-0 [istio-operator-profile]
#   Phase asm-migrate-namespaces (scan: blocked)
#     - Relabel the namespace (only once the revision is ready): Namespace auth [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment auth/auth [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace auth [namespace-injection-labels, sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): Deployment catalog/catalog [sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): StatefulSet catalog/catalog-db [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace catalog [sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace payments [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): 2 Deployments in namespace payments [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace payments [namespace-injection-labels, sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace search [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment search/search [sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): StatefulSet search/redis [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace search [namespace-injection-labels, sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace staging [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment staging/frontend [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace staging [namespace-injection-labels, sidecar-proxy-version]
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
declare -rA PHASE_STATUS=([cluster-upgrade]="done" [prepare]="done" [migrate-namespaces]="done" [retire-old-control-plane]="done" [asm-install]="todo" [asm-migrate-namespaces]="blocked" [asm-cleanup]="blocked" )
readonly CURRENT_PHASE=asm-install

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
readonly TITLE_1='Point the namespace at the new control plane (guide: migrating namespaces, step 2)'
readonly TITLE_2='Restart them so that their pods get the new proxy (guide: migrating namespaces, step 3)'
readonly TITLE_3='Check that the pods came back with the new proxy (guide: migrating namespaces, steps 4-5)'

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
  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'Disable the operator (profile: disabled) so that it leaves the ASM gateway alone (guide: disabling the operator)'
  set_operator_profile istio-1-6-11-gke-0 disabled istiooperator-istio-1-6-11-gke-0-disabled.yaml
}

step_3() {
  step namespace-injection-labels 'Namespace auth' "$TITLE_1"
  relabel_namespace auth asm-173-6
}

step_4() {
  step sidecar-proxy-version 'Deployment auth/auth' "$TITLE_2"
  #   Deployment auth: 2 pod(s) on an older proxy
  precondition 'namespace auth selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision auth asm-173-6 || return 0
  restart_workloads deployment auth auth
}

step_5() {
  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace auth' "$TITLE_3"
  wait_for_rollouts auth
  check kubectl get pods -n auth
  check kubectl get pods -n auth -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_6() {
  step sidecar-proxy-version 'Deployment catalog/catalog' "$TITLE_2"
  #   Deployment catalog: 2 pod(s) on an older proxy
  precondition 'namespace catalog selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision catalog asm-173-6 || return 0
  restart_workloads deployment catalog catalog
}

step_7() {
  step sidecar-proxy-version 'StatefulSet catalog/catalog-db' "$TITLE_2"
  #   StatefulSet catalog-db: 1 pod(s) on an older proxy
  precondition 'namespace catalog selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision catalog asm-173-6 || return 0
  restart_workloads statefulset catalog catalog-db
}

step_8() {
  step sidecar-proxy-version 'Namespace catalog' "$TITLE_3"
  wait_for_rollouts catalog
  check kubectl get pods -n catalog
  check kubectl get pods -n catalog -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_9() {
  step namespace-injection-labels 'Namespace payments' "$TITLE_1"
  relabel_namespace payments asm-173-6
}

step_10() {
  step sidecar-proxy-version '2 Deployments in namespace payments' "$TITLE_2"
  #   Deployment fraud-check: 1 pod(s) on an older proxy
  #   Deployment payments: 2 pod(s) on an older proxy
  precondition 'namespace payments selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision payments asm-173-6 || return 0
  restart_workloads deployment payments fraud-check payments
}

step_11() {
  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace payments' "$TITLE_3"
  wait_for_rollouts payments
  check kubectl get pods -n payments
  check kubectl get pods -n payments -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_12() {
  step namespace-injection-labels 'Namespace search' "$TITLE_1"
  relabel_namespace search asm-173-6
}

step_13() {
  step sidecar-proxy-version 'Deployment search/search' "$TITLE_2"
  #   Deployment search: 2 pod(s) on an older proxy
  precondition 'namespace search selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision search asm-173-6 || return 0
  restart_workloads deployment search search
}

step_14() {
  step sidecar-proxy-version 'StatefulSet search/redis' "$TITLE_2"
  #   StatefulSet redis: 1 pod(s) on an older proxy
  precondition 'namespace search selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision search asm-173-6 || return 0
  restart_workloads statefulset search redis
}

step_15() {
  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace search' "$TITLE_3"
  wait_for_rollouts search
  check kubectl get pods -n search
  check kubectl get pods -n search -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_16() {
  step namespace-injection-labels 'Namespace staging' "$TITLE_1"
  relabel_namespace staging asm-173-6
}

step_17() {
  step sidecar-proxy-version 'Deployment staging/frontend' "$TITLE_2"
  #   Deployment frontend: 1 pod(s) on an older proxy
  precondition 'namespace staging selects a ready revision asm-173-6 (else a restart brings back the same proxy)' namespace_selects_revision staging asm-173-6 || return 0
  restart_workloads deployment staging frontend
}

step_18() {
  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace staging' "$TITLE_3"
  wait_for_rollouts staging
  check kubectl get pods -n staging
  check kubectl get pods -n staging -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_19() {
  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'After the migration: set the IstioOperator profile to empty, so the operator removes what it had installed (guide: after the migration)'
  set_operator_profile istio-1-6-11-gke-0 empty istiooperator-istio-1-6-11-gke-0-empty.yaml
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: done)
phase_cluster_upgrade() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: done)
phase_prepare() {
  note 'Not checked by the scan: vpc-sc-mesh-ca (manual check: if your organisation has a VPC Service Controls perimeter around project acme-shop, add Mesh CA (meshca.googleapis.com) to its restricted services before installing ASM; meshready cannot see organisation-level perimeters).'
  step_1
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: done)
phase_migrate_namespaces() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase retire-old-control-plane: Turn off the 1.4 control plane (scan: done)
phase_retire_old_control_plane() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase asm-install: Install Anthos Service Mesh next to the operator's control plane (scan: todo)
phase_asm_install() {
  note 'The scan found Anthos Service Mesh installed (revision asm-173-6 is ready): install_asm is not run again (--mode migrate refuses once an ASM control plane runs, --mode upgrade while the operator'\''s istiod runs); the steps below finish what remains against that revision.'
  step_2
}

# ---------------------------------------------------------------------------------------------
# Phase asm-migrate-namespaces: Move namespaces and their workloads to the Anthos Service Mesh revision (scan: blocked)
phase_asm_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_3
  step_4
  step_5
  step_6
  step_7
  step_8
  step_9
  step_10
  step_11
  step_12
  step_13
  step_14
  step_15
  step_16
  step_17
  step_18
}

# ---------------------------------------------------------------------------------------------
# Phase asm-cleanup: Turn off the operator's control plane (profile empty) (scan: blocked)
phase_asm_cleanup() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_19
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
