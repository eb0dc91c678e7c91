#!/usr/bin/env bash
# CTest `ci.example`: examples/ci/check-specs.sh (the check step of the GitHub Actions example)
# passes a spec that fits, fails on one that misses a target and on one that does not fit, writes
# one JSON report per spec and a markdown summary.
#   usage: check_ci_example.sh REPO_ROOT GPUSIZE
set -u
root=$1 gpusize=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
specs=(tests/data/specs/golden-solve.yaml tests/data/specs/golden-misses-target.yaml tests/data/specs/golden-nothing-fits.yaml)
got=$(GPUSIZE_RESULTS=$work/results GITHUB_STEP_SUMMARY=$work/summary.md examples/ci/check-specs.sh "$gpusize" "${specs[@]}" 2>&1)
code=$?
want="ok: tests/data/specs/golden-solve.yaml
::error file=tests/data/specs/golden-misses-target.yaml::fits but misses a target or a --require condition (gpusize check exit 2)
::error file=tests/data/specs/golden-nothing-fits.yaml::does not fit (gpusize check exit 1)"
status=0
[[ $code == 1 ]] || { echo "FAIL: exit $code, want 1"; status=1; }
[[ $got == "$want" ]] || { echo "FAIL: output"; diff <(echo "$want") <(echo "$got"); status=1; }
for name in golden-solve golden-misses-target golden-nothing-fits; do
  grep -q '"command": "check"' "$work/results/$name.json" || { echo "FAIL: $name.json"; status=1; }
  grep -q "^## \`tests/data/specs/$name.yaml\`" "$work/summary.md" || { echo "FAIL: summary lacks $name"; status=1; }
done
# With a condition that holds, the passing spec still passes; with one that fails, exit 1.
GPUSIZE_RESULTS=$work/r2 GPUSIZE_CHECK_ARGS="--require headroom>=1%" examples/ci/check-specs.sh "$gpusize" "${specs[0]}" > /dev/null ||
  { echo "FAIL: a holding --require failed the check"; status=1; }
GPUSIZE_RESULTS=$work/r3 GPUSIZE_CHECK_ARGS="--require headroom>=99%" examples/ci/check-specs.sh "$gpusize" "${specs[0]}" > /dev/null &&
  { echo "FAIL: a failing --require passed the check"; status=1; }
exit $status
