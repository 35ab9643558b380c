#!/usr/bin/env bash
# The README's main job: what ZipCCL is for, on this machine. A 4-rank all-reduce of Gaussian bf16
# data (generated per rank) from 64 KiB to 64 MiB over 1 Gbit/s links: four network namespaces
# shaped with tbf (tools/shaped_bench.sh; needs root, which a fresh machine is). all_reduce_perf
# runs compression off, on and auto (the selector) in turns (-Z all), prints the plan auto chose at
# each size, and checks every result bit for bit against the uncompressed run of the same
# algorithm (-c 1). The last line: auto's speedup over off at the largest size, its worst ratio to
# the better fixed choice (min(off, on) / auto: 1 or more is as good as the best), and the wrong
# elements (0: bit-exact; nonzero exit otherwise). Where namespaces cannot be made it says so and
# runs the same over shared memory, where the selector should keep compression off.
#   tools/demo.sh [extra all_reduce_perf arguments, e.g. -D FILE.safetensors]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p build
out=build/demo
rm -rf "$out"
status=0
where="1 Gbit/s links (4 network namespaces)"
tools/shaped_bench.sh -N 4 -R 1gbit -c all_reduce -b 64K -e 64M -f 4 -n 3 -w 1 -Z all -B 0 -o "$out" -- "$@" ||
  status=$?
table="$out/all_reduce.txt"
if [ "$status" = 77 ]; then
  echo "demo: network namespaces cannot be made here (needs root and iproute2): shared memory instead" >&2
  where="shared memory (no shaped links here)"
  status=0
  mkdir -p "$out"
  mpirun --oversubscribe --bind-to none -np 4 build/bin/all_reduce_perf -d bfloat16 -D gaussian -b 64K -e 64M -f 4 \
    -n 3 -w 1 -Z all -c 1 "$@" | tee "$table" || status=$?
fi
wrong=$(awk '/^# Out of bounds values/ { print $7 }' "$table" 2>/dev/null)
largest=$(awk '/^# Auto vs off, largest/ { print $7 }' "$table" 2>/dev/null)
worst=$(awk '/^# Auto vs best, worst/ { print $7, "at", $9, "bytes" }' "$table" 2>/dev/null)
echo "demo: 4-rank bf16 all-reduce over $where: auto ${largest:-?} faster than compression off at 64 MiB;" \
  "worst ratio to the better fixed choice ${worst:-?}; ${wrong:-?} wrong elements (bit-exact when 0)"
exit "$status"
