
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
# A check stopped a phase: nothing after it runs, and the script exits 1 after its summary.
HALTED=false
FINISHED=false

applying() { [[ $MODE == apply ]]; }
say() { printf '%s\n' "$*"; }
fail() {
  printf 'remediate.sh: %s\n' "$1" >&2
  exit 1
}
# A value as a shell word, for messages and printed commands: the quoting of the reports' commands
# (src/remediate/shell.ts), so that a dry run prints each command exactly as the report shows it,
# and an invisible character is an escape that can never drive the terminal.
shell_word() {
  local word=$1
  if [[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
    printf '%s' "$word"
  elif has_invisible "$word"; then
    ansi_c_word "$word"
  else
    printf "'%s'" "${word//\'/\'\\\'\'}"
  fi
}
# True when a value holds a character meshready writes as an escape (the set of
# src/text/printable.ts): C0 and C1 controls, DEL, line and paragraph separators, bidi controls, BOM.
has_invisible() {
  local LC_ALL=C
  [[ $1 == *[$'\x01'-$'\x1f'$'\x7f']* || $1 == *$'\xc2'[$'\x80'-$'\x9f']* ||
    $1 == *$'\xe2\x80'[$'\x8e\x8f\xa8'-$'\xae']* || $1 == *$'\xe2\x81'[$'\xa6'-$'\xa9']* ||
    $1 == *$'\xef\xbb\xbf'* ]]
}
# A value in ANSI-C quoting, $'...', with each invisible character as the \xHH bytes of its UTF-8
# encoding: byte for byte what the reports show for the same command (src/remediate/shell.ts).
ansi_c_word() {
  local LC_ALL=C word=$1 out='' i=0 n width hex c
  n=${#word}
  while ((i < n)); do
    c=${word:i:1}
    width=0
    case $c in
      [$'\x01'-$'\x1f'$'\x7f']) width=1 ;;
      $'\xc2') if [[ ${word:i+1:1} == [$'\x80'-$'\x9f'] ]]; then width=2; fi ;;
      $'\xe2')
        case ${word:i+1:2} in
          $'\x80'[$'\x8e\x8f\xa8'-$'\xae'] | $'\x81'[$'\xa6'-$'\xa9']) width=3 ;;
        esac
        ;;
      $'\xef') if [[ ${word:i+1:2} == $'\xbb\xbf' ]]; then width=3; fi ;;
    esac
    if ((width > 0)); then
      while ((width > 0)); do
        printf -v hex '%02x' "'${word:i:1}"
        out+="\\x${hex: -2}"
        i=$((i + 1)) width=$((width - 1))
      done
      continue
    fi
    case $c in
      \' | \\) out+="\\$c" ;;
      *) out+=$c ;;
    esac
    i=$((i + 1))
  done
  printf "\$'%s'" "$out"
}
print_command() {
  local prefix=$1 line='' word
  shift
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then line+=" $word"; else line+=" $(shell_word "$word")"; fi
  done
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
    # The line the report shows for this backup: the command and the file it goes to.
    printf '    would save: %s > %s\n' "$(print_command '' "$@")" "$(shell_word "$file")"
    printf '      (in %s)\n' "$BACKUP_DIR"
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
# Commands alike but for one or two words: KIND (check or todo_command), the number of words,
# the varying word positions (0-based, comma-separated), the words, then the varying values, one
# group per command.
each_command() {
  local kind=$1 count=$2 slot
  local -a positions words template
  IFS=, read -ra positions <<<"$3"
  shift 3
  template=("${@:1:count}")
  shift "$count"
  while (($# >= ${#positions[@]})); do
    words=("${template[@]}")
    for slot in "${positions[@]}"; do
      words[slot]=$1
      shift
    done
    "$kind" "${words[@]}"
  done
}
done_already() { printf '    Nothing to do: %s\n' "$1"; }
withhold() {
  WITHHELD_STEPS+=("$CURRENT_STEP: $1")
  printf '    Withheld: %s\n' "$1"
}
# A check between steps failed: the rest of the phase does not run, and the script exits 1.
halt_phase() {
  withhold "$1"
  HALTED=true
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

# ---------------------------------------------------------------------------------------------
# Reading the cluster at run time, and the preconditions steps check with it

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

# ---------------------------------------------------------------------------------------------
# Run-time checks: gke-version (src/remediate/checks/gke-version.sh.hbs)
# True when the master runs a version below $1 (always, in a dry run). Then: cluster, gcloud scope.
master_below() {
  local wanted=$1 cluster=$2 current status=0
  shift 2
  applying || return 0
  current=$(query gcloud container clusters describe "$cluster" "$@" --format='value(currentMasterVersion)') ||
    fail "cannot read the master version of cluster $(shell_word "$cluster")"
  gke_version_below "$current" "$wanted" || status=$?
  case $status in
    0) return 0 ;;
    1)
      done_already "the master already runs $(shell_word "$current")"
      return 1
      ;;
    *) fail "not a GKE version: $(shell_word "$current") or $(shell_word "$wanted")" ;;
  esac
}

# Whether GKE version $1 is below $2 (SPEC §7): MAJOR.MINOR.PATCH-gke.N with an optional leading v,
# the four numbers compared as numbers (gke.500 < gke.1501). 0: below; 1: not below; 2: either is
# not a GKE version (a leading zero, a space, a number above 2^53-1, which the scan cannot read
# exactly, included). The scan's isGkeVersionBelow (src/gke/version.ts) answers alike:
# test/conformance/gke-version-order.json.
gke_version_below() {
  local LC_ALL=C pattern='^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)-gke\.(0|[1-9][0-9]*)$' i
  local -a a b
  [[ $1 =~ $pattern ]] || return 2
  a=("${BASH_REMATCH[@]:1}")
  [[ $2 =~ $pattern ]] || return 2
  b=("${BASH_REMATCH[@]:1}")
  for i in 0 1 2 3; do
    if ! exact_integer "${a[i]}" || ! exact_integer "${b[i]}"; then return 2; fi
  done
  for i in 0 1 2 3; do
    if ((10#${a[i]} < 10#${b[i]})); then return 0; fi
    if ((10#${a[i]} > 10#${b[i]})); then return 1; fi
  done
  return 1
}

# True when the digits $1 are at most 2^53-1, the largest integer TypeScript reads exactly (and
# far below where bash arithmetic overflows).
exact_integer() {
  ((${#1} < 16 || (${#1} == 16 && 10#$1 <= 9007199254740991)))
}

# ---------------------------------------------------------------------------------------------
# Run-time checks: proxies (src/remediate/checks/proxies.sh.hbs)
# Each pod with its istio-proxy image(s): namespace/name|app label|istio.io/rev label|image image ...
readonly POD_PROXIES_JSONPATH='{range .items[*]}{.metadata.namespace}/{.metadata.name}|{.metadata.labels.app}|{.metadata.labels.istio\.io/rev}|{range .spec.containers[?(@.name=="istio-proxy")]}{.image} {end}{"\n"}{end}'

# Whether a proxy belongs to the 1.4 control plane, from its image $1 and its pod's istio.io/rev
# label $2 (empty: none), in PROXY_GENERATION (a variable, not output: no subshell per pod).
# pre-1.6: the image tag (after the first ':' following the last '/', before any '@') is an Istio
# version before 1.6 (1.4.10-gke.4), whatever the labels say; 1.6+: a later version, or a tag that
# is no version on a pod with the label (every 1.6+ injector sets it, 1.4's never does); unknown:
# neither. The scan's proxyGeneration (src/istio/proxies.ts) answers alike:
# test/conformance/old-proxy.json.
PROXY_GENERATION=
proxy_generation() {
  local LC_ALL=C reference=${1%%@*} name tag=''
  name=${reference##*/}
  if [[ $name == *:* ]]; then tag=${name#*:}; fi
  if [[ $tag =~ ^v?([0-9]{1,6})\.([0-9]{1,6})\.[0-9]{1,6}(-[a-z]+\.[0-9]{1,9})?(-[A-Za-z0-9.]+)?$ ]]; then
    if ((10#${BASH_REMATCH[1]} < 1 || (10#${BASH_REMATCH[1]} == 1 && 10#${BASH_REMATCH[2]} < 6))); then
      PROXY_GENERATION=pre-1.6
    else
      PROXY_GENERATION=1.6+
    fi
  elif [[ -n $2 ]]; then
    PROXY_GENERATION=1.6+
  else
    PROXY_GENERATION=unknown
  fi
}

# True when a pod still runs a proxy before 1.6, or one that cannot be told (see proxy_generation),
# a 1.4 ingress gateway pod included on every target: it needs istio-pilot and istio-citadel as
# much as a sidecar does. Lists a few.
old_proxies_remain() {
  local pods where revision images image count=0
  local -a list
  pods=$(query kubectl get pods --all-namespaces -o "jsonpath=$POD_PROXIES_JSONPATH") ||
    fail 'cannot list the pods'
  while IFS='|' read -r where _ revision images; do
    read -ra list <<<"$images"
    for image in "${list[@]}"; do
      proxy_generation "$image" "$revision"
      if [[ $PROXY_GENERATION != 1.6+ ]]; then
        count=$((count + 1))
        if ((count <= 5)); then note "still on a 1.4 proxy: $(shell_word "$where") ($(shell_word "$image"))"; fi
        break
      fi
    done
  done <<<"$pods"
  ((count > 0))
}

# True when no pod runs a 1.4 proxy (listing a few when some do).
no_pod_on_old_proxy() {
  if old_proxies_remain; then
    CHECK_REASON='pods still run a 1.4 proxy (listed above): they would lose their control plane'
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Run-time checks: revisions (src/remediate/checks/revisions.sh.hbs)
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

# True when no istiod of an asm-* revision is installed in istio-system (ready or not); else says
# that install_asm is not run again: its --mode migrate refuses once an ASM control plane runs, and
# --mode upgrade (1.7 only) refuses while the operator's istiod runs and for the installed version.
no_asm_istiod_installed() {
  if ! applying; then
    note '(with --apply, checked first: no asm-* istiod is installed yet; once one is, install_asm is never run again)'
    return 0
  fi
  local lines revision installed=''
  lines=$(istiod_revisions) || fail 'cannot list the istiod Deployments'
  while IFS='|' read -r revision _; do
    if [[ $revision == asm-* ]]; then installed+=${installed:+, }$revision; fi
  done <<<"$lines"
  [[ -n $installed ]] || return 0
  done_already "Anthos Service Mesh is installed (revision $(shell_word "$installed")): install_asm is not run again (--mode migrate refuses once an ASM control plane runs; --mode upgrade refuses while the operator's istiod runs and for the installed version)"
  return 1
}

# The revision whose injector a namespace with the label lines $1 (key=value, one a line, as
# LABELS_TEMPLATE prints them) selects, in SELECTED_REVISION; false when it selects none.
# istio.io/rev counts only while the namespace has no istio-injection label at all: that is the
# namespaceSelector of a revision's injection webhook (istio-injection DoesNotExist, istio.io/rev
# In [revision]), so istio-injection=enabled leaves it to the 1.4 injector and
# istio-injection=disabled to none. The scan's selectedRevision (src/istio/revisions.ts) answers
# alike: test/conformance/revision-selection.json.
SELECTED_REVISION=
selected_revision() {
  SELECTED_REVISION=
  if label_value "$1" istio-injection >/dev/null; then return 1; fi
  SELECTED_REVISION=$(label_value "$1" istio.io/rev)
}

# True when revision $1 matches $2: a revision, or a pattern whose only wildcard is * (asm-*, *);
# every other character is compared as itself (escaped, so ?, [ and extglob syntax stay literal).
revision_matches() {
  local LC_ALL=C pattern=$2 glob='' i char
  for ((i = 0; i < ${#pattern}; i++)); do
    char=${pattern:i:1}
    if [[ $char == '*' ]]; then glob+='*'; else glob+="\\$char"; fi
  done
  # shellcheck disable=SC2053
  [[ $1 == $glob ]]
}

# True when a namespace with the label lines $1 selects a revision matching $2 (revisionMatches
# and selectsRevision in src/istio/revisions.ts).
selects_revision() {
  selected_revision "$1" && revision_matches "$SELECTED_REVISION" "$2"
}

# True when namespace $1 selects a revision matching $2 (see selected_revision) whose istiod is
# ready: otherwise a restart brings back the proxy it had.
namespace_selects_revision() {
  local namespace=$1 pattern=$2 labels
  labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
  if ! selected_revision "$labels"; then
    if label_value "$labels" istio-injection >/dev/null; then
      CHECK_REASON="namespace $(shell_word "$namespace") still has the istio-injection label"
    else
      CHECK_REASON="namespace $(shell_word "$namespace") selects no revision (no istio.io/rev label)"
    fi
    return 1
  fi
  if ! revision_matches "$SELECTED_REVISION" "$pattern"; then
    CHECK_REASON="namespace $(shell_word "$namespace") selects revision $(shell_word "$SELECTED_REVISION"), not $(shell_word "$pattern")"
    return 1
  fi
  istiod_revision_ready "$SELECTED_REVISION"
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
      proxy_generation "$image" ''
      if [[ $PROXY_GENERATION != pre-1.6 && $image != *-asm.* ]]; then
        CHECK_REASON="pod $(shell_word "$where") runs proxy $(shell_word "$image") without an istio.io/rev label: it may be on the operator's control plane"
        return 1
      fi
    done
  done <<<"$pods"
}

# ---------------------------------------------------------------------------------------------
# Run-time checks: galley (src/remediate/checks/galley.sh.hbs)
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

# ---------------------------------------------------------------------------------------------
# Run-time checks: gateway-ports (src/remediate/checks/gateway-ports.sh.hbs)
# ---- the gateway port gates (SPEC §9): nothing enables the 1.6 gateway while what lets traffic
# reach it names only the 1.4 ports (80/443, status 15020). The same checks as the rule
# gateway-port-changes, read again at run time.

# Each pod: name|phase|key=value,key=value,
readonly POD_LABELS_TEMPLATE='{{range .items}}{{.metadata.name}}|{{with .status}}{{.phase}}{{end}}|{{range $k, $v := .metadata.labels}}{{$k}}={{$v}},{{end}}{{"\n"}}{{end}}'

# Each NetworkPolicy: name|matchLabels k=v,|matchExpressions key op value value;|policyTypes,|ingress
# rules, each ALL (no ports) or protocol:port:endPort entries, ';' after each rule
readonly NETWORK_POLICIES_TEMPLATE='{{range .items}}{{.metadata.name}}|{{with .spec.podSelector}}{{range $k, $v := .matchLabels}}{{$k}}={{$v}},{{end}}{{end}}|{{with .spec.podSelector}}{{range .matchExpressions}}{{.key}} {{.operator}} {{range .values}}{{.}} {{end}};{{end}}{{end}}|{{range .spec.policyTypes}}{{.}},{{end}}|{{range .spec.ingress}}{{if .ports}}{{range .ports}}{{with .protocol}}{{.}}{{end}}:{{with .port}}{{.}}{{end}}:{{with .endPort}}{{.}}{{end}} {{end}}{{else}}ALL{{end}};{{end}}{{"\n"}}{{end}}'

# Each AuthorizationPolicy: name|SEL k=v, (when it has selector.matchLabels)|,port,port,; for each
# to.operation ports and notPorts list
readonly AUTHORIZATION_POLICIES_TEMPLATE='{{range .items}}{{.metadata.name}}|{{with .spec}}{{with .selector}}{{with .matchLabels}}SEL {{range $k, $v := .}}{{$k}}={{$v}},{{end}}{{end}}{{end}}{{end}}|{{with .spec}}{{range .rules}}{{range .to}}{{with .operation}}{{with .ports}},{{range .}}{{.}},{{end}};{{end}}{{with .notPorts}},{{range .}}{{.}},{{end}};{{end}}{{end}}{{end}}{{end}}{{end}}{{"\n"}}{{end}}'

# Each Service: name|selector k=v,|its backend-config annotations (JSON), space-separated
readonly SERVICE_BACKEND_CONFIGS_TEMPLATE='{{range .items}}{{.metadata.name}}|{{with .spec}}{{range $k, $v := .selector}}{{$k}}={{$v}},{{end}}{{end}}|{{with .metadata.annotations}}{{range $k, $v := .}}{{if or (eq $k "cloud.google.com/backend-config") (eq $k "beta.cloud.google.com/backend-config")}}{{$v}} {{end}}{{end}}{{end}}{{"\n"}}{{end}}'

# gcloud: each firewall rule as name, network, direction, disabled, allowed (tcp:80,tcp:443,udp)
readonly FIREWALL_RULES_FORMAT='value(name,network.basename(),direction,disabled,allowed[].map().firewall_rule().list())'

# The value of label $2 in the label list $1 (k=v,k=v,); false when absent.
listed_label() {
  local pairs=,$1 key=$2
  [[ $pairs == *",$key="* ]] || return 1
  pairs=${pairs#*",$key="}
  printf '%s' "${pairs%%,*}"
}

# True when the labels $1 (k=v,) satisfy the matchLabels $2 (k=v,) and the matchExpressions $3
# (key operator value value ;), as Kubernetes label selectors do.
labels_select() {
  local labels=,$1 pair expression key operator values_text value current has listed
  local -a pairs expressions values
  IFS=, read -ra pairs <<<"$2"
  for pair in "${pairs[@]}"; do
    if [[ -n $pair && $labels != *",$pair,"* ]]; then return 1; fi
  done
  IFS=';' read -ra expressions <<<"$3"
  for expression in "${expressions[@]}"; do
    read -r key operator values_text <<<"$expression" || true
    [[ -n $key ]] || continue
    read -ra values <<<"${values_text:-}"
    current='' has=false listed=false
    if current=$(listed_label "$1" "$key"); then has=true; fi
    for value in "${values[@]}"; do
      if [[ $value == "$current" ]]; then listed=true; fi
    done
    case $operator in
      In) [[ $has == true && $listed == true ]] || return 1 ;;
      NotIn) [[ $has == true && $listed == true ]] && return 1 ;;
      Exists) [[ $has == true ]] || return 1 ;;
      DoesNotExist) [[ $has == false ]] || return 1 ;;
      *) return 1 ;;
    esac
  done
  return 0
}

# True when NetworkPolicy ingress rules $1 (see NETWORK_POLICIES_TEMPLATE) admit TCP port $2: a
# rule without ports admits every port; a named port is not judged.
ingress_admits() {
  local rule entry protocol port end
  local -a rules entries
  IFS=';' read -ra rules <<<"$1"
  for rule in "${rules[@]}"; do
    if [[ $rule == ALL ]]; then return 0; fi
    read -ra entries <<<"$rule"
    for entry in "${entries[@]}"; do
      IFS=: read -r protocol port end <<<"$entry"
      if [[ -n $protocol && ${protocol^^} != TCP ]]; then continue; fi
      if [[ -z $port ]]; then return 0; fi
      [[ $port =~ ^[0-9]+$ ]] || continue
      [[ $end =~ ^[0-9]+$ ]] || end=$port
      if ((10#$2 >= 10#$port && 10#$2 <= 10#$end)); then return 0; fi
    done
  done
  return 1
}

# True when a firewall rule's allowed list $1 (tcp:80,tcp:15020-15021,udp,all) opens TCP port $2;
# with $3 = named, only a port list counts (a rule open to every port does not "name" 15020).
firewall_opens() {
  local item protocol ports start end
  local -a items
  IFS=, read -ra items <<<"$1"
  for item in "${items[@]}"; do
    protocol=${item%%:*}
    ports=
    if [[ $item == *:* ]]; then ports=${item#*:}; fi
    if [[ $protocol == all ]]; then
      [[ ${3:-} == named ]] || return 0
      continue
    fi
    [[ $protocol == tcp || $protocol == 6 ]] || continue
    if [[ -z $ports ]]; then
      [[ ${3:-} == named ]] || return 0
      continue
    fi
    start=${ports%-*} end=${ports#*-}
    [[ $start =~ ^[0-9]+$ && $end =~ ^[0-9]+$ ]] || continue
    if ((10#$2 >= 10#$start && 10#$2 <= 10#$end)); then return 0; fi
  done
  return 1
}

# The live ingress gateway pods of istio-system (labels istio=ingressgateway or
# app=istio-ingressgateway), as their label lists, one a line.
gateway_pod_labels() {
  local selector lines name phase labels seen=','
  for selector in istio=ingressgateway app=istio-ingressgateway; do
    lines=$(query kubectl get pods -n istio-system -l "$selector" -o go-template="$POD_LABELS_TEMPLATE") ||
      fail 'cannot list the ingress gateway pods'
    while IFS='|' read -r name phase labels; do
      if [[ -z $name || $phase == Succeeded || $phase == Failed || $seen == *",$name,"* ]]; then continue; fi
      seen+="$name,"
      printf '%s\n' "$labels"
    done <<<"$lines"
  done
}

# True when some gateway pod (label lists $1, one a line) matches matchLabels $2 and matchExpressions $3.
selects_a_gateway_pod() {
  local labels
  while IFS= read -r labels; do
    if [[ -n $labels ]] && labels_select "$labels" "$2" "$3"; then return 0; fi
  done <<<"$1"
  return 1
}

# Open items among the NetworkPolicies of istio-system selecting the gateway pods $1: one that
# admits 80, 443 or 15020 but not 8080, 8443 or 15021. Prints one line per item.
gateway_network_policy_items() {
  local lines name match expressions types ingress pair missing
  lines=$(query kubectl get networkpolicies.networking.k8s.io -n istio-system -o go-template="$NETWORK_POLICIES_TEMPLATE") ||
    fail 'cannot list the NetworkPolicies in istio-system'
  while IFS='|' read -r name match expressions types ingress; do
    [[ -n $name ]] || continue
    if [[ -n $types && ,$types != *,Ingress,* ]]; then continue; fi
    selects_a_gateway_pod "$1" "$match" "$expressions" || continue
    missing=''
    for pair in 80:8080 443:8443 15020:15021; do
      if ingress_admits "$ingress" "${pair%:*}" && ! ingress_admits "$ingress" "${pair#*:}"; then
        missing+=" ${pair#*:}"
      fi
    done
    if [[ -n $missing ]]; then
      printf 'NetworkPolicy istio-system/%s selects the gateway pods and admits the 1.4 ports but not%s: add them beside the old ones\n' "$(shell_word "$name")" "$missing"
    fi
  done <<<"$lines"
}

# Open items among the AuthorizationPolicies of istio-system that apply to the gateway pods $1 (a
# selector matching one, or none: the root namespace's apply mesh-wide): one whose to.operation
# ports or notPorts list 80 without 8080, or 443 without 8443.
gateway_authorization_policy_items() {
  local lines name selector lists list
  local -a each
  lines=$(query kubectl get authorizationpolicies.security.istio.io -n istio-system -o go-template="$AUTHORIZATION_POLICIES_TEMPLATE") ||
    fail 'cannot list the AuthorizationPolicies in istio-system'
  while IFS='|' read -r name selector lists; do
    [[ -n $name ]] || continue
    if [[ $selector == SEL* ]] && ! selects_a_gateway_pod "$1" "${selector#SEL }" ''; then continue; fi
    IFS=';' read -ra each <<<"$lists"
    for list in "${each[@]}"; do
      if [[ ($list == *,80,* && $list != *,8080,*) || ($list == *,443,* && $list != *,8443,*) ]]; then
        printf 'AuthorizationPolicy istio-system/%s applies to the gateway and lists 80/443 without 8080/8443: add them beside the old ones\n' "$(shell_word "$name")"
        break
      fi
    done
  done <<<"$lines"
}

# True when the meshready.dev/ignore value $1 ("<rule>[,<rule>...]", spaces allowed) names
# gateway-port-changes.
ignores_gateway_port_changes() {
  local rule
  local -a rules
  IFS=, read -ra rules <<<"$1"
  for rule in "${rules[@]}"; do
    rule=${rule#"${rule%%[![:space:]]*}"}
    rule=${rule%"${rule##*[![:space:]]}"}
    if [[ $rule == gateway-port-changes ]]; then return 0; fi
  done
  return 1
}

# Open items among the BackendConfigs attached (cloud.google.com/backend-config annotation) to a
# Service of istio-system whose selector selects one of the gateway pods $1: one whose health
# check probes port 15020, unless acknowledged (meshready.dev/ignore: gateway-port-changes): a
# health check probes one port, and 15020 is the one both the 1.4 and the 1.6 gateway pods answer.
gateway_backend_config_items() {
  local lines service selector annotations rest name port ignore seen=','
  lines=$(query kubectl get services -n istio-system -o go-template="$SERVICE_BACKEND_CONFIGS_TEMPLATE") ||
    fail 'cannot list the Services in istio-system'
  while IFS='|' read -r service selector annotations; do
    # A Service without a selector selects no pod.
    [[ -n $service && -n $selector && -n $annotations ]] || continue
    selects_a_gateway_pod "$1" "$selector" '' || continue
    # Every string value of the annotation's JSON names a BackendConfig ({"default": N}, {"ports": {P: N}}).
    rest=$annotations
    while [[ $rest =~ \"[^\"]*\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; do
      name=${BASH_REMATCH[1]}
      rest=${rest#*"${BASH_REMATCH[0]}"}
      if [[ -z $name || $seen == *",$name,"* ]]; then continue; fi
      seen+="$name,"
      port=$(query kubectl get backendconfigs.cloud.google.com -n istio-system "$name" --ignore-not-found \
        -o 'jsonpath={.spec.healthCheck.port}') || fail "cannot read BackendConfig $(shell_word "$name")"
      [[ $port == 15020 ]] || continue
      ignore=$(query kubectl get backendconfigs.cloud.google.com -n istio-system "$name" --ignore-not-found \
        -o 'jsonpath={.metadata.annotations.meshready\.dev/ignore}') || fail "cannot read BackendConfig $(shell_word "$name")"
      ignores_gateway_port_changes "$ignore" && continue
      printf 'BackendConfig istio-system/%s (attached to Service %s) health-checks 15020: keep it (1.4 and 1.6 gateway pods both answer /healthz/ready there) and acknowledge it with the annotation meshready.dev/ignore=gateway-port-changes; switch to 15021 only in retire-old-control-plane\n' \
        "$(shell_word "$name")" "$(shell_word "$service")"
    done
  done <<<"$lines"
}

# Open items among the enabled ingress firewall rules of cluster $1 (location $2, project $3)'s
# network: one that names TCP 15020 in a port list but does not open 15021.
gateway_firewall_items() {
  local cluster=$1 location=$2 project=$3 described network network_project lines name rule_network direction disabled allowed
  if [[ -z $cluster || -z $location || -z $project ]]; then
    printf 'firewall rules: the scan recorded no cluster, location and project, so they cannot be checked: check that none opens tcp:15020 without tcp:15021, then run this phase with the identity scanned\n'
    return 0
  fi
  described=$(query gcloud container clusters describe "$cluster" --location "$location" --project "$project" \
    --format='value(networkConfig.network,network)') || fail "cannot read the network of cluster $(shell_word "$cluster")"
  IFS=$'\t' read -r network rule_network <<<"$described"
  network_project=$project
  if [[ $network == projects/*/global/networks/* ]]; then
    network_project=${network#projects/}
    network_project=${network_project%%/*}
    network=${network##*/}
  else
    network=$rule_network
  fi
  lines=$(query gcloud compute firewall-rules list --project "$network_project" --format="$FIREWALL_RULES_FORMAT") ||
    fail "cannot list the firewall rules of project $(shell_word "$network_project")"
  while IFS=$'\t' read -r name rule_network direction disabled allowed; do
    [[ -n $name && ${direction:-INGRESS} == INGRESS && ${disabled,,} != true ]] || continue
    if [[ -n $network && $rule_network != "$network" ]]; then continue; fi
    if firewall_opens "$allowed" 15020 named && ! firewall_opens "$allowed" 15021; then
      printf 'firewall rule %s opens tcp:15020 but not tcp:15021: add tcp:15021 beside it\n' "$(shell_word "$name")"
    fi
  done <<<"$lines"
}

# True when nothing that lets traffic reach the gateway names only its 1.4 ports: the
# NetworkPolicies, AuthorizationPolicies and BackendConfigs of the gateway pods, and the firewall
# rules of the cluster's network. Arguments: cluster, location, project. Names each open item.
gateway_ports_ready() {
  if ! applying; then
    note '(with --apply, checked first: no NetworkPolicy, AuthorizationPolicy, BackendConfig or firewall rule for the gateway names only the 1.4 ports 80/443/15020; otherwise this phase stops, exit 1)'
    return 0
  fi
  local pods items item count=0
  pods=$(gateway_pod_labels) || fail 'cannot list the ingress gateway pods'
  items=$(gateway_network_policy_items "$pods") || fail 'cannot check the NetworkPolicies'
  items+=$'\n'$(gateway_authorization_policy_items "$pods") || fail 'cannot check the AuthorizationPolicies'
  items+=$'\n'$(gateway_backend_config_items "$pods") || fail 'cannot check the BackendConfigs'
  items+=$'\n'$(gateway_firewall_items "$@") || fail 'cannot check the firewall rules'
  while IFS= read -r item; do
    [[ -n $item ]] || continue
    note "open: $item"
    count=$((count + 1))
  done <<<"$items"
  if ((count > 0)); then
    CHECK_REASON="$count item(s) still name only the 1.4 gateway ports (listed above)"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Run-time checks: v1beta1 (src/remediate/checks/v1beta1.sh.hbs)
# Each PeerAuthentication: name|selector|mTLS mode
readonly PEER_AUTHENTICATIONS_JSONPATH='{range .items[*]}{.metadata.name}|{.spec.selector}|{.spec.mtls.mode}{"\n"}{end}'

# True when a mesh-wide STRICT PeerAuthentication (no selector) exists in istio-system, the
# replacement of a STRICT MeshPolicy.
mesh_strict_peer_authentication_exists() {
  local lines selector mode
  lines=$(query kubectl get peerauthentications.security.istio.io -n istio-system \
    -o "jsonpath=$PEER_AUTHENTICATIONS_JSONPATH") || fail 'cannot list the PeerAuthentications in istio-system'
  while IFS='|' read -r _ selector mode; do
    if [[ -z $selector && $mode == STRICT ]]; then return 0; fi
  done <<<"$lines"
  return 1
}

# True when the v1beta1 replacement of each v1alpha1 policy the scan found exists (the gate before
# workloads move to 1.6 proxies, and before a v1alpha1 object is deleted). Arguments, four words a
# check: `object RESOURCE NAMESPACE NAME` (a replacement meshready wrote), `mesh-strict - - -` (a
# mesh-wide STRICT PeerAuthentication in istio-system), `by-hand RESOURCE NAMESPACE NAME` (a
# v1alpha1 object meshready could not convert: nothing can be checked while it exists). Names
# what is missing.
v1beta1_replacements_exist() {
  if ! applying; then
    note '(with --apply, checked first: each v1beta1 replacement of the v1alpha1 policies exists)'
    return 0
  fi
  local what resource namespace name found missing=0
  local -a where
  while (($# >= 4)); do
    what=$1 resource=$2 namespace=$3 name=$4
    shift 4
    where=()
    if [[ -n $namespace ]]; then where=(-n "$namespace"); fi
    case $what in
      object)
        found=$(query kubectl get "$resource" "${where[@]}" "$name" --ignore-not-found -o name) ||
          fail "cannot read $(shell_word "$resource") $(shell_word "$name")"
        if [[ -z $found ]]; then
          note "missing: $(shell_word "$resource") $(shell_word "${namespace:+$namespace/}$name") (in the v1beta1 policies file)"
          missing=$((missing + 1))
        fi
        ;;
      mesh-strict)
        if ! mesh_strict_peer_authentication_exists; then
          note 'missing: a mesh-wide STRICT PeerAuthentication in istio-system (mtls.mode: STRICT, no selector), the replacement of the STRICT MeshPolicy'
          missing=$((missing + 1))
        fi
        ;;
      by-hand)
        found=$(query kubectl get "$resource" "${where[@]}" "$name" --ignore-not-found -o name) ||
          fail "cannot read $(shell_word "$resource") $(shell_word "$name")"
        if [[ -n $found ]]; then
          note "not converted by meshready: $(shell_word "$resource") $(shell_word "${namespace:+$namespace/}$name"): rewrite and apply it by hand, then mark its finding done and scan again"
          missing=$((missing + 1))
        fi
        ;;
      *) fail "unexpected replacement check $(shell_word "$what")" ;;
    esac
  done
  if ((missing > 0)); then
    CHECK_REASON="$missing v1beta1 replacement(s) missing (listed above)"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Fix action backup-istio-system-crs (src/remediate/actions/backup-istio-system-crs/backup-istio-system-crs.sh.hbs)
# Saves every namespaced custom resource kind found in istio-system, including kinds the scan did
# not list (BackendConfig, ManagedCertificate, cert-manager, ...): one file per kind, named after
# $1. In a dry run, shows how the kinds are listed.
backup_namespaced_custom_resources() {
  local prefix=${1%.yaml} jsonpath kinds kind found
  jsonpath='jsonpath={range .items[?(@.spec.scope=="Namespaced")]}{.metadata.name}{" "}{end}'
  if ! applying; then
    check kubectl get customresourcedefinitions -o "$jsonpath"
    note '(with --apply: every kind listed is saved from istio-system, one file each, beside the backups above)'
    return 0
  fi
  kinds=$(query kubectl get customresourcedefinitions -o "$jsonpath") ||
    fail 'cannot list the custom resource definitions'
  for kind in $kinds; do
    found=$(query kubectl get "$kind" -n istio-system -o name) || fail "cannot list $(shell_word "$kind") in istio-system"
    if [[ -n $found ]]; then backup "$prefix-${kind//[^A-Za-z0-9._-]/_}.yaml" kubectl get "$kind" -n istio-system -o yaml; fi
  done
}

# ---------------------------------------------------------------------------------------------
# Fix action restore-old-control-plane (src/remediate/actions/restore-old-control-plane/restore-old-control-plane.sh.hbs)
# Scales 1.4 Deployments that are at 0 back to 1 replica while a 1.4 proxy or gateway pod still
# needs them (istio-pilot: its configuration; istio-citadel: its certificates). Arguments: the
# Deployments.
restore_old_control_plane() {
  local replicas name count
  local -a deployments=("$@")
  if applying; then
    if ! old_proxies_remain; then
      done_already 'no pod runs a 1.4 proxy or gateway any more: nothing needs the 1.4 control plane'
      return 0
    fi
    replicas=$(query kubectl get deployment -n istio-system "${deployments[@]}" --ignore-not-found \
      -o jsonpath='{range .items[*]}{.metadata.name}{"="}{.spec.replicas}{"\n"}{end}') ||
      fail 'cannot read the 1.4 Deployments'
    deployments=()
    while IFS='=' read -r name count; do
      if [[ -n $name && $count == 0 ]]; then deployments+=("$name"); fi
    done <<<"$replicas"
    if ((${#deployments[@]} == 0)); then
      done_already 'none of them is at 0 replicas (any more)'
      return 0
    fi
  fi
  run kubectl scale deployment -n istio-system --replicas=1 "${deployments[@]}"
}

# ---------------------------------------------------------------------------------------------
# Fix action restrict-galley-clusterrole (src/remediate/actions/restrict-galley-clusterrole/restrict-galley-clusterrole.sh.hbs)
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
    backup "$backup_file" kubectl get clusterrole "$name" -o yaml
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

# ---------------------------------------------------------------------------------------------
# Fix action migrate-v1alpha1-policy (src/remediate/actions/migrate-v1alpha1-policy/migrate-v1alpha1-policy.sh.hbs)
# Applies the v1beta1 policies file `meshready scan` wrote next to this script: a server-side dry
# run first, then the apply (a failure of either stops the script: set -e). Argument: the file name.
apply_v1beta1_policies() {
  local name=$1 file
  if ! applying; then
    run kubectl apply --dry-run=server -f "$name"
    run kubectl apply -f "$name"
    return 0
  fi
  file="$(dirname -- "${BASH_SOURCE[0]}")/$name"
  [[ -f $file ]] || fail "$(shell_word "$file") is missing: rerun meshready scan, which writes it next to this script"
  run kubectl apply --dry-run=server -f "$file"
  run kubectl apply -f "$file"
}

# ---------------------------------------------------------------------------------------------
# Fix action add-node-pool (src/remediate/actions/add-node-pool/add-node-pool.sh.hbs)
# Creates a node pool of $4 nodes per zone of machine type $3, unless it exists. $5 is install_asm's
# own gcloud filter when no other pool may pass it (install_asm 1.6 refuses two): while one does,
# the step is withheld. Arguments: cluster, pool, machine type, nodes, filter (or empty), then the
# gcloud scope.
add_node_pool() {
  local cluster=$1 pool=$2 machine_type=$3 nodes=$4 filter=$5 names name others=''
  local -a lines
  shift 5
  if applying; then
    names=$(query gcloud container node-pools list --cluster "$cluster" "$@" --format='value(name)') ||
      fail "cannot list the node pools of cluster $(shell_word "$cluster")"
    mapfile -t lines <<<"$names"
    for name in "${lines[@]}"; do
      if [[ $name == "$pool" ]]; then
        done_already "node pool $(shell_word "$pool") exists"
        return 0
      fi
    done
    if [[ -n $filter ]]; then
      names=$(query gcloud container node-pools list --cluster "$cluster" "$@" --filter "$filter" \
        --format='value(name)') || fail "cannot list the node pools of cluster $(shell_word "$cluster")"
      mapfile -t lines <<<"$names"
      for name in "${lines[@]}"; do
        if [[ -n $name ]]; then others+="${others:+, }$(shell_word "$name")"; fi
      done
      if [[ -n $others ]]; then
        withhold "install_asm 1.6 would also count node pool(s) $others and refuses two: leave it one pool first"
        return 0
      fi
    fi
  fi
  confirm_step "Creates node pool $(shell_word "$pool") with $nodes node(s) of $(shell_word "$machine_type") per zone: the bill grows with them. No running pod moves." || return 0
  run gcloud container node-pools create "$pool" --cluster "$cluster" --machine-type "$machine_type" \
    --num-nodes "$nodes" "$@" --quiet
}

# ---------------------------------------------------------------------------------------------
# Fix action autoscale-node-pool (src/remediate/actions/autoscale-node-pool/autoscale-node-pool.sh.hbs)
# Enables autoscaling on a node pool, or raises its limits, to at least $3 and up to at least $4
# nodes per zone; never lowers them (they are read again). install_asm reads the maximum
# (autoscaling.maxNodeCount); a resize changes nothing it reads.
# Arguments: cluster, pool, minimum, maximum, then the gcloud scope.
autoscale_node_pool() {
  local cluster=$1 pool=$2 min=$3 max=$4 limits enabled current_min current_max
  shift 4
  if applying; then
    # Comma-separated: with value()'s tabs, read would merge an empty minimum (0) into the next field.
    limits=$(query gcloud container node-pools describe "$pool" --cluster "$cluster" "$@" \
      --format='value[separator=","](autoscaling.enabled,autoscaling.minNodeCount,autoscaling.maxNodeCount)') ||
      fail "cannot read node pool $(shell_word "$pool")"
    IFS=, read -r enabled current_min current_max <<<"$limits" || true
    if [[ ${enabled,,} == true ]]; then
      [[ $current_min =~ ^[0-9]+$ ]] || current_min=0
      [[ $current_max =~ ^[0-9]+$ ]] || current_max=0
      if ((10#$current_min >= min && 10#$current_max >= max)); then
        done_already "node pool $(shell_word "$pool") already autoscales with $current_min to $current_max nodes per zone"
        return 0
      fi
      if ((10#$current_min > min)); then min=$((10#$current_min)); fi
      if ((10#$current_max > max)); then max=$((10#$current_max)); fi
    fi
  fi
  confirm_step "Autoscales node pool $(shell_word "$pool") with $min to $max nodes per zone: the autoscaler adds nodes, up to the maximum, while pods cannot be scheduled, and removes idle ones down to the minimum; the bill follows. Running pods are not moved now." || return 0
  run gcloud container clusters update "$cluster" --node-pool "$pool" --enable-autoscaling \
    --min-nodes "$min" --max-nodes "$max" "$@" --quiet
}

# ---------------------------------------------------------------------------------------------
# Fix action enable-workload-identity (src/remediate/actions/enable-workload-identity/enable-workload-identity.sh.hbs)
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

# ---------------------------------------------------------------------------------------------
# Fix action open-webhook-port (src/remediate/actions/open-webhook-port/open-webhook-port.sh.hbs)
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

# ---------------------------------------------------------------------------------------------
# Fix action relabel-namespace (src/remediate/actions/relabel-namespace/relabel-namespace.sh.hbs)
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
    if selected_revision "$labels"; then
      current=$SELECTED_REVISION
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

# ---------------------------------------------------------------------------------------------
# Fix action restart-workload (src/remediate/actions/restart-workload/restart-workload.sh.hbs)
# A workload's matchLabels as a selector (EXPRESSIONS when it also uses matchExpressions).
readonly SELECTOR_TEMPLATE='{{with .spec.selector}}{{if .matchExpressions}}EXPRESSIONS{{end}}{{range $k, $v := .matchLabels}}{{$k}}={{$v}},{{end}}{{end}}'

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

# Workloads restarted in this run (namespace, and TYPE/NAME at the same index), for wait_for_rollouts.
RESTARTED_NAMESPACES=()

RESTARTED_WORKLOADS=()

# Restarts workloads of one type in one namespace so that they get the proxy of the namespace's
# revision (the step checked first that the namespace selects it). With --apply, a workload that
# is gone, or whose pods all run that revision already, is left alone. Arguments: type,
# namespace, then the names.
restart_workloads() {
  local type=$1 namespace=$2 name labels revision found
  shift 2
  local -a due=("$@") current=()
  if applying; then
    labels=$(namespace_labels "$namespace") || fail "cannot read namespace $(shell_word "$namespace")"
    revision=$(label_value "$labels" istio.io/rev) || revision=
    due=()
    for name in "$@"; do
      found=$(query kubectl get "$type" "$name" -n "$namespace" --ignore-not-found -o name) ||
        fail "cannot read $type $(shell_word "$namespace/$name")"
      if [[ -z $found ]]; then
        note "$type $(shell_word "$name") does not exist (any more)"
      elif workload_off_revision "$type" "$namespace" "$name" "$revision"; then
        due+=("$name")
      else
        current+=("$name")
      fi
    done
    if ((${#current[@]} > 0)); then
      note "already on the proxy of revision $(shell_word "$revision"): $(print_command '' "${current[@]}")"
    fi
    if ((${#due[@]} == 0)); then
      done_already 'no workload here needs a restart'
      return 0
    fi
  fi
  run kubectl rollout restart "$type" -n "$namespace" "${due[@]}"
  for name in "${due[@]}"; do
    RESTARTED_NAMESPACES+=("$namespace")
    RESTARTED_WORKLOADS+=("$type/$name")
  done
}

# Waits for the rollout of each workload restarted in namespace $1 in this run (guide, step 4).
wait_for_rollouts() {
  local namespace=$1 index
  if ! applying; then
    note "(with --apply: waits for each restarted workload: kubectl rollout status TYPE/NAME -n $(shell_word "$namespace") --timeout=10m)"
    return 0
  fi
  for index in "${!RESTARTED_NAMESPACES[@]}"; do
    if [[ ${RESTARTED_NAMESPACES[index]} == "$namespace" ]]; then
      check kubectl rollout status "${RESTARTED_WORKLOADS[index]}" -n "$namespace" --timeout=10m
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Fix action enable-operator-gateway (src/remediate/actions/enable-operator-gateway/enable-operator-gateway.sh.hbs)
# One line per ingress gateway of an IstioOperator: index|name|enabled
readonly INGRESS_GATEWAYS_TEMPLATE='{{with .spec}}{{with .components}}{{range $i, $g := .ingressGateways}}{{$i}}|{{$g.name}}|{{$g.enabled}}{{"\n"}}{{end}}{{end}}{{end}}'

gateway_patch_operations() {
  printf '{"op":"test","path":"/spec/components/ingressGateways/%d/name","value":"istio-ingressgateway"},' "$1"
  printf '{"op":"add","path":"/spec/components/ingressGateways/%d/enabled","value":true}' "$1"
}

# Sets enabled: true on the ingressGateways entry named istio-ingressgateway, found again at run time.
enable_operator_gateway() {
  local operator=$1 scanned_index=$2 backup_file=$3
  if ! applying; then
    backup "$backup_file" kubectl get istiooperator -n istio-system "$operator" -o yaml
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

# ---------------------------------------------------------------------------------------------
# Fix action scale-down-old-control-plane (src/remediate/actions/scale-down-old-control-plane/scale-down-old-control-plane.sh.hbs)
# Scales the 1.4 Deployments to 0 (its step checked first: no namespace selects the 1.4 injector,
# no pod runs a 1.4 proxy or gateway, the 1.4 galley webhook is gone); those already at 0 are left alone.
# Arguments: backup file, then the Deployments.
scale_down_old_control_plane() {
  local backup_file=$1 replicas name count
  shift
  local -a deployments=("$@")
  if applying; then
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
  fi
  backup "$backup_file" kubectl get deployment -n istio-system "${deployments[@]}" -o yaml
  run kubectl scale deployment -n istio-system --replicas=0 "${deployments[@]}"
}

# ---------------------------------------------------------------------------------------------
# Fix action delete-v1alpha1-policy (src/remediate/actions/delete-v1alpha1-policy/delete-v1alpha1-policy.sh.hbs)
# Backs up, then deletes one v1alpha1 policy (its step checked first that no 1.4 proxy or gateway
# runs and that each replacement exists). Arguments: backup file, resource, namespace ('' for a
# cluster-scoped one), name.
delete_v1alpha1_policy() {
  local backup_file=$1 resource=$2 namespace=$3 name=$4
  local -a where=()
  if [[ -n $namespace ]]; then where=(-n "$namespace"); fi
  if applying; then
    object_exists "$resource" "${where[@]}" "$name" || return 0
  fi
  backup "$backup_file" kubectl get "$resource" "${where[@]}" "$name" -o yaml
  run kubectl delete "$resource" "${where[@]}" "$name" --ignore-not-found
}

# ---------------------------------------------------------------------------------------------
# Fix action set-operator-profile (src/remediate/actions/set-operator-profile/set-operator-profile.sh.hbs)
# Sets spec.profile of IstioOperator $1 for a step that asked for $2 (disabled or empty), deciding
# again at run time what the cluster needs now (SPEC §4): before ASM is installed, disabled (the
# operator must leave the gateway install_asm puts in place alone); once an asm-* istiod is ready,
# empty when nothing selects or runs on the operator's revision (the operator then removes what it
# installed), else disabled (a default-like profile keeps reconciling beside ASM). Never from empty
# back to disabled: that brings nothing back; what still runs on the revision is named instead.
set_operator_profile() {
  local operator=$1 asked=$2 backup_file=$3 current profile why
  case $asked in
    disabled | empty) ;;
    *) fail "unexpected profile $(shell_word "$asked")" ;;
  esac
  if ! applying; then
    if [[ $asked == empty ]]; then
      note "(with --apply, checked first: an asm-* istiod is ready, and nothing selects or runs on the operator's revision; while something does, a profile other than disabled or empty becomes disabled instead)"
    else
      note "(with --apply, checked first: once an asm-* istiod is ready and nothing selects or runs on the operator's revision any more, the profile becomes empty instead)"
    fi
    backup "$backup_file" kubectl get istiooperator -n istio-system "$operator" -o yaml
    run kubectl patch istiooperator -n istio-system "$operator" --type=merge -p "{\"spec\":{\"profile\":\"$asked\"}}"
    return 0
  fi
  object_exists istiooperator -n istio-system "$operator" || return 0
  current=$(query kubectl get istiooperator -n istio-system "$operator" -o jsonpath='{.spec.profile}') ||
    fail "cannot read IstioOperator $(shell_word "$operator")"
  CHECK_REASON=
  if ! asm_istiod_ready; then
    if [[ $asked == empty ]]; then
      withhold "$CHECK_REASON (checked: an asm-* istiod is ready)"
      return 0
    fi
    profile=disabled
  elif nothing_on_operator_revision "$operator"; then
    profile=empty
  else
    why=$CHECK_REASON
    profile=disabled
    if [[ $current == empty ]]; then
      withhold "its profile is already empty, but $why: setting it back to disabled would bring nothing back. Move them to the asm-* revision now: relabel those namespaces and restart their workloads (phase asm-migrate-namespaces)"
      return 0
    fi
    if [[ $asked == empty && $current == disabled ]]; then
      withhold "not empty yet: $why (checked: nothing selects or runs on the operator's revision)"
      return 0
    fi
    if [[ $asked == empty ]]; then note "not empty yet ($why): disabled, so that the operator stops reconciling beside ASM"; fi
  fi
  if [[ $current == "$profile" ]]; then
    done_already "its profile is already $profile"
    return 0
  fi
  if [[ $current == empty ]]; then
    withhold "its profile is already empty: setting it back to $profile would bring nothing back. Restore the IstioOperator from a backup taken before it was emptied, or install ASM and move the workloads to it"
    return 0
  fi
  if [[ $profile != "$asked" ]]; then note "the cluster needs profile $profile now (the scan asked for $asked)"; fi
  backup "$backup_file" kubectl get istiooperator -n istio-system "$operator" -o yaml
  run kubectl patch istiooperator -n istio-system "$operator" --type=merge -p "{\"spec\":{\"profile\":\"$profile\"}}"
}
