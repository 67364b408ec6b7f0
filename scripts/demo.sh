#!/usr/bin/env bash
# `npm run demo`: scans the bundled demo snapshots, one report directory each.
set -euo pipefail
cd "$(dirname "$0")/.."
scan() {
  local state=$1; shift
  printf '\n=== %s\n' "fixtures/demo/${state}"
  # --fail-on never: the demo clusters are not ready on purpose; the exit code would only stop npm.
  node bin/meshready.js scan --snapshot "fixtures/demo/${state}" --output-dir "meshready-report/${state}" --fail-on never "$@"
}
scan addon-1.4
scan mid-migration
scan asm-candidate --target asm-1.7
scan asm-installed --target asm-1.7
printf '\nReports written under meshready-report/ (open meshready-report/*/meshready-report.html).\n'
