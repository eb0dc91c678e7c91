#!/usr/bin/env bash
# Runs `gpusize check` on each spec given and fails if any does not pass: the check step of
# gpusize-check.yml, kept as a script so it runs the same locally and in CI.
#   usage: check-specs.sh GPUSIZE SPEC...
# GPUSIZE_CHECK_ARGS: extra arguments for every check (split on spaces; --require conditions
#   without spaces, or quoted in the spec's own --set instead).
# GPUSIZE_RESULTS: where the JSON reports go (default gpusize-results).
# GITHUB_STEP_SUMMARY: when set (GitHub Actions sets it), each markdown report is appended to it.
# Exit status: 0 when every spec passes, 1 otherwise; each failure is a GitHub annotation.
set -uo pipefail
if (( $# < 2 )); then
  echo "usage: check-specs.sh GPUSIZE SPEC..." >&2
  exit 64
fi
gpusize=$1
shift
results=${GPUSIZE_RESULTS:-gpusize-results}
read -r -a extra <<< "${GPUSIZE_CHECK_ARGS:-}"
mkdir -p "$results"
failed=0
for spec in "$@"; do
  name=$(basename "$spec" .yaml)
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    { echo "## \`$spec\`"; echo; "$gpusize" check "$spec" "${extra[@]}" -o markdown 2>&1; echo; } >> "$GITHUB_STEP_SUMMARY"
  fi
  "$gpusize" check "$spec" "${extra[@]}" -o json > "$results/$name.json"
  code=$?
  case $code in
    0) echo "ok: $spec" ;;
    1) echo "::error file=$spec::does not fit (gpusize check exit 1)"; failed=1 ;;
    2) echo "::error file=$spec::fits but misses a target or a --require condition (gpusize check exit 2)"; failed=1 ;;
    *) echo "::error file=$spec::gpusize check failed with exit $code (its message is above)"; failed=1 ;;
  esac
done
exit $failed
