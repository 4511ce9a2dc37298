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

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
die() { echo "report.sh: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required"

echo "==> cargo build --release"
cargo build --release -p meridian
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/release/meridian"
[[ -x $bin ]] || die "missing $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spec"
python3 tests/bench/gen_spec.py --targets "$TARGETS" --out "$work/spec/main.hcl"
size=$(wc -c <"$work/spec/main.hcl" | tr -d ' ')

# One run of each to check it works (the generated spec is valid: exit 0).
for format in html sarif; do
  "$bin" report --format "$format" --out "$work/report.$format" "$work/spec" >/dev/null ||
    die "report --format $format failed"
done
html_bytes=$(wc -c <"$work/report.html" | tr -d ' ')
sarif_bytes=$(wc -c <"$work/report.sarif" | tr -d ' ')

median_ms() { # FORMAT -> median wall time in ms
  local format=$1
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$work/hf-$format.json" \
      "'$bin' report --format $format --out '$work/out.$format' '$work/spec'" >/dev/null
    python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' \
      "$work/hf-$format.json"
  else
    local samples=() start end
    for ((i = 0; i < RUNS; i++)); do
      start=$(date +%s%N)
      "$bin" report --format "$format" --out "$work/out.$format" "$work/spec" >/dev/null
      end=$(date +%s%N)
      samples+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${samples[@]}" | python3 -c 'import statistics,sys; print(round(statistics.median(int(l) for l in sys.stdin)))'
  fi
}

html_ms=$(median_ms html)
sarif_ms=$(median_ms sarif)

verdict=PASS
for ms in "$html_ms" "$sarif_ms"; do
  python3 -c "import sys; sys.exit(0 if $ms/1000 < $MAX_SECONDS else 1)" || verdict=FAIL
done

printf '\n%-24s %s targets, %.2f MB\n' "spec" "$TARGETS" "$(python3 -c "print($size/1e6)")"
printf '%-24s HTML %.2f MB, SARIF %.2f MB\n' "report size" \
  "$(python3 -c "print($html_bytes/1e6)")" "$(python3 -c "print($sarif_bytes/1e6)")"
printf '%-24s %s ms   target < %s s\n' "report html median" "$html_ms" "$MAX_SECONDS"
printf '%-24s %s ms   target < %s s\n' "report sarif median" "$sarif_ms" "$MAX_SECONDS"
printf '%-24s %s\n' "result" "$verdict"
[[ $verdict == PASS ]]
