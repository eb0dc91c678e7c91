#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) from its seed corpus, one after the
# other. Seeds are read from the repository in place (nothing is copied); new inputs the fuzzer
# finds go to $FUZZ_WORK/corpus/<target> (default build-fuzz/fuzz-work), crashes, hangs and
# sanitizer reports to $FUZZ_WORK/artifacts/<target>/. Exits non-zero if any target found one.
#   usage: fuzz/run.sh [BUILD_DIR] [TARGET...]      (TARGET: spec, catalog, hf_config, set)
# FUZZ_FLAGS adds libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to go on after a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(spec catalog hf_config set)
seconds=${FUZZ_SECONDS:-60}
work=${FUZZ_WORK:-$build/fuzz-work}

seeds() {
  case $1 in
    spec) echo examples tests/data/specs tests/data/robustness/specs ;;
    catalog) echo data/gpus.json tests/data/catalogs tests/data/robustness/catalogs ;;
    hf_config) echo tests/data/hf tests/data/hf/broken tests/data/robustness/hf ;;
    set) echo fuzz/seeds/set tests/data/robustness/set ;;
  esac
}
dict() {
  case $1 in
    spec) echo fuzz/spec.dict ;;
    catalog|hf_config) echo fuzz/json.dict ;;
    set) echo fuzz/set.dict ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  bin=$build/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "fuzz/run.sh: $bin not built (cmake -DGPUSIZE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++)" >&2; exit 66; }
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  # libFuzzer reads corpora from directories: a seed that is a single file is linked, not copied.
  existing=()
  for s in $(seeds "$t"); do
    if [[ -d $s ]]; then existing+=("$s")
    elif [[ -f $s ]]; then mkdir -p "$work/seed-files/$t"; ln -sf "$PWD/$s" "$work/seed-files/$t/"; existing+=("$work/seed-files/$t")
    fi
  done
  echo "== fuzz_$t for ${seconds}s"
  # The first corpus directory receives new inputs; the seeds are only read.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$bin" "$work/corpus/$t" "${existing[@]}" -dict="$(dict "$t")" -max_total_time="$seconds" -timeout=5 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" ${FUZZ_FLAGS:-} \
      2>&1 | tee "$work/fuzz_$t.log" | grep -E '^(#[0-9]+[[:space:]]*(DONE|INITED)|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*runtime error|finding:)'
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz_$t: FOUND A PROBLEM, see $work/fuzz_$t.log and $work/artifacts/$t/"; status=1; }
done
exit $status
