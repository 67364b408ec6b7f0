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
# The plan: phases in order, one line per step.
#   Phase cluster-upgrade (scan: todo): the current phase, what --apply runs
#     - Back up the custom resources in istio-system: Cluster shop-prod [gke-upgrade-cr-deletion]
#     - Back up the add-on ingress gateway before the master upgrade: Deployment istio-system/istio-ingressgateway [ingress-gateway-upgrade-disruption]
#     - Upgrade the GKE master (asks first): Cluster shop-prod [gke-version-istio16, gke-upgrade-cr-deletion]
#   Phase prepare (scan: blocked)
#     - Check the 1.6 istiod (read-only): Namespace istio-system [istiod-revision-ready]
#     - Apply the converted v1beta1 policy, then back up and delete the v1alpha1 one: ClusterRbacConfig default [v1alpha1-security-policy]
#     - Apply the converted v1beta1 policy, then back up and delete the v1alpha1 one: Policy auth/jwt-auth [v1alpha1-security-policy]
#     - Apply the converted v1beta1 policy, then back up and delete the v1alpha1 one: ServiceRole payments/payments-reader [v1alpha1-security-policy]
#     - Apply the converted v1beta1 policy, then back up and delete the v1alpha1 one: ServiceRoleBinding payments/payments-reader-binding [v1alpha1-security-policy]
#     - Restrict the 1.4 galley ClusterRole to get: ClusterRole istio-galley-istio-system [galley-webhook-clusterrole]
#     - Back up and delete the 1.4 galley validating webhook: ValidatingWebhookConfiguration istio-galley [galley-validating-webhook]
#     - Review an EnvoyFilter (TODO): EnvoyFilter search/search-lua-headers [envoyfilter-usage]
#     - Replace Mixer configuration (TODO): handler shop/denylist-bots [mixer-custom-config]
#     - Replace Mixer configuration (TODO): rule shop/deny-bots [mixer-custom-config]
#     - Rewrite VirtualService fields 1.6 rejects (TODO): VirtualService catalog/catalog [virtualservice-removed-fields]
#     - Name Service ports (TODO): Service auth/auth [service-port-naming]
#     - Name Service ports (TODO): Service catalog/catalog [service-port-naming]
#     - Name Service ports (TODO): Service legacy/soap-gateway [service-port-naming]
#     - Name Service ports (TODO): Service monitoring/node-exporter [service-port-naming]
#     - Name Service ports (TODO): Service shop/cart [service-port-naming]
#     - Name Service ports (TODO): Service staging/frontend [service-port-naming]
#   Phase migrate-namespaces (scan: blocked)
#     - Stop here while v1alpha1 policies remain: 4 v1alpha1 policies [v1alpha1-security-policy]
#     - Relabel the namespace (only once the revision is ready): Namespace auth [namespace-injection-labels]
#     - Relabel the namespace (only once the revision is ready): Namespace catalog [namespace-injection-labels]
#     - Relabel the namespace (only once the revision is ready): Namespace payments [namespace-injection-labels]
#     - Relabel the namespace (only once the revision is ready): Namespace search [namespace-injection-labels]
#     - Relabel the namespace (only once the revision is ready): Namespace shop [namespace-injection-labels]
#     - Relabel the namespace (only once the revision is ready): Namespace staging [namespace-injection-labels]
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

Exit status: 0 finished (see the summary for TODO and withheld steps), 1 refused or a command
failed (nothing after it ran), 2 usage error.
USAGE
  printf '\nPhases of this script (target %s), with what the scan found:\n' "$SCAN_TARGET"
  local phase
  for phase in "${PHASES[@]}"; do printf '  %-26s %s\n' "$phase" "${PHASE_STATUS[$phase]}"; done
}

# ---------------------------------------------------------------------------------------------
# Options
MODE=dry-run
ASSUME_YES=false
ONLY_PHASE=
CONTEXT_OVERRIDE=
BACKUP_DIR=./meshready-backup-$(date -u +%Y%m%dT%H%M%SZ)

usage_error() {
  printf 'remediate.sh: %s (see --help)\n' "$1" >&2
  exit 2
}

