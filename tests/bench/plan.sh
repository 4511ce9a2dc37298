#!/usr/bin/env bash
# Benchmark `meridian plan --refresh=false` on a 10,000-target spec against a state holding
# the same resources with 1% of them changed, rendering the plan, and check the targets:
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

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
die() { echo "plan.sh: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required"

echo "==> cargo build --release"
cargo build --release -p meridian
cargo build --release -p meridian-plan --example perturb_state
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/release/meridian"
perturb="$target_dir/release/examples/perturb_state"
[[ -x $bin && -x $perturb ]] || die "missing binaries"

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-plan.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spec"
python3 tests/bench/gen_spec.py --targets "$TARGETS" --out "$work/spec/main.hcl"

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

samples=()
for ((i = 0; i < RUNS; i++)); do
  start=$(date +%s%N)
  "$bin" plan --refresh=false "$work/spec" >"$work/plan.txt" || true
  end=$(date +%s%N)
  samples+=($(((end - start) / 1000000)))
done
lines=$(wc -l <"$work/plan.txt" | tr -d ' ')
median=$(printf '%s\n' "${samples[@]}" | python3 -c 'import statistics,sys; print(statistics.median(int(l) for l in sys.stdin))')
rss_kb=$(/usr/bin/time -f '%M' "$bin" plan --refresh=false "$work/spec" 2>&1 >/dev/null | tail -1)
rss_mb=$(python3 -c "print(round($rss_kb/1024, 1))")

verdict=PASS
python3 -c "import sys; sys.exit(0 if $median/1000 < $MAX_SECONDS else 1)" || verdict=FAIL
python3 -c "import sys; sys.exit(0 if $rss_mb < $MAX_RSS_MB else 1)" || verdict=FAIL

printf '\n%-22s %s targets, %s resources in state, %s updates planned\n' "spec" "$TARGETS" "$resources" "$updates"
printf '%-22s %s lines of human output\n' "plan" "$lines"
printf '%-22s %s ms   target < %s s\n' "plan median" "$median" "$MAX_SECONDS"
printf '%-22s %s MB   target < %s MB\n' "plan peak RSS" "$rss_mb" "$MAX_RSS_MB"
printf '%-22s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
