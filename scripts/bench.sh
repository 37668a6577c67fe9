#!/usr/bin/env bash
# Builds and runs the benchmarks (tests/bench): scripts/bench.sh [train|sample|all].
# Takes several minutes: the stock-stack training baseline alone runs at a few
# images per second; the sampling bench takes about 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
scripts/build.sh release --target train_bench --target sample_bench \
  --target dcgan-server --target dcganctl
case "${1:-all}" in
  train) shift; build/release/tests/bench/train_bench "$@" ;;
  sample) shift; build/release/tests/bench/sample_bench "$@" ;;
  all) build/release/tests/bench/train_bench; build/release/tests/bench/sample_bench ;;
  *) echo "usage: $0 [train|sample|all] [bench args]" >&2; exit 2 ;;
esac
