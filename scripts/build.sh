#!/usr/bin/env bash
# Usage: scripts/build.sh [release|asan] [cmake --build args...]
# Configures (once) and builds one mode in its own folder, build/<mode>.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-release}
shift || true
case "$mode" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 keeps the sanitized torch tests quick enough; frame pointers for traces.
  asan) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDCGAN_SANITIZE=ON
               "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g") ;;
  *) echo "usage: $0 [release|asan] [build args]" >&2; exit 2 ;;
esac
if [[ ! -f build/$mode/build.ninja ]]; then
  cmake -S . -B "build/$mode" -G Ninja "${flags[@]}" >/dev/null
fi
# Two jobs: a torch TU takes ~1.5 GiB and this project targets 2-core machines.
cmake --build "build/$mode" -j "${DCGAN_BUILD_JOBS:-2}" "$@"
