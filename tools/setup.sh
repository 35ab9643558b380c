#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks (as root, via apt-get), then configures and
# builds ZipCCL into build/ with every executable in build/bin/. Safe to run again: it installs
# only missing packages and rebuilds incrementally.
#   tools/setup.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ pkg-config clang libhwy-dev libgtest-dev libgmock-dev libbenchmark-dev libzstd-dev
          liblz4-dev openmpi-bin libopenmpi-dev iproute2 gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# CUDA is optional: use the toolkit when it is installed where NVIDIA puts it.
cuda=()
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  cuda=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${cuda[@]}" "$@" >/dev/null
cmake --build build -j"$(nproc)"
