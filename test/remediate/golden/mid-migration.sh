#!/usr/bin/env bash
# remediate.sh: the migration steps meshready planned from one scan, phase by phase, in the order
# of Google's guide "Upgrading to Istio 1.6 with the operator"
# (https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator).
#
#   cluster:  shop-prod (project acme-shop, location europe-west1-b)
#   target:   istio-1.6
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
#     - Name Service ports (TODO): Service shop/cart [service-port-naming]
#     - Open TCP 15017 from the control plane to the nodes: Cluster shop-prod [webhook-firewall-15017]
#   Phase migrate-namespaces (scan: blocked)
#     - Relabel the namespace (only once the revision is ready): Namespace auth [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment auth/auth [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace auth [namespace-injection-labels, sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace catalog [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment catalog/catalog [sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): StatefulSet catalog/catalog-db [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace catalog [namespace-injection-labels, sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): 2 Deployments in namespace payments [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace payments [sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace search [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment search/search [sidecar-proxy-version]
#     - Restart workloads (only once their namespace selects the revision): StatefulSet search/redis [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace search [namespace-injection-labels, sidecar-proxy-version]
#     - Relabel the namespace (only once the revision is ready): Namespace staging [namespace-injection-labels]
#     - Restart workloads (only once their namespace selects the revision): Deployment staging/frontend [sidecar-proxy-version]
#     - Check the namespace's pods (read-only): Namespace staging [namespace-injection-labels, sidecar-proxy-version]
#   Phase migrate-gateway (scan: blocked)
#     - Add the 1.6 gateway ports beside the 1.4 ones (TODO) (4 steps): Firewall shop-vpc-allow-gateway-health-checks, ... NetworkPolicy istio-system/ingressgateway-ingress [gateway-port-changes]
#     - Enable the 1.6 ingress gateway in the IstioOperator: IstioOperator istio-system/istio-1-6-11-gke-0 [ingress-gateway-revision]
#   Phase retire-old-control-plane (scan: blocked)
#     - Withheld by the scan: Deployments istio-system/istio-* [old-control-plane-scaledown]
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
readonly SCAN_LOCATION=europe-west1-b
readonly SCAN_TARGET=istio-1.6
# kubectl contexts that name the scanned cluster (none: the scan recorded no identity).
readonly SCAN_CONTEXTS=(gke_acme-shop_europe-west1-b_shop-prod )
readonly PHASES=(cluster-upgrade prepare migrate-namespaces migrate-gateway retire-old-control-plane )
# What the scan said of each phase, and the first phase it did not find done ('' if none).
declare -rA PHASE_STATUS=([cluster-upgrade]="done" [prepare]="todo" [migrate-namespaces]="blocked" [migrate-gateway]="blocked" [retire-old-control-plane]="blocked" )
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
readonly TITLE_1='Point the namespace at the new control plane (guide: migrating namespaces, step 2)'
readonly TITLE_2='Restart them so that their pods get the new proxy (guide: migrating namespaces, step 3)'
readonly TITLE_3='Check that the pods came back with the new proxy (guide: migrating namespaces, steps 4-5)'
readonly TITLE_4='Add the 1.6 gateway ports (8080/8443, status 15021) beside the 1.4 ones (80/443, 15020) for the gateway'

step_1() {
  step service-port-naming 'Service shop/cart' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp). Ports:
  #   shop/cart: 8080/TCP (unnamed)
  todo 'Name these ports <protocol>[-<suffix>]: 8080/TCP (unnamed)'
  todo_command kubectl edit service -n shop cart
}

step_2() {
  step webhook-firewall-15017 'Cluster shop-prod' 'Open TCP 15017 from the control plane to the nodes: add it to firewall rule gke-shop-prod-1a2b3c4d-master'
  require_gcloud
  open_webhook_port acme-shop shop-vpc gke-shop-prod-1a2b3c4d-master shop-prod-istio-webhook-15017 172.16.0.0/28 gke-shop-prod-1a2b3c4d-node tcp:10250,tcp:443
}

