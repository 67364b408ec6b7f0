#!/usr/bin/env bash
# remediate.sh: the migration steps meshready planned from one scan, phase by phase, in the order
# of Google's guide "Upgrading to Istio 1.6 with the operator".
#
#   cluster:  shop-prod (project acme-shop, location europe-west1-b)
#   target:   istio-1.6
#   scanned:  2026-11-25T10:00:00Z by meshready 0.1.0 (verdict: not-ready)
#   report:   meshready-report.json
#
# Review it first. It changes nothing unless you pass --apply, and then only after checking that
# kubectl (and gcloud) point at the scanned cluster. Run one phase at a time and scan again after
# each one: a new scan writes a new remediate.sh from the new state. See --help.
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

usage() {
  cat <<'USAGE'
Usage: remediate.sh [--apply [--yes]] [--phase ID] [--context NAME] [--backup-dir DIR]

Runs the migration steps meshready planned from a scan, phase by phase.

  (no option)       Dry run: print every step and command, change nothing, contact nothing.
  --apply           Run the commands. First checks that kubectl's current context is the
                    scanned cluster (and, before any gcloud step, that gcloud's project is the
                    scanned project); refuses otherwise. Saves YAML backups before anything
                    is deleted, scaled down or has its profile changed.
  --yes, -y         With --apply, do not ask before each phase and each disruptive step.
                    Without a terminal, --apply requires --yes.
  --phase ID        Only this phase (see the list below). Recommended: one phase at a time,
                    then scan again.
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
  printf '\nPhases of this script (target %s):\n' "$SCAN_TARGET"
  printf '  %s\n' "${PHASES[@]}"
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
# A read-only check whose output is for you to read (seed guide's verification commands).
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

begin_phase() {
  local id=$1 title=$2 status=$3
  if [[ -n $ONLY_PHASE && $ONLY_PHASE != "$id" ]]; then return 1; fi
  printf '\n=== Phase %s: %s\n    (%s)\n' "$id" "$title" "$status"
  if applying && ! ask "Apply phase $id?"; then
    say "    Skipped phase $id: not confirmed."
    return 1
  fi
}

# One line per ingress gateway of an IstioOperator: index|name|enabled
readonly INGRESS_GATEWAYS_TEMPLATE='{{with .spec}}{{with .components}}{{range $i, $g := .ingressGateways}}{{$i}}|{{$g.name}}|{{$g.enabled}}{{"\n"}}{{end}}{{end}}{{end}}'
# Each pod's name and images (seed guide: check the gateway image).
readonly POD_IMAGES_JSONPATH='{range .items[*]}{.metadata.name}{"\t"}{range .spec.containers[*]}{.image}{" "}{end}{"\n"}{end}'

gateway_patch_operations() {
  printf '{"op":"test","path":"/spec/components/ingressGateways/%d/name","value":"istio-ingressgateway"},' "$1"
  printf '{"op":"add","path":"/spec/components/ingressGateways/%d/enabled","value":true}' "$1"
}

# Sets enabled: true on the ingressGateways entry named istio-ingressgateway, found again at run time.
enable_operator_gateway() {
  local operator=$1 scanned_index=$2 backup_file=$3
  if ! applying; then
    run kubectl patch istiooperator -n istio-system "$operator" --type=json -p "[$(gateway_patch_operations "$scanned_index")]"
    note "(with --apply the entry is looked up again: the scan saw it at index $scanned_index)"
    return 0
  fi
  local entries index name enabled='' found=''
  object_exists istiooperator -n istio-system "$operator" || return 0
  entries=$(query kubectl get istiooperator -n istio-system "$operator" -o go-template="$INGRESS_GATEWAYS_TEMPLATE") ||
    fail "cannot read IstioOperator $(shell_word "$operator")"
  while IFS='|' read -r index name enabled; do
    if [[ $index =~ ^[0-9]+$ && $name == istio-ingressgateway ]]; then
      found=$index
      break
    fi
  done <<<"$entries"
  if [[ -z $found ]]; then
    todo "IstioOperator $(shell_word "$operator") has no ingressGateways entry named istio-ingressgateway: add one with enabled: true"
    todo_command kubectl edit istiooperator -n istio-system "$operator"
    return 0
  fi
  if [[ $enabled == true ]]; then
    done_already 'the istio-ingressgateway entry is already enabled'
    return 0
  fi
  backup "$backup_file" kubectl get istiooperator -n istio-system "$operator" -o yaml
  run kubectl patch istiooperator -n istio-system "$operator" --type=json -p "[$(gateway_patch_operations "$found")]"
}

# One line per label of an object: key=value
readonly LABELS_TEMPLATE='{{range $k, $v := .metadata.labels}}{{$k}}={{$v}}{{"\n"}}{{end}}'
declare -A REVISION_READY=()

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
# True when a ready istiod Deployment runs revision $1 (remembered per revision).
revision_ready() {
  local revision=$1 replicas count
  if [[ -z ${REVISION_READY[$revision]+set} ]]; then
    REVISION_READY[$revision]=false
    replicas=$(query kubectl get deployment -n istio-system -l "app=istiod,istio.io/rev=$revision" \
      -o jsonpath='{range .items[*]}{.status.readyReplicas}{"\n"}{end}') ||
      fail 'cannot list the istiod Deployments'
    while IFS= read -r count; do
      if [[ $count =~ ^[1-9][0-9]*$ ]]; then REVISION_READY[$revision]=true; fi
    done <<<"$replicas"
  fi
  [[ ${REVISION_READY[$revision]} == true ]]
}
# Labels namespace $1 istio.io/rev=$2 and removes istio-injection (seed guide, the same command).
relabel_namespace() {
  local namespace=$1 revision=$2 labels current
  if applying; then
    # A label value: letters, digits, '-', '_', '.'; anything else cannot be a revision.
    if [[ ! $revision =~ ^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$ ]]; then
      withhold "$(shell_word "$revision") cannot be an istio.io/rev label value"
      return 0
    fi
    if ! revision_ready "$revision"; then
      withhold "no ready istiod runs revision $(shell_word "$revision"): finish the 1.6 control plane first"
      return 0
    fi
    object_exists namespace "$namespace" || return 0
    labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
    if current=$(label_value "$labels" istio.io/rev) && [[ $current == "$revision" ]] &&
      ! label_value "$labels" istio-injection >/dev/null; then
      done_already "it is already labelled istio.io/rev=$(shell_word "$revision") without istio-injection"
      return 0
    fi
  fi
  run kubectl label namespace "$namespace" istio-injection- "istio.io/rev=$revision" --overwrite
}
# True when namespace $1 selects a revision and no longer carries istio-injection.
namespace_uses_revision() {
  local labels
  labels=$(namespace_labels "$1") || fail "cannot read namespace $(shell_word "$1")"
  label_value "$labels" istio.io/rev >/dev/null && ! label_value "$labels" istio-injection >/dev/null
}

# Each pod with its istio-proxy image(s): namespace/name|app label|image image ...
readonly POD_PROXIES_JSONPATH='{range .items[*]}{.metadata.namespace}/{.metadata.name}|{.metadata.labels.app}|{range .spec.containers[?(@.name=="istio-proxy")]}{.image} {end}{"\n"}{end}'
# Each pod's name and istio-proxy image, to read (seed guide, step 5).
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
# True when a pod of the workload still runs a proxy below 1.6, or when that cannot be told.
workload_has_old_proxy() {
  local type=$1 namespace=$2 name=$3 selector images image
  selector=$(query kubectl get "$type" "$name" -n "$namespace" -o go-template="$SELECTOR_TEMPLATE") ||
    fail "cannot read $type $(shell_word "$namespace/$name")"
  if [[ -z $selector || $selector == EXPRESSIONS* ]]; then
    note 'cannot tell which pods belong to it from its selector: restarting it anyway'
    return 0
  fi
  images=$(query kubectl get pods -n "$namespace" -l "${selector%,}" -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH") ||
    fail "cannot list the pods of $type $(shell_word "$namespace/$name")"
  while IFS=$'\t' read -r _ image; do
    if is_old_proxy "$image"; then return 0; fi
  done <<<"$images"
  return 1
}
# Restarts a workload so that it gets the proxy of its namespace's revision.
restart_workload() {
  local type=$1 namespace=$2 name=$3
  if applying; then
    if ! namespace_uses_revision "$namespace"; then
      withhold "namespace $(shell_word "$namespace") does not select a 1.6 revision yet: a restart would bring back the 1.4 proxy"
      return 0
    fi
    object_exists "$type" "$name" -n "$namespace" || return 0
    if ! workload_has_old_proxy "$type" "$namespace" "$name"; then
      done_already 'none of its pods runs a 1.4 proxy any more'
      return 0
    fi
  fi
  run kubectl rollout restart "$type" "$name" -n "$namespace"
}
# True when a pod still runs a proxy below 1.6; lists a few. For ASM targets the add-on gateway
# is left out, as in the old-control-plane-scaledown rule (install_asm replaces it).
old_proxies_remain() {
  local pods where app images image count=0
  local -a list
  pods=$(query kubectl get pods --all-namespaces -o "jsonpath=$POD_PROXIES_JSONPATH") ||
    fail 'cannot list the pods'
  while IFS='|' read -r where app images; do
    if [[ $SCAN_TARGET != istio-1.6 && $where == istio-system/* && $app == istio-ingressgateway ]]; then continue; fi
    read -ra list <<<"$images"
    for image in "${list[@]}"; do
      if is_old_proxy "$image"; then
        count=$((count + 1))
        if ((count <= 5)); then note "still on a 1.4 proxy: $(shell_word "$where") ($(shell_word "$image"))"; fi
        break
      fi
    done
  done <<<"$pods"
  ((count > 0))
}

# ---------------------------------------------------------------------------------------------
# Phase cluster-upgrade: Upgrade the GKE cluster to a version with the Istio 1.6 operator (scan: done)
phase_cluster_upgrade() {
  say '    Nothing to do: the scan found nothing this script can fix in this phase.'
}

# ---------------------------------------------------------------------------------------------
# Phase prepare: Prepare the 1.4 control plane and the cluster (scan: todo)
phase_prepare() {

  step service-port-naming 'Service shop/cart' 'Name Service ports so that Istio can tell their protocol'
  # Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,
  # https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp) or set appProtocol. Ports:
  #   8080/TCP (unnamed)
  todo 'Name these ports <protocol>[-<suffix>] or set appProtocol: 8080/TCP (unnamed)'
  todo_command kubectl edit service -n shop cart
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-namespaces: Move namespaces and their workloads to the 1.6 control plane (scan: blocked)
phase_migrate_namespaces() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step namespace-injection-labels 'Namespace auth' 'Point the namespace at the 1.6 control plane (seed guide: migrating namespaces, step 2)'
  relabel_namespace auth istio-1611

  step sidecar-proxy-version 'Deployment auth/auth' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment auth auth

  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace auth' 'Check that the pods came back with the 1.6 proxy (seed guide: migrating namespaces, steps 4-5)'
  check kubectl rollout status deployment/auth -n auth --timeout=10m
  check kubectl get pods -n auth
  check kubectl get pods -n auth -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH"
  note 'Each pod should list a 1.6 istio-proxy image, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'

  step namespace-injection-labels 'Namespace catalog' 'Point the namespace at the 1.6 control plane (seed guide: migrating namespaces, step 2)'
  relabel_namespace catalog istio-1611

  step sidecar-proxy-version 'Deployment catalog/catalog' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment catalog catalog

  step sidecar-proxy-version 'StatefulSet catalog/catalog-db' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload statefulset catalog catalog-db

  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace catalog' 'Check that the pods came back with the 1.6 proxy (seed guide: migrating namespaces, steps 4-5)'
  check kubectl rollout status deployment/catalog -n catalog --timeout=10m
  check kubectl rollout status statefulset/catalog-db -n catalog --timeout=10m
  check kubectl get pods -n catalog
  check kubectl get pods -n catalog -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH"
  note 'Each pod should list a 1.6 istio-proxy image, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'

  step sidecar-proxy-version 'Deployment payments/fraud-check' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment payments fraud-check

  step sidecar-proxy-version 'Deployment payments/payments' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment payments payments

  step sidecar-proxy-version 'Namespace payments' 'Check that the pods came back with the 1.6 proxy (seed guide: migrating namespaces, steps 4-5)'
  check kubectl rollout status deployment/fraud-check -n payments --timeout=10m
  check kubectl rollout status deployment/payments -n payments --timeout=10m
  check kubectl get pods -n payments
  check kubectl get pods -n payments -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH"
  note 'Each pod should list a 1.6 istio-proxy image, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'

  step namespace-injection-labels 'Namespace search' 'Point the namespace at the 1.6 control plane (seed guide: migrating namespaces, step 2)'
  relabel_namespace search istio-1611

  step sidecar-proxy-version 'Deployment search/search' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment search search

  step sidecar-proxy-version 'StatefulSet search/redis' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload statefulset search redis

  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace search' 'Check that the pods came back with the 1.6 proxy (seed guide: migrating namespaces, steps 4-5)'
  check kubectl rollout status deployment/search -n search --timeout=10m
  check kubectl rollout status statefulset/redis -n search --timeout=10m
  check kubectl get pods -n search
  check kubectl get pods -n search -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH"
  note 'Each pod should list a 1.6 istio-proxy image, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'

  step namespace-injection-labels 'Namespace staging' 'Point the namespace at the 1.6 control plane (seed guide: migrating namespaces, step 2)'
  relabel_namespace staging istio-1611

  step sidecar-proxy-version 'Deployment staging/frontend' 'Restart it so that its pods get the 1.6 proxy (seed guide: migrating namespaces, step 3)'
  restart_workload deployment staging frontend

  step 'namespace-injection-labels, sidecar-proxy-version' 'Namespace staging' 'Check that the pods came back with the 1.6 proxy (seed guide: migrating namespaces, steps 4-5)'
  check kubectl rollout status deployment/frontend -n staging --timeout=10m
  check kubectl get pods -n staging
  check kubectl get pods -n staging -o "jsonpath=$POD_PROXY_IMAGES_JSONPATH"
  note 'Each pod should list a 1.6 istio-proxy image, e.g. gcr.io/gke-release/istio/proxyv2:1.6.x-gke.y (kubectl describe pod shows it too).'
}

# ---------------------------------------------------------------------------------------------
# Phase migrate-gateway: Move the ingress gateway to Istio 1.6 (scan: blocked)
phase_migrate_gateway() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step ingress-gateway-revision 'IstioOperator istio-system/istio-1-6-11-gke-0' 'Enable the 1.6 ingress gateway in the IstioOperator (seed guide: migrating the ingress gateway)'
  enable_operator_gateway istio-1-6-11-gke-0 0 01-istiooperator-istio-1-6-11-gke-0.yaml
  check kubectl get pods -n istio-system -l app=istio-ingressgateway -o "jsonpath=$POD_IMAGES_JSONPATH"
  note 'The gateway pods should be re-created with a 1.6 image (the operator may take a minute).'
}

# ---------------------------------------------------------------------------------------------
# Phase retire-old-control-plane: Turn off the 1.4 control plane (scan: blocked)
phase_retire_old_control_plane() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step old-control-plane-scaledown 'Deployments istio-system/istio-*' 'Scale the 1.4 control plane down to 0 replicas'
  withhold 'the scan says: proxies still use the 1.4 control plane (12 workload pods and 2 ingress gateway pods on a version before 1.6)'
}

summary() {
  printf '\n=== Summary\n'
  if applying; then
    say "$CHANGES change(s) made in $STEP_NUMBER step(s)."
    if [[ -d $BACKUP_DIR ]]; then say "Backups: $BACKUP_DIR"; fi
  else
    say 'Dry run: nothing was changed and nothing was contacted.'
    say 'Next: review this output, then apply one phase at a time, e.g.: remediate.sh --apply --phase ID'
  fi
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
if [[ -z $STOP_REASON ]] && begin_phase cluster-upgrade 'Upgrade the GKE cluster to a version with the Istio 1.6 operator' 'scan: done'; then
  phase_cluster_upgrade
fi
if [[ -z $STOP_REASON ]] && begin_phase prepare 'Prepare the 1.4 control plane and the cluster' 'scan: todo'; then
  phase_prepare
fi
if [[ -z $STOP_REASON ]] && begin_phase migrate-namespaces 'Move namespaces and their workloads to the 1.6 control plane' 'scan: blocked'; then
  phase_migrate_namespaces
fi
if [[ -z $STOP_REASON ]] && begin_phase migrate-gateway 'Move the ingress gateway to Istio 1.6' 'scan: blocked'; then
  phase_migrate_gateway
fi
if [[ -z $STOP_REASON ]] && begin_phase retire-old-control-plane 'Turn off the 1.4 control plane' 'scan: blocked'; then
  phase_retire_old_control_plane
fi
summary
FINISHED=true
