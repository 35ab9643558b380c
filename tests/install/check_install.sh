#!/usr/bin/env bash
# Builds tests/install/zccl_hello.c against an installed ZipCCL both ways (CMake's find_package
# and pkg-config) and runs each under mpirun on 2 ranks.
#   tests/install/check_install.sh PREFIX [WORKDIR]     (PREFIX: /usr for the .deb)
set -euo pipefail
prefix=$(realpath "$1")
work=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { mpirun --allow-run-as-root --oversubscribe -np 2 "$@"; }

echo "--- find_package(zccl) from $prefix"
cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_RPATH="$prefix/lib" >/dev/null
cmake --build "$work/cmake" >/dev/null
run "$work/cmake/zccl_hello"

echo "--- pkg-config zccl from $prefix"
pc=$(dirname "$(find "$prefix/lib" -maxdepth 3 -name zccl.pc -path '*pkgconfig*' | head -1)")
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs zccl)
echo "pkg-config --cflags --libs zccl: $flags"
libdir=$(PKG_CONFIG_PATH="$pc" pkg-config --variable=libdir zccl)
# shellcheck disable=SC2086
cc -o "$work/zccl_hello_pc" "$here/zccl_hello.c" $flags -Wl,-rpath,"$libdir"
run "$work/zccl_hello_pc"
echo "--- installed tree OK"
