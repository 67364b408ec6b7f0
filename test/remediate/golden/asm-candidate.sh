#!/usr/bin/env bash
# remediate.sh: the migration steps meshready planned from one scan, phase by phase, in the order
# of Google's guide "Upgrading to Istio 1.6 with the operator".
#
#   cluster:  shop-prod (project acme-shop, location europe-west1)
#   target:   asm-1.7
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
readonly SCAN_LOCATION=europe-west1
readonly SCAN_TARGET=asm-1.7
# kubectl contexts that name the scanned cluster (none: the scan recorded no identity).
readonly SCAN_CONTEXTS=(gke_acme-shop_europe-west1_shop-prod )
readonly PHASES=(cluster-upgrade prepare migrate-namespaces retire-old-control-plane asm-install )

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

# True when a gcloud --allow list (tcp:443,tcp:10250,...) admits TCP 15017.
allows_webhook_port() {
  local item low high
  local -a items
  IFS=',' read -ra items <<<"$1"
  for item in "${items[@]}"; do
    case $item in
      all | tcp) return 0 ;;
      tcp:*)
        item=${item#tcp:}
        if [[ $item =~ ^([0-9]+)(-([0-9]+))?$ ]]; then
          low=${BASH_REMATCH[1]}
          high=${BASH_REMATCH[3]:-$low}
          if ((10#$low <= 15017 && 15017 <= 10#$high)); then return 0; fi
        fi
        ;;
    esac
  done
  return 1
}

# Adds tcp:15017 to an existing rule, keeping what it allows (read again when applying), or
# creates a dedicated rule. Arguments: project, network, existing rule (or empty), new rule name,
# source range (the control-plane CIDR), target tags (comma-separated), allowed items (the scan's).
open_webhook_port() {
  local project=$1 network=$2 rule=$3 new_rule=$4 source_range=$5 target_tags=$6 allowed=$7
  local -a scope=() tags=()
  if [[ -n $project ]]; then scope=(--project "$project"); fi
  if [[ -n $rule ]]; then
    if applying; then
      allowed=$(query gcloud compute firewall-rules describe "$rule" "${scope[@]}" \
        --format='value(allowed[].map().firewall_rule().list())') ||
        fail "cannot read firewall rule $(shell_word "$rule")"
      if allows_webhook_port "$allowed"; then
        done_already "firewall rule $(shell_word "$rule") already allows TCP 15017"
        return 0
      fi
    fi
    run gcloud compute firewall-rules update "$rule" "${scope[@]}" --allow "${allowed:+$allowed,}tcp:15017"
  else
    if applying && query gcloud compute firewall-rules describe "$new_rule" "${scope[@]}" --format='value(name)' >/dev/null 2>&1; then
      done_already "firewall rule $(shell_word "$new_rule") exists"
      return 0
    fi
    if [[ -n $target_tags ]]; then tags=(--target-tags "$target_tags"); fi
    run gcloud compute firewall-rules create "$new_rule" "${scope[@]}" --network "$network" \
      --direction INGRESS --source-ranges "$source_range" "${tags[@]}" --allow tcp:15017 \
      --description 'Anthos Service Mesh: sidecar injection webhook from the GKE control plane (meshready)'
  fi
}

# Grows a node pool, or raises its autoscaling minimum, to $3 nodes per zone; never shrinks it.
# Arguments: cluster, pool, nodes, autoscaling (true/false), then the gcloud scope.
resize_node_pool() {
  local cluster=$1 pool=$2 nodes=$3 autoscaling=$4
  shift 4
  if [[ $autoscaling == true ]]; then
    local limits min='' current_max='' max="MAX_NODES(at least $nodes)"
    if applying; then
      limits=$(query gcloud container node-pools describe "$pool" --cluster "$cluster" "$@" \
        --format='value(autoscaling.minNodeCount,autoscaling.maxNodeCount)') ||
        fail "cannot read node pool $(shell_word "$pool")"
      read -r min current_max <<<"$limits" || true
      [[ $min =~ ^[0-9]+$ ]] || min=0
      [[ $current_max =~ ^[0-9]+$ ]] || current_max=0
      if ((min >= nodes)); then
        done_already "its autoscaling minimum is already $min"
        return 0
      fi
      max=$((current_max > nodes ? current_max : nodes))
    fi
    confirm_step "Raises the autoscaling minimum of node pool $(shell_word "$pool") to $nodes nodes per zone: the autoscaler adds nodes up to it, and the bill grows with them. Running pods are not moved." || return 0
    run gcloud container clusters update "$cluster" --node-pool "$pool" --enable-autoscaling \
      --min-nodes "$nodes" --max-nodes "$max" "$@" --quiet
  else
    if applying; then
      local names count=0
      names=$(query kubectl get nodes -l "cloud.google.com/gke-nodepool=$pool" -o name) ||
        fail "cannot list the nodes of pool $(shell_word "$pool")"
      if [[ -n $names ]]; then
        local -a lines
        mapfile -t lines <<<"$names"
        count=${#lines[@]}
      fi
      if ((count >= nodes)); then
        done_already "it already has $count nodes"
        return 0
      fi
    fi
    confirm_step "Resizes node pool $(shell_word "$pool") to $nodes nodes per zone: new nodes are added, and the bill grows with them. Running pods are not moved." || return 0
    run gcloud container clusters resize "$cluster" --node-pool "$pool" --num-nodes "$nodes" "$@" --quiet
  fi
}

# Arguments: cluster, workload pool (PROJECT.svc.id.goog), then the gcloud scope.
enable_cluster_workload_identity() {
  local cluster=$1 workload_pool=$2 current
  shift 2
  if applying; then
    current=$(query gcloud container clusters describe "$cluster" "$@" \
      --format='value(workloadIdentityConfig.workloadPool)') ||
      fail "cannot read cluster $(shell_word "$cluster")"
    if [[ $current == "$workload_pool" ]]; then
      done_already "Workload Identity is already enabled on the cluster"
      return 0
    fi
  fi
  confirm_step "Enables Workload Identity on cluster $(shell_word "$cluster") (workload pool $(shell_word "$workload_pool")); the control plane is updated, which takes several minutes. Node pools keep their current metadata behaviour until they are switched (next steps)." || return 0
  run gcloud container clusters update "$cluster" --workload-pool "$workload_pool" "$@" --quiet
}

# Arguments: cluster, node pool, then the gcloud scope.
enable_pool_metadata_server() {
  local cluster=$1 pool=$2 mode
  shift 2
  if applying; then
    mode=$(query gcloud container node-pools describe "$pool" --cluster "$cluster" "$@" \
      --format='value(config.workloadMetadataConfig.mode,config.workloadMetadataConfig.nodeMetadata)') ||
      fail "cannot read node pool $(shell_word "$pool")"
    if [[ $mode == *GKE_METADATA* ]]; then
      done_already "node pool $(shell_word "$pool") already uses the GKE metadata server"
      return 0
    fi
  fi
  confirm_step "Switches node pool $(shell_word "$pool") to the GKE metadata server: its nodes are re-created one by one and their pods rescheduled, and afterwards those pods reach Google APIs as their Kubernetes service account instead of the node's service account. Grant those service accounts the IAM access they need first (GKE: Workload Identity, limitations)." || return 0
  run gcloud container node-pools update "$pool" --cluster "$cluster" "$@" --workload-metadata GKE_METADATA --quiet
}

# Scales the 1.4 Deployments to 0, only when no pod runs a 1.4 proxy any more (checked again).
# Arguments: backup file, then the Deployments.
scale_down_old_control_plane() {
  local backup_file=$1 replicas name count
  shift
  local -a deployments=("$@")
  if applying; then
    if old_proxies_remain; then
      withhold 'pods still run a 1.4 proxy (listed above): they would lose their control plane'
      return 0
    fi
    replicas=$(query kubectl get deployment -n istio-system "${deployments[@]}" --ignore-not-found \
      -o jsonpath='{range .items[*]}{.metadata.name}{"="}{.spec.replicas}{"\n"}{end}') ||
      fail 'cannot read the 1.4 Deployments'
    deployments=()
    while IFS='=' read -r name count; do
      if [[ -n $name && $count != 0 ]]; then deployments+=("$name"); fi
    done <<<"$replicas"
    if ((${#deployments[@]} == 0)); then
      done_already 'the 1.4 Deployments are already at 0 replicas (or gone)'
      return 0
    fi
  else
    note '(with --apply: withheld while any pod still runs a 1.4 proxy)'
  fi
  backup "$backup_file" kubectl get deployment -n istio-system "${deployments[@]}" -o yaml
  run kubectl scale deployment -n istio-system --replicas=0 "${deployments[@]}"
}

# True when an istiod of an asm-* revision is ready in istio-system.
asm_istiod_ready() {
  local lines revision ready
  lines=$(query kubectl get deployment -n istio-system -l app=istiod \
    -o jsonpath='{range .items[*]}{.metadata.labels.istio\.io/rev}{"|"}{.status.readyReplicas}{"\n"}{end}') ||
    fail 'cannot list the istiod Deployments'
  while IFS='|' read -r revision ready; do
    if [[ $revision == asm-* && $ready =~ ^[1-9][0-9]*$ ]]; then return 0; fi
  done <<<"$lines"
  return 1
}
# Sets spec.profile of an IstioOperator to disabled (before ASM) or empty (once ASM runs).
set_operator_profile() {
  local operator=$1 profile=$2 backup_file=$3 current patch
  case $profile in
    disabled) patch='{"spec":{"profile":"disabled"}}' ;;
    empty) patch='{"spec":{"profile":"empty"}}' ;;
    *) fail "unexpected profile $(shell_word "$profile")" ;;
  esac
  if applying; then
    object_exists istiooperator -n istio-system "$operator" || return 0
    if asm_istiod_ready; then
      if [[ $profile == disabled ]]; then
        done_already 'an asm-* istiod already runs, so the operator is past this step'
        return 0
      fi
    elif [[ $profile == empty ]]; then
      withhold 'no asm-* istiod is ready: run install_asm first, then this phase again (--apply --phase asm-install)'
      return 0
    fi
    current=$(query kubectl get istiooperator -n istio-system "$operator" -o jsonpath='{.spec.profile}') ||
      fail "cannot read IstioOperator $(shell_word "$operator")"
    if [[ $current == "$profile" ]]; then
      done_already "its profile is already $profile"
      return 0
    fi
  elif [[ $profile == empty ]]; then
    note '(with --apply: only once an asm-* istiod is ready)'
  fi
  backup "$backup_file" kubectl get istiooperator -n istio-system "$operator" -o yaml
  run kubectl patch istiooperator -n istio-system "$operator" --type=merge -p "$patch"
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
  note 'Not checked by the scan: vpc-sc-mesh-ca (manual check: if your organisation has a VPC Service Controls perimeter around project acme-shop, add Mesh CA (meshca.googleapis.com) to its restricted services before installing ASM; meshready cannot see organisation-level perimeters).'

  step node-machine-vcpu 'NodePool tools-pool' 'Move workloads off node pool tools-pool (e2-medium, fewer than 4 vCPUs)'
  # Human decision: ASM only counts machine types with 4 or more vCPUs. Moving workloads to a new
  # pool (create, cordon and drain the old nodes, delete the old pool) reschedules every pod on
  # them and changes the bill; choose the node count and the moment yourself.
  todo 'Create a pool of e2-standard-4, cordon and drain the nodes of tools-pool, then delete tools-pool (GKE: migrating workloads to different machine types)'
  todo_command gcloud container node-pools create tools-pool-4vcpu --cluster shop-prod --machine-type e2-standard-4 --num-nodes NODES --location europe-west1 --project acme-shop
  todo_command kubectl cordon -l cloud.google.com/gke-nodepool=tools-pool
  todo_command kubectl drain -l cloud.google.com/gke-nodepool=tools-pool --ignore-daemonsets --delete-emptydir-data
  todo_command gcloud container node-pools delete tools-pool --cluster shop-prod --location europe-west1 --project acme-shop

  step workload-identity 'Cluster shop-prod' 'Enable Workload Identity (install_asm would enable it; doing it first lets you choose the moment)'
  require_gcloud
  enable_cluster_workload_identity shop-prod acme-shop.svc.id.goog --location europe-west1 --project acme-shop
  enable_pool_metadata_server shop-prod default-pool --location europe-west1 --project acme-shop
  enable_pool_metadata_server shop-prod tools-pool --location europe-west1 --project acme-shop

  step webhook-firewall-15017 'Cluster shop-prod' 'Open TCP 15017 from the control plane to the nodes: add it to firewall rule gke-shop-prod-1a2b3c4d-master'
  require_gcloud
  open_webhook_port acme-shop shop-vpc gke-shop-prod-1a2b3c4d-master shop-prod-istio-webhook-15017 172.16.0.0/28 gke-shop-prod-1a2b3c4d-node tcp:10250,tcp:443
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

  step old-control-plane-scaledown 'Deployments istio-system/istio-citadel,istio-galley,istio-pilot,istio-policy,istio-sidecar-injector,istio-telemetry,prometheus,promsd' 'Scale the 1.4 control plane down to 0 replicas (seed guide: turning off the old control plane)'
  scale_down_old_control_plane 01-istio-system-old-control-plane-deployments.yaml istio-citadel istio-galley istio-pilot istio-policy istio-sidecar-injector istio-telemetry prometheus promsd
}

# ---------------------------------------------------------------------------------------------
# Phase asm-install: Migrate to Anthos Service Mesh (scan: blocked)
phase_asm_install() {
  note 'The scan found an earlier phase unfinished: these steps were planned from that state. Finish the earlier phases, then rescan and use the new remediate.sh.'

  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'Disable the operator (profile: disabled) so that it leaves the ASM gateway alone (seed guide: disabling the operator)'
  set_operator_profile istio-1-6-11-gke-0 disabled 02-istiooperator-istio-1-6-11-gke-0-disabled.yaml

  step istio-operator-profile 'GKE cluster shop-prod' 'Migrate to Anthos Service Mesh 1.7 with install_asm (you run it)'
  # Human decision: install_asm changes the project (APIs, IAM) and the cluster; read its options
  # first. These are the seed guide's arguments for an add-on that keeps Citadel as its CA.
  todo 'Download install_asm 1.7, check its checksum, review its options, then run it as shown'
  todo_command curl -fsSLo install_asm https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.7
  todo_command curl -fsSLo install_asm.sha256 https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.7.sha256
  todo_command sha256sum -c --ignore-missing install_asm.sha256
  todo_command chmod +x install_asm
  todo_command ./install_asm --project_id acme-shop --cluster_name shop-prod --cluster_location europe-west1 --mode migrate --ca citadel --enable_apis
  note 'Then enable sidecar injection for the asm-* revision and redeploy your workloads (scan again:' \
    'meshready plans the relabelling and restarts), and run this phase again for the step below.'

  step istio-operator-profile 'IstioOperator istio-system/istio-1-6-11-gke-0' 'After the migration: set the IstioOperator profile to empty, so the operator removes what it had installed (seed guide: after the migration)'
  set_operator_profile istio-1-6-11-gke-0 empty 03-istiooperator-istio-1-6-11-gke-0-empty.yaml
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
if [[ -z $STOP_REASON ]] && begin_phase retire-old-control-plane 'Turn off the 1.4 control plane' 'scan: blocked'; then
  phase_retire_old_control_plane
fi
if [[ -z $STOP_REASON ]] && begin_phase asm-install 'Migrate to Anthos Service Mesh' 'scan: blocked'; then
  phase_asm_install
fi
summary
FINISHED=true
