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
#   Phase cluster-upgrade (scan: todo): the current phase, what --apply runs
#     - Back up the custom resources in istio-system: Cluster shop-prod [gke-upgrade-cr-deletion]
#     - Back up the add-on ingress gateway before the master upgrade: Deployment istio-system/istio-ingressgateway [ingress-gateway-upgrade-disruption]
#     - Upgrade the GKE master (asks first): Cluster shop-prod [gke-version-istio16, gke-upgrade-cr-deletion]
#   Phase prepare (scan: blocked)
#     - Check the 1.6 istiod (read-only): Namespace istio-system [istiod-revision-ready]
#     - Restrict the 1.4 galley ClusterRole to get: ClusterRole istio-galley-istio-system [galley-webhook-clusterrole]
#     - Back up and delete the 1.4 galley validating webhook: ValidatingWebhookConfiguration istio-galley [galley-validating-webhook]
#     - Apply the v1beta1 replacements of the v1alpha1 policies (the old ones stay): 4 v1alpha1 policies (v1beta1-policies.yaml) [v1alpha1-security-policy]
#     - Review an EnvoyFilter (TODO): EnvoyFilter search/search-lua-headers [envoyfilter-usage]
#     - Replace Mixer configuration (TODO): handler shop/denylist-bots [mixer-custom-config]
#     - Replace Mixer configuration (TODO): rule shop/deny-bots [mixer-custom-config]
#     - Rewrite VirtualService fields 1.6 rejects (TODO): VirtualService catalog/catalog [virtualservice-removed-fields]
#     - Name Service ports (TODO): 6 Services [service-port-naming]
#   Phase migrate-namespaces (scan: blocked)
#     - Stop here while a v1beta1 replacement is missing: 4 v1alpha1 policies [v1alpha1-security-policy]
#     - Relabel the namespace (only once the revision is ready): 6 Namespaces [namespace-injection-labels]
#   Phase migrate-gateway (scan: blocked)
#     (nothing to do)
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
declare -rA PHASE_STATUS=([cluster-upgrade]="todo" [prepare]="blocked" [migrate-namespaces]="blocked" [migrate-gateway]="blocked" [retire-old-control-plane]="blocked" )
readonly CURRENT_PHASE=cluster-upgrade

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
readonly TITLE_1='Replace user Mixer configuration: deprecated in Istio 1.6, absent from Anthos Service Mesh'

step_1() {
  step gke-upgrade-cr-deletion 'Cluster shop-prod' 'Back up the custom resources in istio-system before the master upgrade'
  require_gcloud
  # Upgrading a 1.16 master to 1.17 before 1.17.12-gke.1501, or to 1.18 before 1.18.9-gke.1501,
  # deletes the custom resources created in istio-system. The scan found:
  #   Gateway/shop-gateway
  master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop || return 0
  note 'Keep these copies: an upgrade to an affected version deletes custom resources in istio-system.'
  backup istio-system-gateways.networking.istio.io.yaml kubectl get gateways.networking.istio.io -n istio-system -o yaml
  backup_namespaced_custom_resources istio-system-every-namespaced-kind.yaml
}

step_2() {
  step ingress-gateway-upgrade-disruption 'Deployment istio-system/istio-ingressgateway' 'Before the master upgrade: the add-on ingress gateway will restart'
  require_gcloud
  master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop || return 0
  note 'While the cluster upgrades, the add-on istio-ingressgateway is unavailable for about 5 minutes, and edits made to its Deployment are lost (the add-on manager restores its own manifest). To avoid both, install and manage your own gateway first (Istio on GKE: adding gateways).'
  note 'Edits found on it (field managers): kubectl-edit'
  backup deployment-istio-system-istio-ingressgateway.yaml kubectl get deployment -n istio-system istio-ingressgateway -o yaml
  note 'The backup above keeps those edits, to re-apply by hand after the upgrade.'
}

