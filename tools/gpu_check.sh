#!/usr/bin/env bash
# For the day a GPU is lent (under 8 minutes on one GPU): builds what needs nvcc, runs the GPU
# tests (ctest -L gpu: the CUDA kernels against the CPU codec, a 1-rank GPU communicator on the
# real NCCL, and the same calls through the NCCL shim against them without it), measures each codec kernel's throughput as a fraction of the device's memory
# bandwidth (kernel_bench; the bandwidth is a device-to-device cudaMemcpy of the same size in the
# same run, bytes read plus written per second), and writes everything to one report file.
# Without a GPU it says so clearly and exits 0 (tested in CI: tests/CMakeLists.txt).
#   tools/gpu_check.sh [--build-dir DIR] [--report FILE] [--nvidia-smi CMD]
set -uo pipefail
cd "$(dirname "$0")/.."
build=build-gpu
report=gpu_check_report.txt
smi=nvidia-smi
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --nvidia-smi) smi=$2; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--report FILE] [--nvidia-smi CMD]" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$report")"
say() { echo "$*" | tee -a "$report"; }
: > "$report"
say "# ZipCCL GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

gpus=$("$smi" -L 2>&1)
if [ $? -ne 0 ] || ! echo "$gpus" | grep -q "^GPU "; then
  say "gpu_check: no GPU found ($smi -L: ${gpus:-no output}); nothing to check."
  say "The GPU path is covered without a GPU by the emulated-device build (docs/emulation.md)."
  exit 0
fi
say "$gpus"
"$smi" --query-gpu=name,memory.total,driver_version --format=csv >> "$report" 2>&1
start=$SECONDS
failed=0
step() { say ""; say "## $* ($((SECONDS - start)) s)"; }

step "build (CUDA kernels for ZCCL_CUDA_ARCHS, the GPU tests, kernel_bench)"
nvcc=()
command -v nvcc >/dev/null || nvcc=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
if ! timeout 300 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DZCCL_WITH_CUDA=ON -DZCCL_WITH_NCCL=ON \
    "${nvcc[@]}" >> "$report" 2>&1 ||
   ! timeout 300 cmake --build "$build" -j"$(nproc)" --target kernels_gpu_test gpu_comm_test kernel_bench \
    nccl_callers zccl_nccl_preload zccl_nccl_dropin \
    >> "$report.build.log" 2>&1; then
  say "build FAILED (log: $report.build.log)"
  exit 1
fi

step "ctest -L gpu"
if timeout 150 ctest --test-dir "$build" -L gpu --output-on-failure >> "$report" 2>&1; then
  say "ctest -L gpu: passed"
else
  say "ctest -L gpu: FAILED"; failed=1
fi

step "1-rank communicator on the real NCCL (zcclCommInitRank, device buffers)"
if timeout 60 "$build/bin/gpu_comm_test" --gtest_filter=GpuComm.SingleRankCollectivesOnDeviceBuffers \
    >> "$report" 2>&1; then
  say "1-rank communicator: passed ($(ldd "$build/bin/gpu_comm_test" | grep -o 'libnccl[^ ]* => [^ ]*'))"
else
  say "1-rank communicator: FAILED"; failed=1
fi

step "1-rank communicator through the NCCL shim (plugins/nccl, docs/shim.md) against the same calls without it"
real_nccl=$(sed -n 's/^NCCL_LIBRARY:FILEPATH=//p' "$build/CMakeCache.txt")
if timeout 300 plugins/nccl/tests/run_shim_tests.sh "$build/bin/nccl_callers" "$build/lib/libzccl_nccl.so" \
    "$build/lib/nccl" "$real_nccl" threads 1 >> "$report" 2>&1; then
  say "NCCL shim, 1 rank: passed (results identical without the shim, preloaded, drop-in, off)"
else
  say "NCCL shim, 1 rank: FAILED"; failed=1
fi

step "kernel throughput / device memory bandwidth (64 MiB and 256 MiB)"
json="$report.kernel_bench.json"
if timeout 150 "$build/bin/kernel_bench" --benchmark_filter='/(67108864|268435456)(/|$)' --benchmark_min_time=0.2 \
    --benchmark_format=json > "$json" 2>> "$report"; then
  python3 - "$json" <<'PY' | tee -a "$report"
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
size_of = lambda name: next(p for p in name.split("/") if p.isdigit())
bw = {size_of(r["name"]): r["bytes_per_second"] for r in runs if r["name"].startswith("device_memcpy")}
print(f"{'kernel':32} {'GB/s':>9} {'memcpy GB/s':>12} {'fraction':>9}")
for r in runs:
    if r["name"].startswith("device_memcpy") or "bytes_per_second" not in r:
        continue
    size = size_of(r["name"])
    print(f"{r['name']:32} {r['bytes_per_second'] / 1e9:9.1f} {bw[size] / 1e9:12.1f} {r['bytes_per_second'] / bw[size]:9.3f}")
PY
else
  say "kernel_bench: FAILED"; failed=1
fi
step "done: $([ $failed -eq 0 ] && echo all passed || echo FAILURES above), report $report"
exit $failed
