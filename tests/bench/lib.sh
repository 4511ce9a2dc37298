# Shared by the benchmark scripts (source it; it is not run on its own):
#
#   bench_init NAME       cd to the repository root ($root), define die (exit 2 with NAME),
#                         check python3, make the temporary $work (removed on exit)
#   release_meridian      cargo build --release -p meridian; $target_dir and $bin
#   bench_spec            a TARGETS-target spec at $work/spec/main.hcl; $spec_bytes
#   median_ms CMD...      the median wall time, in ms, of RUNS runs of CMD (its stdout goes to
#                         $work/last.out); a function before_run, when defined, runs untimed
#                         before each run
#   median_cpu_ms CMD...  the median CPU time (user + system), in ms, of RUNS runs of CMD: on
#                         a loaded machine it moves less than the wall time
#   peak_rss_mb CMD...    the peak RSS of one run of CMD, in MB (one decimal)
#   below LIMIT VALUE     whether VALUE < LIMIT (decimals allowed)
#   mb BYTES              BYTES in MB, two decimals
#   ratio_bench EXAMPLE P build meridian-refresh's example EXAMPLE (release), run it with
#                         parallelism P, print what it prints, and check the ratio it reports
#                         for P ("... R x the ...") against MAX_RATIO (default 1.3): PASS, or
#                         FAIL and exit 1 (needs BENCH_NAME set for its errors)

bench_init() {
  BENCH_NAME=$1
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$root"
  command -v python3 >/dev/null || die "python3 is required"
  work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-$BENCH_NAME.XXXXXX")
  trap 'rm -rf "$work"' EXIT
}

die() {
  echo "$BENCH_NAME.sh: $*" >&2
  exit 2
}

release_meridian() {
  echo "==> cargo build --release"
  cargo build --release -p meridian
  target_dir=${CARGO_TARGET_DIR:-$root/target}
  bin="$target_dir/release/meridian"
  [[ -x $bin ]] || die "missing $bin"
}

bench_spec() {
  mkdir -p "$work/spec"
  python3 tests/bench/gen_spec.py --targets "$TARGETS" --out "$work/spec/main.hcl"
  spec_bytes=$(wc -c <"$work/spec/main.hcl" | tr -d ' ')
}

median_ms() {
  local samples=() start end i
  for ((i = 0; i < RUNS; i++)); do
    if declare -F before_run >/dev/null; then before_run; fi
    start=$(date +%s%N)
    "$@" >"$work/last.out"
    end=$(date +%s%N)
    samples+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${samples[@]}" |
    python3 -c 'import statistics,sys; print(statistics.median(int(l) for l in sys.stdin))'
}

median_cpu_ms() {
  local samples=() i t
  for ((i = 0; i < RUNS; i++)); do
    if declare -F before_run >/dev/null; then before_run; fi
    t=$(/usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1)
    samples+=($(python3 -c "u, s = '$t'.split(); print(round((float(u) + float(s)) * 1000))"))
  done
  printf '%s\n' "${samples[@]}" |
    python3 -c 'import statistics,sys; print(statistics.median(int(l) for l in sys.stdin))'
}

peak_rss_mb() {
  local kb
  kb=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
  python3 -c "print(round($kb/1024, 1))"
}

below() {
  python3 -c "import sys; sys.exit(0 if $2 < $1 else 1)"
}

mb() {
  python3 -c "print('%.2f' % ($1/1e6))"
}

ratio_bench() {
  local example=$1 p=$2 max=${MAX_RATIO:-1.3} bin out ratio
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$root"
  echo "==> cargo build --release --example $example"
  cargo build --release -p meridian-refresh --example "$example"
  bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/$example"
  [[ -x $bin ]] || die "missing $bin"
  out=$("$bin" "$p")
  echo "$out"
  ratio=$(printf '%s\n' "$out" | awk -v p="$p" '$1 == "parallelism" && $2 == p":" { for (i = 2; i <= NF; i++) if ($i == "x" && $(i + 1) == "the") print $(i - 1) }')
  [[ -n $ratio ]] || die "could not read the ratio"
  if awk -v r="$ratio" -v m="$max" 'BEGIN { exit !(r <= m) }'; then
    echo "PASS: ratio $ratio <= $max"
  else
    echo "FAIL: ratio $ratio > $max"
    exit 1
  fi
}