while (($# > 0)); do
  case $1 in
    --apply) MODE=apply ;;
    -y | --yes) ASSUME_YES=true ;;
    --phase)
      (($# > 1)) || usage_error "--phase needs a phase id"
      ONLY_PHASE=$2
      shift
      ;;
    --phase=*) ONLY_PHASE=${1#--phase=} ;;
    --context)
      (($# > 1)) || usage_error "--context needs a kubectl context name"
      CONTEXT_OVERRIDE=$2
      shift
      ;;
    --context=*) CONTEXT_OVERRIDE=${1#--context=} ;;
    --backup-dir)
      (($# > 1)) || usage_error "--backup-dir needs a directory"
      BACKUP_DIR=$2
      shift
      ;;
    --backup-dir=*) BACKUP_DIR=${1#--backup-dir=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown option: $1" ;;
  esac
  shift
done

if [[ -n $ONLY_PHASE ]]; then
  known=false
  for phase in "${PHASES[@]}"; do
    if [[ $phase == "$ONLY_PHASE" ]]; then known=true; fi
  done
  if [[ $known != true ]]; then usage_error "no phase $ONLY_PHASE in this script (phases: ${PHASES[*]})"; fi
fi
if [[ $MODE == apply && -n $ONLY_PHASE && ${PHASE_STATUS[$ONLY_PHASE]} == blocked && $ASSUME_YES != true && ! -t 0 ]]; then
  printf 'remediate.sh: refusing: the scan reported phase %s blocked (phase %s is not done), and without a terminal that cannot be confirmed. Finish %s and scan again, or pass --yes to run %s anyway.\n' \
    "$ONLY_PHASE" "$CURRENT_PHASE" "$CURRENT_PHASE" "$ONLY_PHASE" >&2
  exit 1
fi
if [[ $MODE == apply && $ASSUME_YES != true && ! -t 0 ]]; then
  usage_error "--apply without a terminal needs --yes (nothing can be confirmed interactively)"
fi
if [[ $MODE != apply && $ASSUME_YES == true ]]; then
  usage_error "--yes only makes sense with --apply"
fi

# ---------------------------------------------------------------------------------------------
# Running, printing and checking commands
KUBE_CONTEXT=
GCLOUD_PROJECT_CHECKED=false
STEP_NUMBER=0
CURRENT_STEP=
CHANGES=0
TODO_STEPS=()
WITHHELD_STEPS=()
STOP_REASON=
FINISHED=false

applying() { [[ $MODE == apply ]]; }
say() { printf '%s\n' "$*"; }
fail() {
  printf 'remediate.sh: %s\n' "$1" >&2
  exit 1
}
# A value as a shell word, for messages and printed commands. In the C locale every byte that is
# not printable ASCII (control characters, but also the bytes of bidi overrides such as U+202E)
# is written as an escape by %q, so a printed command can never drive the terminal.
shell_word() {
  local word=$1 LC_ALL=C
  if [[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
    printf '%s' "$word"
  elif [[ $word == *[![:print:]]* ]]; then
    printf '%q' "$word"
  else
    printf "'%s'" "${word//\'/\'\\\'\'}"
  fi
}
print_command() {
  local prefix=$1 line='' word
  shift
  for word in "$@"; do line+=" $(shell_word "$word")"; done
  printf '%s%s\n' "$prefix" "${line# }"
}
on_exit() {
  local status=$?
  if [[ $FINISHED != true && $status -ne 0 && $status -ne 2 ]]; then
    printf '\nremediate.sh stopped (exit %d) during: %s\nSteps above ran; nothing after this point did.' "$status" "${CURRENT_STEP:-the checks}" >&2
    if [[ -d $BACKUP_DIR ]]; then printf ' Backups so far: %s' "$BACKUP_DIR" >&2; fi
    printf '\n' >&2
  fi
}
trap on_exit EXIT

# Runs kubectl pinned to the checked context, and gcloud after the project check.
invoke() {
  case $1 in
    kubectl)
      shift
      command kubectl --context "$KUBE_CONTEXT" "$@"
      ;;
    gcloud)
      shift
      check_gcloud_project
      command gcloud "$@"
      ;;
    *) "$@" ;;
  esac
}
# A read-only query whose output a step needs (apply mode only: a dry run contacts nothing).
query() { invoke "$@"; }

# A change: printed, and run only with --apply.
run() {
  if applying; then
    print_command '    + ' "$@"
    invoke "$@"
    CHANGES=$((CHANGES + 1))
  else
    print_command '    would run: ' "$@"
  fi
}
# A read-only check whose output is for you to read (the guide's verification commands).
check() {
  if applying; then
    print_command '    $ ' "$@"
    invoke "$@"
  else
    print_command '    would check: ' "$@"
  fi
}
ensure_backup_dir() {
  if [[ ! -d $BACKUP_DIR ]]; then
    (umask 077 && mkdir -p -- "$BACKUP_DIR")
    say "    (backups go to $BACKUP_DIR)"
  fi
}
# Saves a command's YAML output in the backup directory before a destructive change.
backup() {
  local file=$1
  shift
  if applying; then
    ensure_backup_dir
    print_command '    + ' "$@"
    printf '      > %s\n' "$BACKUP_DIR/$file"
    invoke "$@" >"$BACKUP_DIR/$file"
  else
    print_command '    would save: ' "$@"
    printf '      > %s\n' "$BACKUP_DIR/$file"
  fi
}

step() {
  STEP_NUMBER=$((STEP_NUMBER + 1))
  CURRENT_STEP="step $STEP_NUMBER [$1] $2"
  printf '\n--- Step %d [%s] %s\n    %s\n' "$STEP_NUMBER" "$1" "$2" "$3"
}
note() { printf '    %s\n' "$@"; }
todo() {
  TODO_STEPS+=("$CURRENT_STEP: $1")
  printf '    TODO (needs you, never run by this script): %s\n' "$1"
}
todo_command() { print_command '      $ ' "$@"; }
done_already() { printf '    Nothing to do: %s\n' "$1"; }
withhold() {
  WITHHELD_STEPS+=("$CURRENT_STEP: $1")
  printf '    Withheld: %s\n' "$1"
}

# With --apply, no phase after this one runs (the cluster changed under the plan).
stop_after_phase() {
  if applying; then STOP_REASON=$1; fi
}

# 0 (yes) with --yes; otherwise asks on the terminal.
ask() {
  local answer=
  if [[ $ASSUME_YES == true ]]; then return 0; fi
  read -r -p "$1 [y/N] " answer || true
  [[ $answer == [yY] || $answer == [yY][eE][sS] ]]
}
# A disruptive step: its impact is printed, and with --apply it runs only once confirmed.
confirm_step() {
  printf '    Impact: %s\n' "$1"
  if ! applying; then
    note '(with --apply this step asks for confirmation, unless --yes is given)'
    return 0
  fi
  if ask '    Run this step?'; then return 0; fi
  withhold 'not confirmed'
  return 1
}

# True when the object exists (always, in a dry run). Arguments: kubectl get arguments.
object_exists() {
  applying || return 0
  local found
  found=$(query kubectl get "$@" --ignore-not-found -o name) || fail "cannot read $(shell_word "$*")"
  if [[ -z $found ]]; then
    done_already 'it does not exist (any more)'
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# The cluster checks: --apply refuses to touch anything but the scanned cluster
check_context() {
  command -v kubectl >/dev/null || fail 'kubectl is not installed'
  local current expected matched=false
  current=$(command kubectl config current-context 2>/dev/null) || fail 'kubectl has no current context'
  if [[ -n $CONTEXT_OVERRIDE ]]; then
    if [[ $current != "$CONTEXT_OVERRIDE" ]]; then
      fail "kubectl's current context is $(shell_word "$current"), not $(shell_word "$CONTEXT_OVERRIDE") (--context): refusing"
    fi
  elif ((${#SCAN_CONTEXTS[@]} == 0)); then
    fail 'the scan recorded no cluster identity, so this script cannot tell whether kubectl points at the scanned cluster: pass --context NAME (the context of the scanned cluster) to confirm it'
  else
    for expected in "${SCAN_CONTEXTS[@]}"; do
      if [[ $current == "$expected" ]]; then matched=true; fi
    done
    if [[ $matched != true ]]; then
      fail "kubectl's current context is $(shell_word "$current"), but the scan was of $(shell_word "${SCAN_CONTEXTS[0]}"): refusing. Switch context (kubectl config use-context ...), or pass --context NAME if that context is the scanned cluster"
    fi
  fi
  KUBE_CONTEXT=$current
  say "kubectl context $(shell_word "$KUBE_CONTEXT") is the scanned cluster: every kubectl command below is pinned to it."
}
check_gcloud_project() {
  if [[ $GCLOUD_PROJECT_CHECKED == true ]]; then return 0; fi
  command -v gcloud >/dev/null || fail 'gcloud is not installed'
  [[ -n $SCAN_PROJECT ]] || fail 'the scan recorded no GCP project, so gcloud steps cannot be checked: refusing'
  local current
  current=$(command gcloud config get-value project 2>/dev/null) || fail 'cannot read the gcloud project (gcloud config get-value project)'
  if [[ $current != "$SCAN_PROJECT" ]]; then
    fail "gcloud's project is $(shell_word "$current"), but the scan was of project $(shell_word "$SCAN_PROJECT"): refusing. Run: gcloud config set project $(shell_word "$SCAN_PROJECT")"
  fi
  GCLOUD_PROJECT_CHECKED=true
}
# Called at the start of a step that uses gcloud, so the check runs once, before its first call.
require_gcloud() {
  if applying; then check_gcloud_project; fi
}

# Whether phase $1 runs: with --phase, only that one; with a plain --apply, only the scan's current
# phase (SPEC §9); a dry run prints them all.
begin_phase() {
  local id=$1 title=$2 status=${PHASE_STATUS[$1]}
  if [[ -n $ONLY_PHASE && $ONLY_PHASE != "$id" ]]; then return 1; fi
  printf '\n=== Phase %s: %s\n    (scan: %s)\n' "$id" "$title" "$status"
  if [[ -z $ONLY_PHASE && $id != "$CURRENT_PHASE" ]]; then
    local why="blocked until phase $CURRENT_PHASE is done: scan again then, and use the new remediate.sh"
    if [[ $status == 'done' ]]; then why='the scan found it done'; fi
    if applying; then
      say "    Not run: $why."
      return 1
    fi
    note "(--apply does not run it: $why)"
  elif [[ -z $ONLY_PHASE ]] && ! applying; then
    note '(the current phase: --apply runs this one, then stops)'
  fi
  applying || return 0
  if [[ $status == blocked ]]; then
    say "    Warning: the scan reported this phase blocked: phase $CURRENT_PHASE is not done. Its steps were planned from that state; each still checks the cluster before it changes anything."
    if ! ask "Run phase $id anyway?"; then
      say "    Skipped phase $id: not confirmed."
      return 1
    fi
  elif ! ask "Apply phase $id?"; then
    say "    Skipped phase $id: not confirmed."
    return 1
  fi
}

# Run-time preconditions (SPEC §9). Each check reads the cluster at the moment of the change and
# is true when the step may go ahead; when false it says why in CHECK_REASON. Steps call them
# through `precondition`, never ad hoc, so every safety rule of the script is one of these.
# They run as an `if` condition, where `set -e` does not apply: every read is followed by
# `|| fail`, so a failed kubectl stops the script instead of passing the check.
CHECK_REASON=

# With --apply: runs the check (the remaining arguments); a false one withholds the step with its
# reason. In a dry run: says what --apply will check. Argument 1 names the condition.
precondition() {
  local condition=$1
  shift
  if ! applying; then
    note "(with --apply, checked first: $condition)"
    return 0
  fi
  CHECK_REASON=
  if "$@"; then return 0; fi
  withhold "${CHECK_REASON:-the check failed} (checked: $condition)"
  return 1
}

# Namespaces (names only, one a line) matching a label selector.
namespaces_labelled() {
  local names
  names=$(query kubectl get namespaces -l "$1" -o name) || fail 'cannot list the namespaces'
  printf '%s' "${names//namespace\//}"
}

# True when a Deployment of istiod for revision $1 in istio-system has a ready replica.
istiod_revision_ready() {
  local revision=$1 replicas count
  replicas=$(query kubectl get deployment -n istio-system -l "app=istiod,istio.io/rev=$revision" \
    -o jsonpath='{range .items[*]}{.status.readyReplicas}{"\n"}{end}') ||
    fail 'cannot list the istiod Deployments'
  while IFS= read -r count; do
    if [[ $count =~ ^[1-9][0-9]*$ ]]; then return 0; fi
  done <<<"$replicas"
  CHECK_REASON="no ready istiod runs revision $(shell_word "$revision")"
  return 1
}

# istio.io/rev|readyReplicas of each istiod Deployment in istio-system, one a line.
istiod_revisions() {
  query kubectl get deployment -n istio-system -l app=istiod \
    -o jsonpath='{range .items[*]}{.metadata.labels.istio\.io/rev}{"|"}{.status.readyReplicas}{"\n"}{end}' ||
    fail 'cannot list the istiod Deployments'
}

# True when an istiod of an asm-* revision is ready in istio-system.
asm_istiod_ready() {
  local lines revision ready
  lines=$(istiod_revisions) || fail 'cannot list the istiod Deployments'
  while IFS='|' read -r revision ready; do
    if [[ $revision == asm-* && $ready =~ ^[1-9][0-9]*$ ]]; then return 0; fi
  done <<<"$lines"
  CHECK_REASON='no asm-* istiod is ready in istio-system: run install_asm first'
  return 1
}

# True when namespace $1 selects (istio.io/rev) a revision matching the glob $2 whose istiod is
# ready, and no longer carries istio-injection (with it, the 1.4 injector still serves it).
namespace_selects_revision() {
  local namespace=$1 pattern=$2 labels revision
  labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
  if label_value "$labels" istio-injection >/dev/null; then
    CHECK_REASON="namespace $(shell_word "$namespace") still has the istio-injection label"
    return 1
  fi
  if ! revision=$(label_value "$labels" istio.io/rev); then
    CHECK_REASON="namespace $(shell_word "$namespace") selects no revision (no istio.io/rev label)"
    return 1
  fi
  # shellcheck disable=SC2053
  if [[ $revision != $pattern ]]; then
    CHECK_REASON="namespace $(shell_word "$namespace") selects revision $(shell_word "$revision"), not $(shell_word "$pattern")"
    return 1
  fi
  istiod_revision_ready "$revision"
}

# True when no namespace selects the 1.4 injector (istio-injection=enabled): even with no pod
# running there, the next pod would be rejected once the 1.4 injector is gone (failurePolicy: Fail).
no_namespace_on_old_injector() {
  local names
  names=$(namespaces_labelled istio-injection=enabled) || fail 'cannot list the namespaces'
  if [[ -n $names ]]; then
    CHECK_REASON="namespaces still select the 1.4 injector (istio-injection=enabled): ${names//$'\n'/, }"
    return 1
  fi
}

# True when no pod runs a 1.4 proxy (listing a few when some do).
no_pod_on_old_proxy() {
  if old_proxies_remain; then
    CHECK_REASON='pods still run a 1.4 proxy (listed above): they would lose their control plane'
    return 1
  fi
}

# True when the 1.4 galley validating webhook is gone (with galley at 0 replicas it would reject
# every Istio configuration change).
galley_webhook_gone() {
  local found
  found=$(query kubectl get validatingwebhookconfiguration istio-galley --ignore-not-found -o name) ||
    fail 'cannot read the validating webhooks'
  if [[ -n $found ]]; then
    CHECK_REASON='the 1.4 galley webhook (ValidatingWebhookConfiguration istio-galley) still exists: finish phase prepare first'
    return 1
  fi
}

# True when no namespace selects, and no pod runs on, a revision of IstioOperator $1: its
# spec.revision and every istiod revision in istio-system that is not asm-*. A pod with a proxy
# but no istio.io/rev label counts as on it unless its image is a 1.4 or an ASM one.
nothing_on_operator_revision() {
  local operator=$1 revision istiods names pods where pod_revision images image
  local -a revisions=() list
  revision=$(query kubectl get istiooperator -n istio-system "$operator" -o jsonpath='{.spec.revision}') ||
    fail "cannot read IstioOperator $(shell_word "$operator")"
  if [[ -n $revision ]]; then revisions+=("$revision"); fi
  istiods=$(istiod_revisions) || fail 'cannot list the istiod Deployments'
  while IFS='|' read -r revision _; do
    if [[ -n $revision && $revision != asm-* ]]; then revisions+=("$revision"); fi
  done <<<"$istiods"
  for revision in "${revisions[@]}"; do
    names=$(namespaces_labelled "istio.io/rev=$revision") || fail 'cannot list the namespaces'
    if [[ -n $names ]]; then
      CHECK_REASON="namespaces still select the operator's revision $(shell_word "$revision"): ${names//$'\n'/, } (relabel them and restart their workloads first: phase asm-migrate-namespaces)"
      return 1
    fi
  done
  pods=$(query kubectl get pods --all-namespaces -o "jsonpath=$POD_PROXIES_JSONPATH") ||
    fail 'cannot list the pods'
  while IFS='|' read -r where _ pod_revision images; do
    read -ra list <<<"$images"
    ((${#list[@]} > 0)) || continue
    if [[ -n $pod_revision ]]; then
      for revision in "${revisions[@]}"; do
        if [[ $pod_revision == "$revision" ]]; then
          CHECK_REASON="pod $(shell_word "$where") still runs on the operator's revision $(shell_word "$revision")"
          return 1
        fi
      done
      continue
    fi
    for image in "${list[@]}"; do
      if ! is_old_proxy "$image" && [[ $image != *-asm.* ]]; then
        CHECK_REASON="pod $(shell_word "$where") runs proxy $(shell_word "$image") without an istio.io/rev label: it may be on the operator's control plane"
        return 1
      fi
    done
  done <<<"$pods"
}

# One line per rule entry of a ClusterRole: index|apiGroups,|resources,|verbs,
readonly CLUSTERROLE_RULES_TEMPLATE='{{range $i, $r := .rules}}{{$i}}|{{range $r.apiGroups}}{{.}},{{end}}|{{range $r.resources}}{{.}},{{end}}|{{range $r.verbs}}{{.}},{{end}}{{"\n"}}{{end}}'

# JSON patch operations restricting rule entry $1 to get; the test operations make the patch fail
# if the entry is no longer the one checked.
galley_patch_operations() {
  printf '{"op":"test","path":"/rules/%d/apiGroups","value":["admissionregistration.k8s.io"]},' "$1"
  printf '{"op":"test","path":"/rules/%d/resources","value":["validatingwebhookconfigurations"]},' "$1"
  printf '{"op":"replace","path":"/rules/%d/verbs","value":["get"]}' "$1"
}

# Restricts the verbs on validatingwebhookconfigurations to get. The scan's rule index is only a
# hint: the entries are read again and every one granting more than get is patched.
restrict_galley_clusterrole() {
  local name=$1 scanned_index=$2 backup_file=$3
  if ! applying; then
    run kubectl patch clusterrole "$name" --type=json -p "[$(galley_patch_operations "$scanned_index")]"
    note "(with --apply the rule entries are read again: the scan saw this one at index $scanned_index)"
    return 0
  fi
  local entries index groups resources verbs operations='' indexes='' by_hand=''
  object_exists clusterrole "$name" || return 0
  entries=$(query kubectl get clusterrole "$name" -o go-template="$CLUSTERROLE_RULES_TEMPLATE") ||
    fail "cannot read ClusterRole $(shell_word "$name")"
  while IFS='|' read -r index groups resources verbs; do
    [[ $index =~ ^[0-9]+$ ]] || continue
    if [[ ,$groups != *,admissionregistration.k8s.io,* && ,$groups != *,\*,* ]]; then continue; fi
    if [[ ,$resources != *,validatingwebhookconfigurations,* && ,$resources != *,\*,* ]]; then continue; fi
    if [[ $verbs == get, ]]; then continue; fi
    if [[ $groups == admissionregistration.k8s.io, && $resources == validatingwebhookconfigurations, ]]; then
      operations+=${operations:+,}$(galley_patch_operations "$index")
      indexes+=" $index"
    else
      by_hand+=" $index"
    fi
  done <<<"$entries"
  if [[ -n $by_hand ]]; then
    todo "rule entries${by_hand} of ClusterRole $(shell_word "$name") grant more than get on validatingwebhookconfigurations through wildcards: narrow them by hand (changing them here could remove other permissions)"
    todo_command kubectl edit clusterrole "$name"
  fi
  if [[ -z $operations ]]; then
    if [[ -z $by_hand ]]; then done_already 'no rule entry grants more than get on validatingwebhookconfigurations'; fi
    return 0
  fi
  if [[ $indexes != " $scanned_index" ]]; then note "rule entries to restrict:${indexes} (the scan saw index $scanned_index)"; fi
  backup "$backup_file" kubectl get clusterrole "$name" -o yaml
  run kubectl patch clusterrole "$name" --type=json -p "[$operations]"
}

# True when the master runs a version below $1 (always, in a dry run). Then: cluster, gcloud scope.
master_below() {
  local wanted=$1 cluster=$2 current
  shift 2
  applying || return 0
  current=$(query gcloud container clusters describe "$cluster" "$@" --format='value(currentMasterVersion)') ||
    fail "cannot read the master version of cluster $(shell_word "$cluster")"
  if ! version_below "$current" "$wanted"; then
    done_already "the master already runs $(shell_word "$current")"
    return 1
  fi
}
# MAJOR.MINOR.PATCH-gke.N compared number by number (gke.500 < gke.1501): true when $1 < $2.
version_below() {
  local pattern='^v?([0-9]+)\.([0-9]+)\.([0-9]+)-gke\.([0-9]+)$' i
  local -a a b
  [[ $1 =~ $pattern ]] || fail "not a GKE version: $(shell_word "$1")"
  a=("${BASH_REMATCH[@]:1}")
  [[ $2 =~ $pattern ]] || fail "not a GKE version: $(shell_word "$2")"
  b=("${BASH_REMATCH[@]:1}")
  for i in 0 1 2 3; do
    if ((10#${a[i]} < 10#${b[i]})); then return 0; fi
    if ((10#${a[i]} > 10#${b[i]})); then return 1; fi
  done
  return 1
}

# One line per label of an object: key=value
readonly LABELS_TEMPLATE='{{range $k, $v := .metadata.labels}}{{$k}}={{$v}}{{"\n"}}{{end}}'

# Prints the value of label $2 in the label lines $1; false when it is absent.
label_value() {
  local line
  while IFS= read -r line; do
    if [[ $line == "$2="* ]]; then
      printf '%s' "${line#"$2="}"
      return 0
    fi
  done <<<"$1"
  return 1
}
namespace_labels() {
  query kubectl get namespace "$1" -o go-template="$LABELS_TEMPLATE"
}
# Labels namespace $1 istio.io/rev=$2 and removes istio-injection (guide, the same command).
relabel_namespace() {
  local namespace=$1 revision=$2 labels current
  if applying; then
    # A label value: letters, digits, '-', '_', '.'; anything else cannot be a revision.
    if [[ ! $revision =~ ^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$ ]]; then
      withhold "$(shell_word "$revision") cannot be an istio.io/rev label value"
      return 0
    fi
    object_exists namespace "$namespace" || return 0
    labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
    if current=$(label_value "$labels" istio.io/rev) && ! label_value "$labels" istio-injection >/dev/null; then
      if [[ $current == "$revision" ]]; then
        done_already "it is already labelled istio.io/rev=$(shell_word "$revision") without istio-injection"
        return 0
      fi
      # Never back from Anthos Service Mesh to the operator's revision (a report older than the move).
      if [[ $current == asm-* && $revision != asm-* ]]; then
        done_already "it already selects the Anthos Service Mesh revision $(shell_word "$current")"
        return 0
      fi
    fi
  fi
  precondition "a ready istiod runs revision $(shell_word "$revision")" istiod_revision_ready "$revision" || return 0
  run kubectl label namespace "$namespace" istio-injection- "istio.io/rev=$revision" --overwrite
}

# Each pod with its istio-proxy image(s): namespace/name|app label|istio.io/rev label|image image ...
readonly POD_PROXIES_JSONPATH='{range .items[*]}{.metadata.namespace}/{.metadata.name}|{.metadata.labels.app}|{.metadata.labels.istio\.io/rev}|{range .spec.containers[?(@.name=="istio-proxy")]}{.image} {end}{"\n"}{end}'
# Each pod's name and istio-proxy image, to read (the guide, step 5); used by the verify steps.
# shellcheck disable=SC2034
readonly POD_PROXY_IMAGES_JSONPATH='{range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\n"}{end}'
# A workload's matchLabels as a selector (EXPRESSIONS when it also uses matchExpressions).
readonly SELECTOR_TEMPLATE='{{with .spec.selector}}{{if .matchExpressions}}EXPRESSIONS{{end}}{{range $k, $v := .matchLabels}}{{$k}}={{$v}},{{end}}{{end}}'

# True when an image's tag is an Istio version below 1.6 (e.g. proxyv2:1.4.10-gke.4).
is_old_proxy() {
  local reference=${1%%@*} tag
  tag=${reference##*:}
  [[ $reference == *:* && $tag != */* && $tag =~ ^v?([0-9]+)\.([0-9]+)\. ]] || return 1
  ((10#${BASH_REMATCH[1]} < 1 || (10#${BASH_REMATCH[1]} == 1 && 10#${BASH_REMATCH[2]} < 6)))
}
# Each pod's name, istio-proxy image and istio.io/rev label (set by every 1.6+ injector).
readonly POD_REVISIONS_JSONPATH='{range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[?(@.name=="istio-proxy")]}{.image}{end}{"\t"}{.metadata.labels.istio\.io/rev}{"\n"}{end}'
# True when a pod of the workload runs a proxy that is not from revision $4 (a 1.4 proxy has no
# istio.io/rev label), or when its pods cannot be told from its selector.
workload_off_revision() {
  local type=$1 namespace=$2 name=$3 revision=$4 selector pods image pod_revision
  selector=$(query kubectl get "$type" "$name" -n "$namespace" -o go-template="$SELECTOR_TEMPLATE") ||
    fail "cannot read $type $(shell_word "$namespace/$name")"
  if [[ -z $selector || $selector == EXPRESSIONS* ]]; then
    note 'cannot tell which pods belong to it from its selector: restarting it anyway'
    return 0
  fi
  pods=$(query kubectl get pods -n "$namespace" -l "${selector%,}" -o "jsonpath=$POD_REVISIONS_JSONPATH") ||
    fail "cannot list the pods of $type $(shell_word "$namespace/$name")"
  while IFS=$'\t' read -r _ image pod_revision; do
    if [[ -n $image && $pod_revision != "$revision" ]]; then return 0; fi
  done <<<"$pods"
  return 1
}
# True when a proxy image's version cannot be read from its tag (e.g. a digest only).
is_unversioned_proxy() {
  local reference=${1%%@*} tag
  tag=${reference##*:}
  [[ $reference != *:* || $tag == */* || ! $tag =~ ^v?[0-9]+\.[0-9]+\. ]]
}
# Restarts a workload so that it gets the proxy of its namespace's revision, only once the
# namespace selects the target revision (glob $4), whose istiod is ready.
restart_workload() {
  local type=$1 namespace=$2 name=$3 target=$4
  precondition "namespace $(shell_word "$namespace") selects a ready revision $(shell_word "$target") (else a restart brings back the same proxy)" \
    namespace_selects_revision "$namespace" "$target" || return 0
  if applying; then
    object_exists "$type" "$name" -n "$namespace" || return 0
    local labels revision
    labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
    revision=$(label_value "$labels" istio.io/rev) || revision=
    if ! workload_off_revision "$type" "$namespace" "$name" "$revision"; then
      done_already "its pods already run the proxy of revision $(shell_word "$revision")"
      return 0
    fi
  fi
  run kubectl rollout restart "$type" "$name" -n "$namespace"
}
# True when a pod still runs a proxy below 1.6 (or one of unknown version without an istio.io/rev
# label, which every 1.6+ injector sets); lists a few. For ASM targets the add-on gateway is left
# out, as in the old-control-plane-scaledown rule (install_asm replaces it).
old_proxies_remain() {
  local pods where app revision images image count=0
  local -a list
  pods=$(query kubectl get pods --all-namespaces -o "jsonpath=$POD_PROXIES_JSONPATH") ||
    fail 'cannot list the pods'
  while IFS='|' read -r where app revision images; do
    if [[ $SCAN_TARGET != istio-1.6 && $where == istio-system/* && $app == istio-ingressgateway ]]; then continue; fi
    read -ra list <<<"$images"
    for image in "${list[@]}"; do
      if is_old_proxy "$image" || { [[ -z $revision ]] && is_unversioned_proxy "$image"; }; then
        count=$((count + 1))
        if ((count <= 5)); then note "still on a 1.4 proxy: $(shell_word "$where") ($(shell_word "$image"))"; fi
        break
      fi
    done
  done <<<"$pods"
  ((count > 0))
}

# The add-on's mesh-wide MeshPolicy default: addonmanager label|mTLS mode of each peer,|origins
readonly MESHPOLICY_JSONPATH='{.metadata.labels.addonmanager\.kubernetes\.io/mode}|{range .spec.peers[*]}{.mtls.mode}{","}{end}|{.spec.origins}'
# Each PeerAuthentication: name|selector|mTLS mode
readonly PEER_AUTHENTICATIONS_JSONPATH='{range .items[*]}{.metadata.name}|{.spec.selector}|{.spec.mtls.mode}{"\n"}{end}'

# True when the MeshPolicy `default` needs nothing before workloads move: the add-on's own,
# PERMISSIVE (1.6 defaults to PERMISSIVE, and the add-on manager re-creates the object, so waiting
# for it to go would wait forever), or a STRICT one already matched by a mesh-wide STRICT
# PeerAuthentication in istio-system.
meshpolicy_default_settled() {
  local resource=$1 fields manager modes origins mode strict
  fields=$(query kubectl get "$resource" default -o "jsonpath=$MESHPOLICY_JSONPATH") ||
    fail "cannot read $(shell_word "$resource") default"
  IFS='|' read -r manager modes origins <<<"$fields"
  if [[ -n $manager && -n $modes && -z $origins && ,$modes != *,,* && ${modes//PERMISSIVE,/} == '' ]]; then
    note "MeshPolicy default is the add-on's own, PERMISSIVE: Istio 1.6 is PERMISSIVE by default too, so it is left alone"
    return 0
  fi
  strict=$(query kubectl get peerauthentications.security.istio.io -n istio-system \
    -o "jsonpath=$PEER_AUTHENTICATIONS_JSONPATH" 2>/dev/null) || strict=''
  while IFS='|' read -r _ fields mode; do
    if [[ -z $fields && $mode == STRICT ]]; then
      note 'MeshPolicy default asks for mTLS, and a mesh-wide STRICT PeerAuthentication in istio-system already does the same for 1.6'
      return 0
    fi
  done <<<"$strict"
  note 'MeshPolicy default asks for mTLS: apply a mesh-wide PeerAuthentication (mtls.mode: STRICT, no selector) in istio-system first'
  return 1
}

# True when one of the v1alpha1 policies still needs migrating. Arguments: resource, namespace,
# name, repeated.
v1alpha1_policies_remain() {
  if ! applying; then
    note '(with --apply: this phase stops here while any of them still needs migrating;' \
      "the add-on's own PERMISSIVE MeshPolicy default does not count)"
    return 1
  fi
  local resource namespace name found remain=false
  local -a where
  while (($# >= 3)); do
    resource=$1 namespace=$2 name=$3
    shift 3
    where=()
    if [[ -n $namespace ]]; then where=(-n "$namespace"); fi
    found=$(query kubectl get "$resource" "${where[@]}" "$name" --ignore-not-found -o name) ||
      fail "cannot read $(shell_word "$resource") $(shell_word "$name")"
    if [[ -z $found ]]; then continue; fi
    if [[ $resource == meshpolicies* && -z $namespace && $name == default ]] && meshpolicy_default_settled "$resource"; then
      continue
    fi
    note "still there: $(shell_word "$found") $(shell_word "${namespace:-(cluster)}")"
    remain=true
  done
  if [[ $remain == true ]]; then return 0; fi
  note 'none of them needs migrating any more'
  return 1
}
# The v1beta1 policies file written by `meshready scan` next to this script.
v1beta1_policies_file() {
  local file
  file="$(dirname -- "${BASH_SOURCE[0]}")/$1"
  if applying && [[ ! -f $file ]]; then fail "$(shell_word "$file") is missing: rerun meshready scan, which writes it next to this script"; fi
  printf '%s' "$file"
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: todo)
phase_cluster_upgrade() {

  step gke-upgrade-cr-deletion 'Cluster shop-prod' 'Back up the custom resources in istio-system before the master upgrade'
  # Upgrading a 1.16 master to 1.17 before 1.17.12-gke.1501, or to 1.18 before 1.18.9-gke.1501,
  # deletes the custom resources created in istio-system. The scan found:
  #   Gateway/shop-gateway
  require_gcloud
  if master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop; then
    note 'Keep these copies: an upgrade to an affected version deletes custom resources in istio-system.'
    backup 01-istio-system-gateways.networking.istio.io.yaml kubectl get gateways.networking.istio.io -n istio-system -o yaml
  fi

  step ingress-gateway-upgrade-disruption 'Deployment istio-system/istio-ingressgateway' 'Before the master upgrade: the add-on ingress gateway will restart'
  require_gcloud
  if master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop; then
    note 'While the cluster upgrades, the add-on istio-ingressgateway is unavailable for about 5 minutes,' \
      'and edits made to its Deployment are lost (the add-on manager restores its own manifest).' \
      'To avoid both, install and manage your own gateway first (Istio on GKE: adding gateways).'
    note 'Edits found on it (field managers): kubectl-edit'
    backup 02-deployment-istio-system-istio-ingressgateway.yaml kubectl get deployment -n istio-system istio-ingressgateway -o yaml
    note 'The backup above keeps those edits, to re-apply by hand after the upgrade.'
  fi

  step 'gke-version-istio16, gke-upgrade-cr-deletion' 'Cluster shop-prod' 'Upgrade the GKE master to 1.17.12-gke.1501 (guide, step 1)'
  require_gcloud
  if master_below 1.17.12-gke.1501 shop-prod --location europe-west1-b --project acme-shop; then
    if confirm_step 'Upgrades the control plane of cluster shop-prod to 1.17.12-gke.1501: the Kubernetes API of a zonal cluster is unavailable for several minutes, the add-on ingress gateway is down for about 5 minutes and loses edits made to its Deployment (see the step above). Istio 1.6 (operator and istiod) is then installed beside 1.4; node pools are not upgraded by this command.'; then
      run gcloud container clusters upgrade shop-prod --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-shop --quiet
      stop_after_phase 'the master was upgraded, so the rest of this script was planned for a cluster that no longer exists: scan again and use the new remediate.sh'
    fi
  fi
  check kubectl get pods -n istio-system
  note 'After the upgrade an istiod-<revision> pod runs beside the 1.4 components (guide, step 2).'
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: blocked)
phase_prepare() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step istiod-revision-ready 'Namespace istio-system' 'Check that the Istio 1.6 control plane (istiod) runs beside 1.4 (guide, step 2)'
  note 'The scan found no istiod with an istio.io/rev label: it comes with the cluster upgrade (GKE 1.17.9-gke.6300 or later).'
  check kubectl get pods -n istio-system -l app=istiod --show-labels
  note 'Namespaces can only move to a revision whose istiod is Running and Ready; the next phase checks it again.'

  step v1alpha1-security-policy 'ClusterRbacConfig default' 'Apply the v1beta1 equivalent meshready wrote, then back up and delete the v1alpha1 object (guide, step 3)'
  note 'Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply), each object checked, and only then is the old object removed.'
  policies_file=$(v1beta1_policies_file v1beta1-policies.yaml)
  run kubectl apply --dry-run=server -f "$policies_file"
  run kubectl apply -f "$policies_file"
  check kubectl get authorizationpolicies.security.istio.io -n payments deny-by-default
  if object_exists clusterrbacconfigs.rbac.istio.io default; then
    backup 03-clusterrbacconfig-default.yaml kubectl get clusterrbacconfigs.rbac.istio.io default -o yaml
    run kubectl delete clusterrbacconfigs.rbac.istio.io default --ignore-not-found
  fi

  step v1alpha1-security-policy 'Policy auth/jwt-auth' 'Apply the v1beta1 equivalent meshready wrote, then back up and delete the v1alpha1 object (guide, step 3)'
  note 'Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply), each object checked, and only then is the old object removed.'
  policies_file=$(v1beta1_policies_file v1beta1-policies.yaml)
  run kubectl apply --dry-run=server -f "$policies_file"
  run kubectl apply -f "$policies_file"
  check kubectl get peerauthentications.security.istio.io -n auth jwt-auth-auth
  check kubectl get requestauthentications.security.istio.io -n auth jwt-auth-auth
  check kubectl get authorizationpolicies.security.istio.io -n auth jwt-auth-auth
  if object_exists policies.authentication.istio.io -n auth jwt-auth; then
    backup 04-policy-auth-jwt-auth.yaml kubectl get policies.authentication.istio.io -n auth jwt-auth -o yaml
    run kubectl delete policies.authentication.istio.io -n auth jwt-auth --ignore-not-found
  fi

  step v1alpha1-security-policy 'ServiceRole payments/payments-reader' 'Apply the v1beta1 equivalent meshready wrote, then back up and delete the v1alpha1 object (guide, step 3)'
  note 'Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply), each object checked, and only then is the old object removed.'
  policies_file=$(v1beta1_policies_file v1beta1-policies.yaml)
  run kubectl apply --dry-run=server -f "$policies_file"
  run kubectl apply -f "$policies_file"
  check kubectl get authorizationpolicies.security.istio.io -n payments payments-reader-binding
  if object_exists serviceroles.rbac.istio.io -n payments payments-reader; then
    backup 05-servicerole-payments-payments-reader.yaml kubectl get serviceroles.rbac.istio.io -n payments payments-reader -o yaml
    run kubectl delete serviceroles.rbac.istio.io -n payments payments-reader --ignore-not-found
  fi

  step v1alpha1-security-policy 'ServiceRoleBinding payments/payments-reader-binding' 'Apply the v1beta1 equivalent meshready wrote, then back up and delete the v1alpha1 object (guide, step 3)'
  note 'Review v1beta1-policies.yaml first: it is applied whole (server-side dry run, then apply), each object checked, and only then is the old object removed.'
  policies_file=$(v1beta1_policies_file v1beta1-policies.yaml)
  run kubectl apply --dry-run=server -f "$policies_file"
  run kubectl apply -f "$policies_file"
  check kubectl get authorizationpolicies.security.istio.io -n payments payments-reader-binding
  if object_exists servicerolebindings.rbac.istio.io -n payments payments-reader-binding; then
    backup 06-servicerolebinding-payments-payments-reader-binding.yaml kubectl get servicerolebindings.rbac.istio.io -n payments payments-reader-binding -o yaml
    run kubectl delete servicerolebindings.rbac.istio.io -n payments payments-reader-binding --ignore-not-found
  fi

  step galley-webhook-clusterrole 'ClusterRole istio-galley-istio-system' 'Let the 1.4 galley only get validatingwebhookconfigurations, so it cannot re-create its webhook (guide, step 4)'
  restrict_galley_clusterrole istio-galley-istio-system 0 07-clusterrole-istio-galley-istio-system.yaml

  step galley-validating-webhook 'ValidatingWebhookConfiguration istio-galley' 'Back up, then delete the 1.4 galley validating webhook (guide, step 4)'
  if object_exists validatingwebhookconfiguration istio-galley; then
    backup 08-validatingwebhookconfiguration-istio-galley.yaml kubectl get validatingwebhookconfiguration istio-galley -o yaml
    run kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found
  fi

  step envoyfilter-usage 'EnvoyFilter search/search-lua-headers' 'Review an EnvoyFilter before the proxies change version'
  # Human decision: EnvoyFilter patches reach into Envoy internals that change between versions.
  # Check it against the 1.6 proxy; while 1.4 and 1.6 proxies coexist, give each version its own
  # copy, selected with match.proxy.proxyVersion (for example '^1\.6.*').
  todo 'Check that this EnvoyFilter works with the 1.6 proxy (or add a 1.6 copy matched by proxyVersion) before moving its workloads'
  todo_command kubectl get envoyfilter -n search search-lua-headers -o yaml

  step mixer-custom-config 'handler shop/denylist-bots' 'Replace user Mixer configuration: deprecated in Istio 1.6, absent from Anthos Service Mesh'
  # Human decision: move what this object does elsewhere (telemetry v2 for metrics, an
  # AuthorizationPolicy or an external authorizer for policy checks) before the 1.4 control
  # plane (istio-policy, istio-telemetry) is turned off.
  todo 'Replace what this handler does before the 1.4 control plane is turned off, then delete it'
  todo_command kubectl get handlers.config.istio.io -n shop denylist-bots -o yaml

  step mixer-custom-config 'rule shop/deny-bots' 'Replace user Mixer configuration: deprecated in Istio 1.6, absent from Anthos Service Mesh'
  # Human decision: move what this object does elsewhere (telemetry v2 for metrics, an
  # AuthorizationPolicy or an external authorizer for policy checks) before the 1.4 control
  # plane (istio-policy, istio-telemetry) is turned off.
  todo 'Replace what this rule does before the 1.4 control plane is turned off, then delete it'
  todo_command kubectl get rules.config.istio.io -n shop deny-bots -o yaml

  step virtualservice-removed-fields 'VirtualService catalog/catalog' 'Remove fields Istio 1.6 no longer accepts from a VirtualService'
  # Human decision: appendHeaders becomes headers.request.add (appendResponseHeaders:
  # headers.response.add), websocketUpgrade is removed (WebSockets work without it), and
  # fault.abort.percent becomes fault.abort.percentage.value. Fields found:
  #   spec.http[0].websocketUpgrade
  #   spec.http[0].appendHeaders
  todo 'Rewrite these fields: spec.http[0].websocketUpgrade, spec.http[0].appendHeaders'
  todo_command kubectl edit virtualservice -n catalog catalog

  step service-port-naming 'Service auth/auth' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   9090/TCP (name "metrics")
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 9090/TCP (name "metrics")'
  todo_command kubectl edit service -n auth auth

  step service-port-naming 'Service catalog/catalog' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   80/TCP (name "web")
  #   suggestion, on strong evidence but still to check: port 80: "http" (port 80 carries HTTP by convention)
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 80/TCP (name "web")'
  todo_command kubectl edit service -n catalog catalog
  note 'Suggestion (check it before use): port 80: "http" (port 80 carries HTTP by convention)'
  todo_command kubectl patch service -n catalog catalog --type=json -p '[{"op":"add","path":"/spec/ports/0/name","value":"http"}]'

  step service-port-naming 'Service legacy/soap-gateway' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   8081/TCP (name "soap")
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 8081/TCP (name "soap")'
  todo_command kubectl edit service -n legacy soap-gateway

  step service-port-naming 'Service monitoring/node-exporter' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   9100/TCP (name "metrics")
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 9100/TCP (name "metrics")'
  todo_command kubectl edit service -n monitoring node-exporter

  step service-port-naming 'Service shop/cart' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   8080/TCP (unnamed)
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 8080/TCP (unnamed)'
  todo_command kubectl edit service -n shop cart

  step service-port-naming 'Service staging/frontend' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   80/TCP (unnamed)
  #   suggestion, on strong evidence but still to check: port 80: "http-web" (its targetPort is named "http-web")
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 80/TCP (unnamed)'
  todo_command kubectl edit service -n staging frontend
  note 'Suggestion (check it before use): port 80: "http-web" (its targetPort is named "http-web")'
  todo_command kubectl patch service -n staging frontend --type=json -p '[{"op":"add","path":"/spec/ports/0/name","value":"http-web"}]'
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: blocked)
phase_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step v1alpha1-security-policy '4 v1alpha1 policies' 'Check that the v1alpha1 policies are migrated before workloads move to 1.6 proxies'
  if v1alpha1_policies_remain clusterrbacconfigs.rbac.istio.io '' default policies.authentication.istio.io auth jwt-auth serviceroles.rbac.istio.io payments payments-reader servicerolebindings.rbac.istio.io payments payments-reader-binding; then
    withhold 'v1alpha1 policies found by the scan still exist: migrate them first (phase prepare), or the moved workloads lose the security they express. Stopping this phase.'
    return 0
  fi

  step namespace-injection-labels 'Namespace auth' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace auth istio-injection- 'istio.io/rev=REVISION' --overwrite

  step namespace-injection-labels 'Namespace catalog' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace catalog istio-injection- 'istio.io/rev=REVISION' --overwrite

  step namespace-injection-labels 'Namespace payments' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace payments istio-injection- 'istio.io/rev=REVISION' --overwrite

  step namespace-injection-labels 'Namespace search' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace search istio-injection- 'istio.io/rev=REVISION' --overwrite

  step namespace-injection-labels 'Namespace shop' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace shop istio-injection- 'istio.io/rev=REVISION' --overwrite

  step namespace-injection-labels 'Namespace staging' 'Point the namespace at the 1.6 control plane (guide: migrating namespaces, step 2)'
  # No ready istiod revision existed when the scan was taken: there is no revision to label with.
  todo 'Once a 1.6 istiod runs, find its revision and relabel this namespace with it (or scan again)'
  todo_command kubectl -n istio-system get pods -l app=istiod --show-labels
  todo_command kubectl label namespace staging istio-injection- 'istio.io/rev=REVISION' --overwrite
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

  step old-control-plane-scaledown 'Deployments istio-system/istio-*' 'Scale the 1.4 control plane down to 0 replicas'
  withhold 'the scan says: proxies still use the 1.4 control plane (19 workload pods and 2 ingress gateway pods on a version before 1.6)'
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
