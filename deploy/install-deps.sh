#!/usr/bin/env bash
# Installs, from Debian 12's archive only, everything needed to build, run and
# test dcgan-server. Idempotent: when every package is already present it does
# no apt work at all and returns in well under a second.
#   deploy/install-deps.sh           build, run and test (a developer machine, CI)
#   deploy/install-deps.sh --build   build only (the Dockerfile's build stage)
set -euo pipefail
mode=${1:-all}

BUILD_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # LibTorch (CPU) and the BLAS we run it on (see README "Performance")
  libtorch-dev libopenblas0-openmp
  # gRPC, protobuf, reflection and health descriptors
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  # abseil, metrics, tests
  libabsl-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  # storage and codecs
  libsqlite3-dev libpq-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev libssl-dev nlohmann-json3-dev
)
TEST_PACKAGES=(
  # the built-in dataset
  dataset-fashion-mnist
  # servers the end-to-end tests start on loopback: Prometheus (and
  # promtool), PostgreSQL, haproxy as the gRPC balancer
  prometheus postgresql haproxy
  # the container end-to-end test (tests/container/run.sh): Debian's Docker
  # engine and compose v1, and debootstrap for a local base image
  docker.io docker-compose debootstrap jq
)
case "$mode" in
  all) PACKAGES=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
  --build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

# npm fetches `buf` (buf curl, the grpcurl-style client the tests use). A
# machine may already have Node.js from elsewhere; only ask Debian for npm
# if there is none.
[[ $mode == --build ]] || command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's libtorch links the generic libblas.so.3; point that alternative at
# OpenBLAS (OpenMP build) unless the admin chose otherwise by hand. The
# reference BLAS is ~45x slower for the GEMMs that transposed convolutions use.
blas_link=/etc/alternatives/libblas.so.3-x86_64-linux-gnu
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
if [[ -e $openblas && "$(readlink -f "$blas_link" 2>/dev/null)" != "$openblas" ]]; then
  if [[ $'\n'$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null) == *$'\nStatus: auto'* ]]; then
    ${SUDO:-} update-alternatives --quiet --set libblas.so.3-x86_64-linux-gnu "$openblas" || true
  fi
fi
