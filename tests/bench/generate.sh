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

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
die() { echo "generate.sh: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required"

echo "==> cargo build --release"
cargo build --release -p meridian
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/release/meridian"
[[ -x $bin ]] || die "missing $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-gen.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spec"
python3 tests/bench/gen_spec.py --targets "$TARGETS" --out "$work/spec/main.hcl"
size=$(wc -c <"$work/spec/main.hcl" | tr -d ' ')

# One run to check it works, and to count what it writes.
"$bin" generate --json --out "$work/out" "$work/spec" >"$work/first.json" || die "generate failed"
files=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["written"]))' "$work/first.json")
bytes=$(du -sb "$work/out" | cut -f1)

samples=()
for ((i = 0; i < RUNS; i++)); do
  rm -rf "$work/out"
  start=$(date +%s%N)
  "$bin" generate --out "$work/out" "$work/spec" >/dev/null
  end=$(date +%s%N)
  samples+=($(((end - start) / 1000000)))
done
median=$(printf '%s\n' "${samples[@]}" | python3 -c 'import statistics,sys; print(statistics.median(int(l) for l in sys.stdin))')
rm -rf "$work/out"
rss_kb=$(/usr/bin/time -f '%M' "$bin" generate --out "$work/out" "$work/spec" 2>&1 >/dev/null | tail -1)
rss_mb=$(python3 -c "print(round($rss_kb/1024, 1))")

verdict=PASS
python3 -c "import sys; sys.exit(0 if $median/1000 < $MAX_SECONDS else 1)" || verdict=FAIL
python3 -c "import sys; sys.exit(0 if $rss_mb < $MAX_RSS_MB else 1)" || verdict=FAIL

printf '\n%-22s %s targets, %.2f MB\n' "spec" "$TARGETS" "$(python3 -c "print($size/1e6)")"
printf '%-22s %s files, %.1f MB\n' "generated" "$files" "$(python3 -c "print($bytes/1e6)")"
printf '%-22s %s ms   target < %s s\n' "generate median" "$median" "$MAX_SECONDS"
printf '%-22s %s MB   target < %s MB\n' "generate peak RSS" "$rss_mb" "$MAX_RSS_MB"
printf '%-22s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
