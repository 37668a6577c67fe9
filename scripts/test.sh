#!/usr/bin/env bash
# Runs every test: installs dependencies, builds the release and the
# ASan+UBSan modes, and runs the whole ctest suite in each; in between, the
# container end-to-end test (tests/container/run.sh: Docker image, compose
# stack) against the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
# CI may run with a bare environment: ccache and buf live under $HOME.
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
# buf curl: the tests use it as grpcurl users use grpcurl (npm registry).
export DCGAN_BUF=${DCGAN_BUF:-$HOME/.cache/buf/node_modules/.bin/buf}
if [[ ! -x $DCGAN_BUF ]]; then
  npm install --silent --prefix "$HOME/.cache/buf" @bufbuild/buf@1.75.0 >/dev/null
fi
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

scripts/build.sh release
ctest --test-dir build/release --output-on-failure --timeout 600

# dockerd needs root; CI runs as root.
if [[ $(id -u) -eq 0 ]]; then
  tests/container/run.sh
else
  echo "test.sh: SKIPPED tests/container/run.sh (starting dockerd needs root)" >&2
fi

scripts/build.sh asan
# LibTorch itself is not instrumented; its one-time allocations at exit are
# not ours to report, so leak checking stays off (ASan still catches
# overflows and use-after-free in our code, UBSan undefined behaviour).
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure --timeout 900
