#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 60), one after the other, from the working
# corpus kept in the repository (fuzz/corpus/<target>) and the seeds. Seeds are read in place and
# never copied; new inputs the fuzzer finds go to fuzz/corpus/<target>, so runs accumulate across
# sessions; crashes, hangs and sanitizer reports go to $FUZZ_WORK/artifacts/<target>/ (default
# build-fuzz/fuzz-work). Exits non-zero if any target found one.
#   usage: fuzz/run.sh [BUILD_DIR] [TARGET...]          (TARGET: spec, catalog, hf_config, set)
#          fuzz/run.sh --merge [BUILD_DIR] [TARGET...]  minimise fuzz/corpus/<target> before a commit
# FUZZ_FLAGS adds libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to go on after a finding.
# FUZZ_CORPUS moves the working corpus (default fuzz/corpus).
set -uo pipefail
cd "$(dirname "$0")/.."
merge=0
if [[ ${1:-} == --merge ]]; then merge=1; shift; fi
build=${1:-build-fuzz}
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(spec catalog hf_config set)
seconds=${FUZZ_SECONDS:-60}
work=${FUZZ_WORK:-$build/fuzz-work}
corpus_root=${FUZZ_CORPUS:-fuzz/corpus}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

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
# The longest input. An overlay rarely needs more than a few entries, and mutations of the 100 KB
# bundled catalog (its first 64 KiB) made the catalog corpus grow by megabytes in minutes; the
# size and nesting limits of large documents have their own tests.
max_len() {
  case $1 in
    catalog) echo 16384 ;;
    *) echo 65536 ;;
  esac
}

# Keeps in fuzz/corpus/<target> only the inputs that add coverage beyond the seeds: libFuzzer's
# -merge=1 first takes the seeds' coverage (into a scratch folder, as copies named by their SHA-1),
# then adds the corpus inputs that reach something new; those, and only those, become the corpus.
minimise() {
  local t=$1 bin=$2 corpus=$3
  shift 3
  local scratch
  scratch=$(mktemp -d) || return 1
  mkdir "$scratch/kept"
  "$bin" -merge=1 -timeout=5 -rss_limit_mb=2048 -max_len="$(max_len "$t")" "$scratch/kept" "$@" >"$work/merge_$t.log" 2>&1 || { echo "fuzz_$t: merging the seeds failed, see $work/merge_$t.log"; rm -rf "$scratch"; return 1; }
  ls "$scratch/kept" | sort >"$scratch/seeds.list"
  "$bin" -merge=1 -timeout=5 -rss_limit_mb=2048 -max_len="$(max_len "$t")" "$scratch/kept" "$corpus" >>"$work/merge_$t.log" 2>&1 || { echo "fuzz_$t: merging the corpus failed, see $work/merge_$t.log"; rm -rf "$scratch"; return 1; }
  local before after
  before=$(ls "$corpus" | wc -l)
  mkdir "$scratch/corpus"
  ls "$scratch/kept" | sort | comm -13 "$scratch/seeds.list" - | while read -r f; do mv "$scratch/kept/$f" "$scratch/corpus/"; done
  rm -rf "$corpus" && mv "$scratch/corpus" "$corpus" && rm -rf "$scratch"
  after=$(ls "$corpus" | wc -l)
  echo "fuzz_$t: corpus $before -> $after inputs, $(du -sb "$corpus" | cut -f1) bytes"
}

status=0
for t in "${targets[@]}"; do
  bin=$build/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "fuzz/run.sh: $bin not built (cmake -DGPUSIZE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++)" >&2; exit 66; }
  corpus=$corpus_root/$t
  mkdir -p "$corpus" "$work/artifacts/$t"
  # libFuzzer reads corpora from directories: a seed that is a single file is linked, not copied.
  existing=()
  for s in $(seeds "$t"); do
    if [[ -d $s ]]; then existing+=("$s")
    elif [[ -f $s ]]; then mkdir -p "$work/seed-files/$t"; ln -sf "$PWD/$s" "$work/seed-files/$t/"; existing+=("$work/seed-files/$t")
    fi
  done
  if [[ $merge -eq 1 ]]; then
    minimise "$t" "$bin" "$corpus" "${existing[@]}" || status=1
    continue
  fi
  echo "== fuzz_$t for ${seconds}s"
  # The first corpus directory receives new inputs; the seeds are only read.
  "$bin" "$corpus" "${existing[@]}" -dict="$(dict "$t")" -max_total_time="$seconds" -timeout=5 \
      -rss_limit_mb=2048 -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" ${FUZZ_FLAGS:-} \
      2>&1 | tee "$work/fuzz_$t.log" | grep -E '^(#[0-9]+[[:space:]]*(DONE|INITED)|INFO: exiting|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*runtime error|finding:)'
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz_$t: FOUND A PROBLEM, see $work/fuzz_$t.log and $work/artifacts/$t/"; status=1; }
done
exit $status
