#!/usr/bin/env bash
# Benchmark `meridian report` on a 10,000-target spec and check the performance target:
#
#   report --format html  median time < 2.0 s
#   report --format sarif median time < 2.0 s
#
# Each run loads and validates the spec, builds the resource graph (for the grants), the cost
# tables and the report, and renders it. hyperfine is used when installed, else a timed loop.
#
# Usage (from anywhere in the repository):  bash tests/bench/report.sh
# Environment: RUNS (default 5), TARGETS (default 10000), MAX_SECONDS (2.0), CARGO_TARGET_DIR.
# Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail

RUNS=${RUNS:-5}
TARGETS=${TARGETS:-10000}
MAX_SECONDS=${MAX_SECONDS:-2.0}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init report
release_meridian
bench_spec

# One run of each to check it works (the generated spec is valid: exit 0).
for format in html sarif; do
  "$bin" report --format "$format" --out "$work/report.$format" "$work/spec" >/dev/null ||
    die "report --format $format failed"
done
html_bytes=$(wc -c <"$work/report.html" | tr -d ' ')
sarif_bytes=$(wc -c <"$work/report.sarif" | tr -d ' ')

report_ms() { # FORMAT -> median wall time in ms (hyperfine's, with a warm-up, when installed)
  local format=$1
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$work/hf-$format.json" \
      "'$bin' report --format $format --out '$work/out.$format' '$work/spec'" >/dev/null
    python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' \
      "$work/hf-$format.json"
  else
    median_ms "$bin" report --format "$format" --out "$work/out.$format" "$work/spec"
  fi
}

html_ms=$(report_ms html)
sarif_ms=$(report_ms sarif)

verdict=PASS
for ms in "$html_ms" "$sarif_ms"; do
  below "$MAX_SECONDS" "$ms/1000" || verdict=FAIL
done

printf '\n%-24s %s targets, %s MB\n' "spec" "$TARGETS" "$(mb "$spec_bytes")"
printf '%-24s HTML %s MB, SARIF %s MB\n' "report size" "$(mb "$html_bytes")" "$(mb "$sarif_bytes")"
printf '%-24s %s ms   target < %s s\n' "report html median" "$html_ms" "$MAX_SECONDS"
printf '%-24s %s ms   target < %s s\n' "report sarif median" "$sarif_ms" "$MAX_SECONDS"
printf '%-24s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
