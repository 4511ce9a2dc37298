#!/usr/bin/env bash
# Benchmark `meridian plan --refresh=false` on a 10,000-target spec against a state holding
# the same resources with 1% of them changed, rendering the plan, and check the targets (the
# median CPU time is printed too: on a shared machine it says more than the wall time):
#
#   plan median time < 1.5 s
#   plan peak RSS    < 500 MB
#
# Usage (from anywhere in the repository):  bash tests/bench/plan.sh
# Environment: RUNS (default 5), TARGETS (default 10000), MAX_SECONDS (1.5), MAX_RSS_MB (500).
# Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail

RUNS=${RUNS:-5}
TARGETS=${TARGETS:-10000}
MAX_SECONDS=${MAX_SECONDS:-1.5}
MAX_RSS_MB=${MAX_RSS_MB:-500}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init plan
release_meridian
cargo build --release -p meridian-plan --example perturb_state
perturb="$target_dir/release/examples/perturb_state"
[[ -x $perturb ]] || die "missing $perturb"
bench_spec

echo "==> apply (the state and the generated files)"
"$bin" apply --auto-approve --refresh=false "$work/spec" >/dev/null || die "apply failed"
"$perturb" "$work/spec/.meridian/state.json" 100 || die "perturb failed"
resources=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["resources"]))' "$work/spec/.meridian/state.json")

# One run to check it works and to count the changes it finds.
set +e
"$bin" plan --refresh=false --detailed-exitcode --json "$work/spec" >"$work/plan.json"
code=$?
set -e
[[ $code == 2 ]] || die "plan exit $code (expected 2: changes)"
updates=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["change"])' "$work/plan.json")

median=$(median_ms "$bin" plan --refresh=false "$work/spec")
lines=$(wc -l <"$work/last.out" | tr -d ' ')
cpu=$(median_cpu_ms "$bin" plan --refresh=false "$work/spec")
rss_mb=$(peak_rss_mb "$bin" plan --refresh=false "$work/spec")

verdict=PASS
below "$MAX_SECONDS" "$median/1000" || verdict=FAIL
below "$MAX_RSS_MB" "$rss_mb" || verdict=FAIL

printf '\n%-22s %s targets, %s resources in state, %s updates planned\n' "spec" "$TARGETS" "$resources" "$updates"
printf '%-22s %s lines of human output\n' "plan" "$lines"
printf '%-22s %s ms   target < %s s\n' "plan median" "$median" "$MAX_SECONDS"
printf '%-22s %s ms   (user + system; less sensitive to load than the wall time)\n' "plan median CPU" "$cpu"
printf '%-22s %s MB   target < %s MB\n' "plan peak RSS" "$rss_mb" "$MAX_RSS_MB"
printf '%-22s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