step_3() {
  step 'gke-version-istio16, gke-upgrade-cr-deletion' 'Cluster shop-prod' 'Upgrade the GKE master to 1.17.12-gke.1501 (guide, step 1)'
  require_gcloud
  master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop || return 0
  confirm_step 'Upgrades the control plane of cluster shop-prod to 1.17.12-gke.1501: the Kubernetes API of a zonal cluster is unavailable for several minutes, the add-on ingress gateway is down for about 5 minutes and loses edits made to its Deployment (see the step above). Istio 1.6 (operator and istiod) is then installed beside 1.4; node pools are not upgraded by this command.' || return 0
  run gcloud container clusters upgrade shop-prod --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-shop --quiet
  stop_after_phase 'the master was upgraded, so the rest of this script was planned for a cluster that no longer exists: scan again and use the new remediate.sh'
  check kubectl get pods -n istio-system
  note 'After the upgrade an istiod-<revision> pod runs beside the 1.4 components (guide, step 2).'
}

step_4() {
  step istiod-revision-ready 'Namespace istio-system' 'Check that the Istio 1.6 control plane (istiod) runs beside 1.4 (guide, step 2)'
  note 'The scan found no istiod with an istio.io/rev label: it comes with the cluster upgrade (GKE 1.17.9-gke.6300 or later).'
  check kubectl get pods -n istio-system -l app=istiod --show-labels
  note 'Namespaces can only move to a revision whose istiod is Running and Ready; the next phase checks it again.'
}

step_5() {
  step galley-webhook-clusterrole 'ClusterRole istio-galley-istio-system' 'Let the 1.4 galley only get validatingwebhookconfigurations, so it cannot re-create its webhook (guide, step 4)'
  restrict_galley_clusterrole istio-galley-istio-system 0 clusterrole-istio-galley-istio-system.yaml
}

step_6() {
  step galley-validating-webhook 'ValidatingWebhookConfiguration istio-galley' 'Back up, then delete the 1.4 galley validating webhook (guide, step 4)'
  object_exists validatingwebhookconfiguration istio-galley || return 0
  backup validatingwebhookconfiguration-istio-galley.yaml kubectl get validatingwebhookconfiguration istio-galley -o yaml
  run kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found
}

step_7() {
  step v1alpha1-security-policy '4 v1alpha1 policies (v1beta1-policies.yaml)' 'Apply the v1beta1 replacements meshready wrote; the v1alpha1 policies stay until the 1.4 proxies are gone (guide, step 3)'
  precondition 'the 1.4 galley webhook is gone (it rejects the kinds it does not know)' galley_webhook_gone || return 0
  note 'Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply) and each replacement is checked. The v1alpha1 objects stay until no 1.4 proxy or gateway runs.'
  apply_v1beta1_policies v1beta1-policies.yaml
  check kubectl get authorizationpolicies.security.istio.io -n payments deny-by-default
  check kubectl get peerauthentications.security.istio.io -n auth jwt-auth-auth
  check kubectl get requestauthentications.security.istio.io -n auth jwt-auth-auth
  check kubectl get authorizationpolicies.security.istio.io -n auth jwt-auth-auth
  check kubectl get authorizationpolicies.security.istio.io -n payments payments-reader-binding
}

step_8() {
  step envoyfilter-usage 'EnvoyFilter search/search-lua-headers' 'Review an EnvoyFilter before the proxies change version'
  # Human decision: EnvoyFilter patches reach into Envoy internals that change between versions.
  # Check it against the 1.6 proxy; while 1.4 and 1.6 proxies coexist, give each version its own
  # copy, selected with match.proxy.proxyVersion (for example '^1\.6.*').
  todo 'Check that this EnvoyFilter works with the 1.6 proxy (or add a 1.6 copy matched by proxyVersion) before moving its workloads'
  todo_command kubectl get envoyfilter -n search search-lua-headers -o yaml
}

step_9() {
  step mixer-custom-config 'handler shop/denylist-bots' "$TITLE_1"
  # Human decision: move what this object does elsewhere (telemetry v2 for metrics, an
  # AuthorizationPolicy or an external authorizer for policy checks) before the 1.4 control
  # plane (istio-policy, istio-telemetry) is turned off.
  todo 'Replace what this handler does before the 1.4 control plane is turned off, then delete it'
  todo_command kubectl get handlers.config.istio.io -n shop denylist-bots -o yaml
}

