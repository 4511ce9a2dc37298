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
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_NAME=refresh
ratio_bench refresh_bench "${1:-64}"
