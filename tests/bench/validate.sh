#!/usr/bin/env bash
# Benchmark `meridian validate` on a 10,000-target spec against hcl-edit parsing the same
# file alone, and check the performance targets:
#
#   validate median time <= 3.0 x parse-only median time
#   validate peak RSS    <  300 MB
#
# Usage (from anywhere in the repository):  bash tests/bench/validate.sh
# Environment: RUNS (default 7), TARGETS (default 10000), MAX_RATIO (3.0), MAX_RSS_MB (300),
# KEEP=1 to keep the generated spec, ALLOW_INVALID=1 to time a spec that does not validate.
# Exit status: 0 PASS, 1 FAIL, 2 setup error.

set -euo pipefail

RUNS=${RUNS:-7}
TARGETS=${TARGETS:-10000}
MAX_RATIO=${MAX_RATIO:-3.0}
MAX_RSS_MB=${MAX_RSS_MB:-300}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

die() { echo "validate.sh: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is required (spec generator, statistics)"
command -v cargo >/dev/null || die "cargo is required"

echo "==> cargo build --release"
cargo build --release -p meridian -p meridian-spec --examples --bins

target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])') || target_dir="$root/target"
parse_bin="$target_dir/release/examples/parse_only"
meridian_bin="$target_dir/release/meridian"
[[ -x $parse_bin ]] || die "missing $parse_bin"
[[ -x $meridian_bin ]] || die "missing $meridian_bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-bench.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
  echo "==> keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi
spec="$work/bench.hcl"

echo "==> generating a $TARGETS-target spec"
python3 tests/bench/gen_spec.py --targets "$TARGETS" --out "$spec"
size_bytes=$(wc -c <"$spec" | tr -d ' ')

# Sanity: both commands must succeed on the file, or the timings mean nothing.
"$parse_bin" "$spec" >/dev/null || die "parse_only failed on $spec"
valid=yes
if ! "$meridian_bin" validate "$spec" >"$work/validate.out" 2>&1; then
  valid=no
  echo "validate.sh: meridian validate reports problems with the generated spec:" >&2
  head -n 40 "$work/validate.out" >&2
  [[ ${ALLOW_INVALID:-0} == 1 ]] || { echo "validate.sh: FAIL (spec does not validate; ALLOW_INVALID=1 to time it anyway)" >&2; exit 1; }
fi

# time_both: median wall time, in ms, of RUNS runs of parse-only and of validate on $spec
# (after one warm-up run of each). Prints "PARSE_MS VALIDATE_MS". Without hyperfine the runs
# are interleaved, so a burst of load on the machine hits both commands alike.
time_both() {
  if command -v hyperfine >/dev/null; then
    local json="$work/hyperfine.json"
    hyperfine --style none --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$json" \
      --command-name parse-only "$(printf '%q ' "$parse_bin" "$spec")" \
      --command-name validate "$(printf '%q ' "$meridian_bin" validate "$spec")" \
      >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; die "hyperfine failed"; }
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print("%.1f %.1f" % (r[0]["median"]*1000, r[1]["median"]*1000))' "$json"
  else
    local i start end
    : >"$work/parse.us"
    : >"$work/validate.us"
    "$parse_bin" "$spec" >/dev/null 2>&1 || true
    "$meridian_bin" validate "$spec" >/dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
      start=$(date +%s%N)
      "$parse_bin" "$spec" >/dev/null 2>&1 || true
      end=$(date +%s%N)
      echo $(((end - start) / 1000)) >>"$work/parse.us"
      start=$(date +%s%N)
      "$meridian_bin" validate "$spec" >/dev/null 2>&1 || true
      end=$(date +%s%N)
      echo $(((end - start) / 1000)) >>"$work/validate.us"
    done
    python3 -c 'import statistics,sys; print(" ".join("%.1f" % (statistics.median(int(l) for l in open(f)) / 1000) for f in sys.argv[1:]))' \
      "$work/parse.us" "$work/validate.us"
  fi
}

# peak_rss_mb CMD... : maximum resident set size of one run, in MB.
peak_rss_mb() {
  if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    /usr/bin/time -v "$@" >/dev/null 2>"$work/time.out" || true
    awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.1f\n", $2 / 1024 }' "$work/time.out"
  else
    python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%.1f" % (kb / 1024))
PY
  fi
}

timer="interleaved loop"
command -v hyperfine >/dev/null && timer=hyperfine
echo "==> timing $RUNS runs each ($timer)"
if [[ -r /proc/loadavg ]]; then
  read -r load _ </proc/loadavg
  cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
  if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0.5 * int(sys.argv[2]) else 1)' "$load" "$cpus"; then
    echo "validate.sh: note: load average $load on $cpus CPUs; timings may be noisy" >&2
  fi
fi
times=$(time_both)
read -r parse_ms validate_ms <<<"$times"
parse_rss=$(peak_rss_mb "$parse_bin" "$spec")
validate_rss=$(peak_rss_mb "$meridian_bin" validate "$spec")

python3 - "$size_bytes" "$parse_ms" "$validate_ms" "$parse_rss" "$validate_rss" "$MAX_RATIO" "$MAX_RSS_MB" "$valid" "$TARGETS" <<'PY'
import sys
size, parse_ms, validate_ms, parse_rss, validate_rss, max_ratio, max_rss = map(float, sys.argv[1:8])
valid, targets = sys.argv[8], sys.argv[9]
ratio = validate_ms / parse_ms if parse_ms > 0 else float("inf")
ratio_ok = ratio <= max_ratio
rss_ok = validate_rss < max_rss
verdict = lambda ok: "PASS" if ok else "FAIL"
print()
print(f"spec                 {targets} targets, {size / 1e6:.2f} MB, validates: {valid}")
print(f"parse-only median    {parse_ms:10.1f} ms   (peak RSS {parse_rss:.1f} MB)")
print(f"validate median      {validate_ms:10.1f} ms")
print(f"ratio                {ratio:10.2f}      target <= {max_ratio:g}   {verdict(ratio_ok)}")
print(f"validate peak RSS    {validate_rss:10.1f} MB   target <  {max_rss:g} MB   {verdict(rss_ok)}")
ok = ratio_ok and rss_ok and valid == "yes"
print(f"result               {verdict(ok)}")
sys.exit(0 if ok else 1)
PY
