#!/usr/bin/env bash
# Runs one golden case: a folder with `args` (one argument per line), optional `stdin`, and the
# expected `stdout`, `stderr` and `exit` (exit code). Compares byte for byte and shows a diff.
# GPUSIZE_UPDATE_GOLDEN=1 rewrites the expectations instead (review the diff before committing).
#
# The assumption list is pinned by the cases named assumptions-*, which hold a file
# `keep-assumptions`; in every other case stdout's assumptions block is replaced by one marker line
# before comparing (and before writing), so adding a calibration constant changes those cases only.
# What is replaced, exactly (nothing else is touched):
#   table, yaml:  the lines after `assumptions:` or `assumptions (...):` (at column 0) that start
#                 with a space, up to the first line that does not;
#   markdown:     after `### assumptions`, one blank line and the table lines (starting with |)
#                 that follow it;
#   json:         the lines from `  "assumptions": [` to the matching `  ]` or `  ],` (the report's
#                 top-level array; a one-line `[]` is kept).
set -u
bin=$1 dir=$2
mapfile -t args < "$dir/args"
input=/dev/null
[[ -f $dir/stdin ]] && input=$dir/stdin
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
NO_COLOR=1 COLUMNS=120 "$bin" "${args[@]}" < "$input" > "$out" 2> "$err"
code=$?
if [[ ! -f $dir/keep-assumptions ]]; then
  marker='(assumptions dropped by tests/golden/run_case.sh: the assumptions-* cases pin them)'
  awk -v marker="$marker" '
    mode == "" && /^  "assumptions": \[$/ { mode = "json"; next }
    mode == "json" {
      if ($0 ~ /^  \],?$/) { print "  \"assumptions\": \"" marker "\"" ($0 ~ /,$/ ? "," : ""); mode = "" }
      next
    }
    mode == "" && /^### assumptions$/ { print; print ""; print marker; mode = "markdown_blank"; next }
    mode == "markdown_blank" { mode = "markdown"; if ($0 == "") next }
    mode == "markdown" { if ($0 ~ /^\|/) next; mode = "" }
    mode == "" && /^assumptions( \(.*\))?:$/ { print; print "  " marker; mode = "indented"; next }
    mode == "indented" { if ($0 ~ /^ /) next; mode = "" }
    { print }
  ' "$out" > "$out.filtered" && mv "$out.filtered" "$out"
fi
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
