#!/usr/bin/env bash
# The README's main job: a 4-rank compressed all-reduce on the embedded default payload (Gaussian
# bf16, generated per rank), over Open MPI on this machine. all_reduce_perf runs compression off
# and on alternating (-Z both), checks every result bit for bit against the uncompressed run
# (-c 1), and this script ends with one line: the size ratio on the wire and the wrong-element
# count (nonzero exit if any). Ranks share memory here, where compression rarely pays:
# tools/shaped_bench.sh runs the same binaries over 1 Gbit/s links.
#   tools/demo.sh [extra all_reduce_perf arguments, e.g. -D FILE.safetensors]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p build
out=build/demo.txt
status=0
mpirun --oversubscribe --bind-to none -np 4 build/bin/all_reduce_perf -d bfloat16 -D gaussian -b 1M -e 64M -f 4 \
  -n 5 -w 1 -Z both -c 1 "$@" | tee "$out" || status=$?
wrong=$(awk '/^# Out of bounds values/ { print $7 }' "$out")
ratio=$(awk '/^# Avg size ratio/ { print $6 }' "$out")
speedup=$(awk '/^# Avg speedup/ { print $5 }' "$out")
echo "demo: 4-rank all-reduce, compressed frames ${ratio:-?} of the raw size on the wire," \
  "${wrong:-?} wrong elements against the uncompressed run (bit-exact when 0);" \
  "speedup here ${speedup:-?} (shared memory: see tools/shaped_bench.sh for slow links)"
exit "$status"