step_10() {
  step mixer-custom-config 'rule shop/deny-bots' "$TITLE_1"
  todo 'Replace what this rule does before the 1.4 control plane is turned off, then delete it'
  todo_command kubectl get rules.config.istio.io -n shop deny-bots -o yaml
}

step_11() {
  step virtualservice-removed-fields 'VirtualService catalog/catalog' 'Remove fields Istio 1.6 no longer accepts from a VirtualService'
  # Human decision: each field found, and what replaces it in Istio 1.6:
  #   spec.http[0].websocketUpgrade -> nothing: delete it (WebSocket upgrades are allowed by default)
  #   spec.http[0].appendHeaders -> headers.request.add
  todo 'Rewrite these fields: spec.http[0].websocketUpgrade, spec.http[0].appendHeaders'
  todo_command kubectl edit virtualservice -n catalog catalog
}

step_12() {
  step service-port-naming '6 Services' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp). Ports:
  #   auth/auth: 9090/TCP (name "metrics")
  #   catalog/catalog: 80/TCP (name "web")
  #     suggestion, on strong evidence but still to check: port 80: "http" (port 80 carries HTTP by convention)
  #   legacy/soap-gateway: 8081/TCP (name "soap")
  #   monitoring/node-exporter: 9100/TCP (name "metrics")
  #   shop/cart: 8080/TCP (unnamed)
  #   staging/frontend: 80/TCP (unnamed)
  #     suggestion, on strong evidence but still to check: port 80: "http-web" (its targetPort is named "http-web")
  todo 'Name the ports of these 6 Services <protocol>[-<suffix>], one command each below'
  each_command todo_command 6 4,5 kubectl edit service -n auth auth auth auth catalog catalog legacy soap-gateway monitoring node-exporter shop cart staging frontend
  todo_command kubectl patch service -n catalog catalog --type=json -p '[{"op":"add","path":"/spec/ports/0/name","value":"http"}]'
  todo_command kubectl patch service -n staging frontend --type=json -p '[{"op":"add","path":"/spec/ports/0/name","value":"http-web"}]'
}

step_13() {
  step v1alpha1-security-policy '4 v1alpha1 policies' 'Check that each v1alpha1 policy has its v1beta1 replacement before workloads move to new proxies'
  if ! v1beta1_replacements_exist object authorizationpolicies.security.istio.io payments deny-by-default object peerauthentications.security.istio.io auth jwt-auth-auth object requestauthentications.security.istio.io auth jwt-auth-auth object authorizationpolicies.security.istio.io auth jwt-auth-auth object authorizationpolicies.security.istio.io payments payments-reader-binding; then
    halt_phase 'v1alpha1 policies found by the scan have no v1beta1 replacement in the cluster yet: apply them first (phase prepare), or the moved workloads lose the security they express. Stopping this phase.'
    return 0
  fi
}

step_14() {
  step namespace-injection-labels '6 Namespaces' 'Point the namespaces at the new control plane, once it runs (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel these 6 namespaces with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  each_command todo_command 7 3 kubectl label namespace auth istio-injection- istio.io/rev=REVISION --overwrite auth catalog payments search shop staging
}

step_15() {
  step old-control-plane-scaledown 'Deployments istio-system/istio-*' 'Scale the 1.4 control plane down to 0 replicas'
  withhold 'the scan says: proxies still use the 1.4 control plane (19 workload pods and 2 ingress gateway pods on a version before 1.6)'
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: todo)
phase_cluster_upgrade() {
  step_1
  step_2
  step_3
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: blocked)
phase_prepare() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_4
  step_5
  step_6
  step_7
  step_8
  step_9
  step_10
  step_11
  step_12
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: blocked)
phase_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_13
  if [[ $HALTED == true ]]; then return 0; fi
  step_14
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-gateway: Move the ingress gateway to Istio 1.6 (scan: blocked)
phase_migrate_gateway() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase retire-old-control-plane: Turn off the 1.4 control plane (scan: blocked)
phase_retire_old_control_plane() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'
  step_15
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