step_3() {
  step namespace-injection-labels 'Namespace auth' "$TITLE_1"
  relabel_namespace auth istio-1611
}

step_4() {
  step sidecar-proxy-version 'Deployment auth/auth' "$TITLE_2"
  #   Deployment auth: 2 pod(s) on an older proxy
  precondition 'namespace auth selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision auth istio-1611 || return 0
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
  step namespace-injection-labels 'Namespace catalog' "$TITLE_1"
  relabel_namespace catalog istio-1611
}

step_7() {
  step sidecar-proxy-version 'Deployment catalog/catalog' "$TITLE_2"
  #   Deployment catalog: 2 pod(s) on an older proxy
  precondition 'namespace catalog selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision catalog istio-1611 || return 0
  restart_workloads deployment catalog catalog
}

step_8() {
  step sidecar-proxy-version 'StatefulSet catalog/catalog-db' "$TITLE_2"
  #   StatefulSet catalog-db: 1 pod(s) on an older proxy
  precondition 'namespace catalog selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision catalog istio-1611 || return 0
  restart_workloads statefulset catalog catalog-db
}

step_9() {
  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace catalog' "$TITLE_3"
  wait_for_rollouts catalog
  check kubectl get pods -n catalog
  check kubectl get pods -n catalog -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_10() {
  step sidecar-proxy-version '2 Deployments in namespace payments' "$TITLE_2"
  #   Deployment fraud-check: 1 pod(s) on an older proxy
  #   Deployment payments: 2 pod(s) on an older proxy
  precondition 'namespace payments selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision payments istio-1611 || return 0
  restart_workloads deployment payments fraud-check payments
}

step_11() {
  step sidecar-proxy-version 'Namespace payments' "$TITLE_3"
  wait_for_rollouts payments
  check kubectl get pods -n payments
  check kubectl get pods -n payments -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
  note 'Each pod should list an istio-proxy image of the new version, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

step_12() {
  step namespace-injection-labels 'Namespace search' "$TITLE_1"
  relabel_namespace search istio-1611
}

step_13() {
  step sidecar-proxy-version 'Deployment search/search' "$TITLE_2"
  #   Deployment search: 2 pod(s) on an older proxy
  precondition 'namespace search selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision search istio-1611 || return 0
  restart_workloads deployment search search
}

step_14() {
  step sidecar-proxy-version 'StatefulSet search/redis' "$TITLE_2"
  #   StatefulSet redis: 1 pod(s) on an older proxy
  precondition 'namespace search selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision search istio-1611 || return 0
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
  relabel_namespace staging istio-1611
}

step_17() {
  step sidecar-proxy-version 'Deployment staging/frontend' "$TITLE_2"
  #   Deployment frontend: 1 pod(s) on an older proxy
  precondition 'namespace staging selects a ready revision istio-1611 (else a restart brings back the same proxy)' namespace_selects_revision staging istio-1611 || return 0
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
  step gateway-port-changes 'Firewall shop-vpc-allow-gateway-health-checks' "$TITLE_4"
  # Human decision: before the gateway moves, add the new port beside the old one (1.4 and 1.6
  # gateway pods run side by side); remove the old one only in retire-old-control-plane. The step
  # that enables the 1.6 gateway checks these again and stops the phase while one is open. Changes:
  #   allowed: add tcp:15021
  todo 'Add tcp:15021 to firewall rule shop-vpc-allow-gateway-health-checks, keeping tcp:15020 until no 1.4 gateway pod is left'
  todo_command gcloud compute firewall-rules update shop-vpc-allow-gateway-health-checks --allow tcp:15020,tcp:15021 --project acme-shop
}

step_20() {
  step gateway-port-changes 'AuthorizationPolicy istio-system/ingressgateway-allow-web' "$TITLE_4"
  #   rules[0].to[0].operation.ports: add "8080" beside "80"
  #   rules[0].to[0].operation.ports: add "8443" beside "443"
  todo 'Edit AuthorizationPolicy ingressgateway-allow-web: rules[0].to[0].operation.ports: add "8080" beside "80"; rules[0].to[0].operation.ports: add "8443" beside "443"'
  todo_command kubectl edit authorizationpolicies.security.istio.io -n istio-system ingressgateway-allow-web
}

step_21() {
  step gateway-port-changes 'BackendConfig istio-system/ingressgateway-health' "$TITLE_4"
  #   keep spec.healthCheck.port 15020 while 1.4 and 1.6 gateway pods both run (both answer /healthz/ready there)
  #   acknowledge it: annotate the BackendConfig meshready.dev/ignore=gateway-port-changes (with meshready.dev/ignore-reason)
  #   in retire-old-control-plane, once no 1.4 gateway pod is left: spec.healthCheck.port 15020 -> 15021
  todo 'Keep BackendConfig ingressgateway-health on 15020 while both gateways run and acknowledge it; switch it to 15021 only in retire-old-control-plane'
  todo_command kubectl annotate backendconfigs.cloud.google.com -n istio-system ingressgateway-health meshready.dev/ignore=gateway-port-changes 'meshready.dev/ignore-reason=15020 answers for the 1.4 and the 1.6 gateway pods; switch to 15021 once 1.4 is retired'
}

step_22() {
  step gateway-port-changes 'NetworkPolicy istio-system/ingressgateway-ingress' "$TITLE_4"
  #   ingress port 80 -> also allow 8080
  #   ingress port 443 -> also allow 8443
  #   ingress port 15020 -> also allow 15021
  todo 'Edit NetworkPolicy ingressgateway-ingress: ingress port 80 -> also allow 8080; ingress port 443 -> also allow 8443; ingress port 15020 -> also allow 15021'
  todo_command kubectl edit networkpolicies.networking.k8s.io -n istio-system ingressgateway-ingress
}

step_23() {
  step ingress-gateway-revision 'IstioOperator istio-system/istio-1-6-11-gke-0' 'Enable the 1.6 ingress gateway in the IstioOperator (guide: migrating the ingress gateway)'
  if ! gateway_ports_ready shop-prod europe-west1-b acme-shop; then
    halt_phase 'the 1.6 gateway listens on 8080/8443 with its status port on 15021: enabling it now would leave traffic or health checks blocked by what is listed above (gateway-port-changes). Add the new ports beside the old ones, then run this phase again. Stopping this phase.'
    return 0
  fi
  enable_operator_gateway istio-1-6-11-gke-0 0 istiooperator-istio-1-6-11-gke-0.yaml
  check kubectl get pods -n istio-system -l app=istio-ingressgateway -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[*]}{.image}{" "}{end}{"\n"}{end}'
  note 'The gateway pods should be re-created with a 1.6 image (the operator may take a minute).'
}

step_24() {
  step old-control-plane-scaledown 'Deployments istio-system/istio-*' 'Scale the 1.4 control plane down to 0 replicas'
  withhold 'the scan says: proxies still use the 1.4 control plane (12 workload pods and 2 ingress gateway pods on a version before 1.6)'
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: done)
phase_cluster_upgrade() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: todo)
phase_prepare() {
  step_1
  step_2
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: blocked)
phase_migrate_namespaces() {
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
# Phase migrate-gateway: Move the ingress gateway to Istio 1.6 (scan: blocked)
phase_migrate_gateway() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_19
  step_20
  step_21
  step_22
  step_23
  if [[ $HALTED == true ]]; then return 0; fi
}

# ---------------------------------------------------------------------------------------------
# Phase retire-old-control-plane: Turn off the 1.4 control plane (scan: blocked)
phase_retire_old_control_plane() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_24
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
if [[ -z $STOP_REASON ]] && begin_phase migrate-gateway 'Move the ingress gateway to Istio 1.6'; then
  phase_migrate_gateway
fi
if [[ -z $STOP_REASON ]] && begin_phase retire-old-control-plane 'Turn off the 1.4 control plane'; then
  phase_retire_old_control_plane
fi
summary
FINISHED=true
if [[ $HALTED == true ]]; then exit 1; fi
