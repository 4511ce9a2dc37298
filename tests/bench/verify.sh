#!/usr/bin/env bash
# Benchmark `catalog verify` against the fake cloud: the built-in catalog served as 3 clouds
# x 12 regions state it (Bedrock foundation models, system profiles and each geographic
# profile's destinations; Azure model lists; Vertex AI publisher models), four items a page,
# 100 ms of latency injected on every request. Prints the wall time at the given parallelism
# and at parallelism 1, the requests made, the lower bound (the longer of the critical path,
# the longest chain of requests that depend on each other, and requests / P, each x 100 ms)
# and the ratio, and checks the target:
#
#   wall time at parallelism P <= 1.3 x the lower bound
#
# Usage (from anywhere in the repository):  bash tests/bench/verify.sh [P]   (default 64)
# Environment: MAX_RATIO (default 1.3). Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_NAME=verify
ratio_bench verify_bench "${1:-64}"
