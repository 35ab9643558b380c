#!/usr/bin/env bash
# The seven perf binaries under mpirun (3 ranks, tiny sizes): each must run compression off and
# on alternating with the Open MPI baseline, find no wrong element, print nccl-tests' table and
# footer, and write its JSON; bad command lines and unusable backends must fail cleanly on every
# rank (exit 1, a message, no hang).
#   perf_binaries_smoke.sh BIN_DIR OUT_DIR
set -u
bin="$1" out="$2"
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { timeout 120 mpirun --oversubscribe --bind-to none --mca btl self,tcp -np "$@"; }
fail=0
for c in all_reduce all_gather reduce_scatter alltoall broadcast reduce sendrecv; do
  log="$out/$c.txt"
  if ! run 3 "$bin/${c}_perf" -b 1K -e 256K -f 16 -n 2 -w 1 -d bfloat16 -Z both -B 1 -c 1 -r 2 \
      -J "$out/$c.json" >"$log" 2>&1; then
    echo "FAIL: ${c}_perf exited nonzero"; cat "$log"; fail=1; continue
  fi
  rows=$(grep -c '^ *[0-9]' "$log")
  grep -q "^# Out of bounds values : 0 OK" "$log" || { echo "FAIL: ${c}_perf: wrong results"; fail=1; }
  grep -q "^# Avg bus bandwidth" "$log" || { echo "FAIL: ${c}_perf: no footer"; fail=1; }
  [ "$rows" = 3 ] || { echo "FAIL: ${c}_perf: $rows rows, expected 3 (1K, 16K, 256K)"; cat "$log"; fail=1; }
  grep -q '"results"' "$out/$c.json" || { echo "FAIL: ${c}_perf: no JSON results"; fail=1; }
done
# Other dtypes, ops and the selector, on one binary: int32 and fp32 take MPI's own collective under
# auto for small sizes, bf16 avg goes through ZipCCL's.
if ! run 2 "$bin/all_reduce_perf" -b 64 -e 128K -f 32 -n 2 -w 0 -d all -o all -Z auto -c 1 >"$out/all_types.txt" 2>&1 ||
   ! grep -q "^# Out of bounds values : 0 OK" "$out/all_types.txt"; then
  echo "FAIL: all_reduce_perf -d all -o all"; cat "$out/all_types.txt"; fail=1
fi
expect_error() {  # message pattern, then the command
  local pattern="$1"; shift
  if run 2 "$@" >"$out/err.txt" 2>&1; then echo "FAIL: '$*' succeeded"; fail=1; return; fi
  grep -q "$pattern" "$out/err.txt" || { echo "FAIL: '$*' did not say '$pattern'"; cat "$out/err.txt"; fail=1; }
}
expect_error "invalid value 'q'" "$bin/all_gather_perf" -Z q
expect_error "x.safetensors" "$bin/all_gather_perf" -D /nonexistent/x.safetensors
expect_error "backend nccl" "$bin/all_reduce_perf" --backend nccl -b 1K -e 1K
expect_error "root 5 is not a rank" "$bin/broadcast_perf" -r 5
[ "$fail" = 0 ] && echo "perf binaries: all passed"
exit "$fail"
