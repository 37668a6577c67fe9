#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries the given
# binaries load (BLAS as the libblas.so.3 alternative resolves now): what a
# runtime image must install to run them, and nothing for building.
set -euo pipefail
for library in $(for binary in "$@"; do ldd "$binary"; done | awk '/=> \//{print $3}' | sort -u); do
  real=$(readlink -f "$library")
  # Merged /usr: dpkg may know /usr/lib/x/libc.so.6 as /lib/x/libc.so.6.
  dpkg -S "$real" 2> /dev/null || dpkg -S "${real#/usr}" 2> /dev/null ||
    { echo "runtime-packages: no package holds $real" >&2; exit 1; }
done | cut -d: -f1 | sort -u
