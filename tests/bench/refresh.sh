#!/usr/bin/env bash
# Benchmark a live refresh against the fake cloud: 3 clouds x 12 regions, every list three
# pages long, 100 ms of latency injected on every request. Prints the wall time at the given
# parallelism and at parallelism 1, the requests made, the critical path (the longest chain
# of requests that depend on each other, x 100 ms) and the ratio, and checks the target:
#
#   wall time at parallelism P <= 1.3 x the critical path
#
# Usage (from anywhere in the repository):  bash tests/bench/refresh.sh [P]   (default 64)
# Environment: MAX_RATIO (default 1.3). Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail

P=${1:-64}
MAX_RATIO=${MAX_RATIO:-1.3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

echo "==> cargo build --release --example refresh_bench"
cargo build --release -p meridian-refresh --example refresh_bench
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/release/examples/refresh_bench"
[[ -x $bin ]] || { echo "refresh.sh: missing $bin" >&2; exit 2; }

out=$("$bin" "$P")
echo "$out"
ratio=$(printf '%s\n' "$out" | awk -v p="$P" '$1 == "parallelism" && $2 == p":" { for (i = 2; i <= NF; i++) if ($i == "x" && $(i + 1) == "the") print $(i - 1) }')
[[ -n $ratio ]] || { echo "refresh.sh: could not read the ratio" >&2; exit 2; }
if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r <= m) }'; then
  echo "PASS: ratio $ratio <= $MAX_RATIO"
else
  echo "FAIL: ratio $ratio > $MAX_RATIO"
  exit 1
fi
