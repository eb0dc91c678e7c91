#!/usr/bin/env bash
# Loads `gpusize plan -o html` in headless Chromium (Debian's chromium package), checks that the
# three charts rendered into the DOM with their marks, and keeps a screenshot beside the test's
# output: tests/html/report.png in the build directory.
set -euo pipefail
bin=$1 out=$(realpath -m "$2")
mkdir -p "$out"
rm -f "$out/report.html" "$out/dom.html" "$out/report.png"
"$bin" plan examples/chat-llama-3.1-8b.yaml -o html --top 6 > "$out/report.html"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --window-size=1000,2200)
chromium "${flags[@]}" --dump-dom "file://$out/report.html" > "$out/dom.html" 2> "$out/chromium.log"
chromium "${flags[@]}" --screenshot="$out/report.png" "file://$out/report.html" >> "$out/chromium.log" 2>&1
fail=0
check() { # description, count, minimum
  if (( $2 < $3 )); then echo "FAIL: $1: $2 < $3"; fail=1; else echo "ok: $1 ($2)"; fi
}
dom=$(cat "$out/dom.html")
for id in memory-chart pareto-chart roofline-chart; do
  check "chart $id in the rendered DOM" "$(grep -c "id=\"$id\"" <<<"$dom")" 1
done
check "memory bars" "$(grep -o '<rect x="[0-9.]*" y="[0-9.]*" width="[0-9.]*" height="18"' <<<"$dom" | wc -l)" 6
check "cost/throughput points" "$(grep -o 'class="point"' <<<"$dom" | wc -l)" 10
check "frontier" "$(grep -c 'class="frontier"' <<<"$dom")" 1
check "roofline phases" "$(grep -o 'class="phase"' <<<"$dom" | wc -l)" 2
size=$(stat -c %s "$out/report.png" 2>/dev/null || echo 0)
check "screenshot bytes" "$size" 20000
exit $fail
