#!/usr/bin/env bash
# Builds and runs the benchmarks (tests/bench). Takes several minutes: the
# stock-stack baseline alone runs at a few images per second.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
scripts/build.sh release --target train_bench
build/release/tests/bench/train_bench "$@"
