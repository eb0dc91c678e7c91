#!/usr/bin/env bash
# Runs one golden case: a folder with `args` (one argument per line), optional `stdin`, and the
# expected `stdout`, `stderr` and `exit` (exit code). Compares byte for byte and shows a diff.
# GPUSIZE_UPDATE_GOLDEN=1 rewrites the expectations instead (review the diff before committing).
set -u
bin=$1 dir=$2
mapfile -t args < "$dir/args"
input=/dev/null
[[ -f $dir/stdin ]] && input=$dir/stdin
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
NO_COLOR=1 COLUMNS=120 "$bin" "${args[@]}" < "$input" > "$out" 2> "$err"
code=$?
if [[ ${GPUSIZE_UPDATE_GOLDEN:-} == 1 ]]; then
  cp "$out" "$dir/stdout"; cp "$err" "$dir/stderr"; echo "$code" > "$dir/exit"
  echo "updated $dir"; exit 0
fi
status=0
want=$(cat "$dir/exit" 2>/dev/null || echo missing)
if [[ $code != "$want" ]]; then echo "exit code: got $code, want $want"; status=1; fi
for stream in stdout stderr; do
  file=$out; [[ $stream == stderr ]] && file=$err
  if ! diff -u "$dir/$stream" "$file" --label "expected $stream" --label "actual $stream"; then status=1; fi
done
exit $status
