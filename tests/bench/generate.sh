#!/usr/bin/env bash
# Benchmark `meridian generate` (Terraform, Pulumi and LiteLLM) on a 10,000-target spec and
# check the performance targets:
#
#   generate median time < 2.0 s
#   generate peak RSS    < 500 MB
#
# Usage (from anywhere in the repository):  bash tests/bench/generate.sh
# Environment: RUNS (default 5), TARGETS (default 10000), MAX_SECONDS (2.0), MAX_RSS_MB (500).
# Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail

RUNS=${RUNS:-5}
TARGETS=${TARGETS:-10000}
MAX_SECONDS=${MAX_SECONDS:-2.0}
MAX_RSS_MB=${MAX_RSS_MB:-500}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init generate
release_meridian
bench_spec

# One run to check it works, and to count what it writes.
"$bin" generate --json --out "$work/out" "$work/spec" >"$work/first.json" || die "generate failed"
files=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["written"]))' "$work/first.json")
bytes=$(du -sb "$work/out" | cut -f1)

before_run() { rm -rf "$work/out"; } # every run writes a fresh output directory
median=$(median_ms "$bin" generate --out "$work/out" "$work/spec")
before_run
rss_mb=$(peak_rss_mb "$bin" generate --out "$work/out" "$work/spec")

verdict=PASS
below "$MAX_SECONDS" "$median/1000" || verdict=FAIL
below "$MAX_RSS_MB" "$rss_mb" || verdict=FAIL

printf '\n%-22s %s targets, %s MB\n' "spec" "$TARGETS" "$(mb "$spec_bytes")"
printf '%-22s %s files, %.1f MB\n' "generated" "$files" "$(python3 -c "print($bytes/1e6)")"
printf '%-22s %s ms   target < %s s\n' "generate median" "$median" "$MAX_SECONDS"
printf '%-22s %s MB   target < %s MB\n' "generate peak RSS" "$rss_mb" "$MAX_RSS_MB"
printf '%-22s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
