// What the shim costs a call it forwards (docs/perf.md, "NCCL shim"): the same NCCL function
// called through the linked name (under LD_PRELOAD=libzccl_nccl.so: the shim, which forwards) and
// directly through the real library's own address (dlsym on its handle), in one run. The
// difference of the two is the shim's pass-through cost per call. Without the preload both are
// direct (the control).
//   LD_PRELOAD=build/lib/libzccl_nccl.so build/bin/shim_passthrough_perf
// Calls that need a communicator (count, a small all-reduce the shim forwards by size, alone and
// as a group of its own) run only where one can be made (the host stand-in NCCL; the real library has
// no GPU here).
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <nccl.h>

#include <cstdio>

namespace {

void* realHandle() {
  static void* h = dlopen("libnccl.so.2", RTLD_NOW | RTLD_NOLOAD);
  return h;
}

template <typename F>
F direct(const char* name) {
  return reinterpret_cast<F>(dlsym(realHandle(), name));
}

struct OneRank {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  void* buf = nullptr;
  OneRank() {
    ncclUniqueId id;
    if (ncclGetUniqueId(&id) != ncclSuccess || ncclCommInitRank(&comm, 1, id, 0) != ncclSuccess) comm = nullptr;
    if (comm != nullptr) {
      cudaStreamCreate(&stream);
      cudaMalloc(&buf, 4096);
    }
  }
};

OneRank& oneRank() {
  static OneRank r;
  return r;
}

void BM_GetVersion_Linked(benchmark::State& state) {
  int v = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ncclGetVersion(&v));
}
void BM_GetVersion_Direct(benchmark::State& state) {
  auto fn = direct<decltype(&ncclGetVersion)>("ncclGetVersion");
  int v = 0;
  for (auto _ : state) benchmark::DoNotOptimize(fn(&v));
}
void BM_GetErrorString_Linked(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ncclGetErrorString(ncclInvalidUsage));
}
void BM_GetErrorString_Direct(benchmark::State& state) {
  auto fn = direct<decltype(&ncclGetErrorString)>("ncclGetErrorString");
  for (auto _ : state) benchmark::DoNotOptimize(fn(ncclInvalidUsage));
}

void BM_CommCount_Linked(benchmark::State& state) {
  if (oneRank().comm == nullptr) return state.SkipWithError("no communicator (no GPU)");
  int n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ncclCommCount(oneRank().comm, &n));
}
void BM_CommCount_Direct(benchmark::State& state) {
  if (oneRank().comm == nullptr) return state.SkipWithError("no communicator (no GPU)");
  auto fn = direct<decltype(&ncclCommCount)>("ncclCommCount");
  int n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(fn(oneRank().comm, &n));
}

// A small all-reduce: the shim's routing tests run (size below ZCCL_NCCL_MIN_BYTES) and it
// forwards; the stream is drained outside the timing every 256 calls.
template <typename F>
void smallAllReduces(benchmark::State& state, F allReduce) {
  OneRank& r = oneRank();
  if (r.comm == nullptr) return state.SkipWithError("no communicator (no GPU)");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(allReduce(r.buf, r.buf, 256, ncclFloat32, ncclSum, r.comm, r.stream));
    if ((++i & 255) == 0) {
      state.PauseTiming();
      cudaStreamSynchronize(r.stream);
      state.ResumeTiming();
    }
  }
  cudaStreamSynchronize(r.stream);
}
void BM_SmallAllReduce_Linked(benchmark::State& state) { smallAllReduces(state, &ncclAllReduce); }
void BM_SmallAllReduce_Direct(benchmark::State& state) {
  smallAllReduces(state, direct<decltype(&ncclAllReduce)>("ncclAllReduce"));
}

// The same small all-reduce as a group of its own (nccl-tests issues every call so): the shim
// records it, checks its arguments, and at the group's end forwards it (the group is below
// ZCCL_NCCL_MIN_BYTES) before closing NCCL's group.
template <typename S, typename A, typename E>
void groupedSmallAllReduces(benchmark::State& state, S groupStart, A allReduce, E groupEnd) {
  OneRank& r = oneRank();
  if (r.comm == nullptr) return state.SkipWithError("no communicator (no GPU)");
  size_t i = 0;
  for (auto _ : state) {
    groupStart();
    benchmark::DoNotOptimize(allReduce(r.buf, r.buf, 256, ncclFloat32, ncclSum, r.comm, r.stream));
    benchmark::DoNotOptimize(groupEnd());
    if ((++i & 255) == 0) {
      state.PauseTiming();
      cudaStreamSynchronize(r.stream);
      state.ResumeTiming();
    }
  }
  cudaStreamSynchronize(r.stream);
}
void BM_GroupedSmallAllReduce_Linked(benchmark::State& state) {
  groupedSmallAllReduces(state, &ncclGroupStart, &ncclAllReduce, &ncclGroupEnd);
}
void BM_GroupedSmallAllReduce_Direct(benchmark::State& state) {
  groupedSmallAllReduces(state, direct<decltype(&ncclGroupStart)>("ncclGroupStart"),
                         direct<decltype(&ncclAllReduce)>("ncclAllReduce"),
                         direct<decltype(&ncclGroupEnd)>("ncclGroupEnd"));
}

}  // namespace

BENCHMARK(BM_GetVersion_Linked);
BENCHMARK(BM_GetVersion_Direct);
BENCHMARK(BM_GetErrorString_Linked);
BENCHMARK(BM_GetErrorString_Direct);
BENCHMARK(BM_CommCount_Linked);
BENCHMARK(BM_CommCount_Direct);
BENCHMARK(BM_SmallAllReduce_Linked);
BENCHMARK(BM_SmallAllReduce_Direct);
BENCHMARK(BM_GroupedSmallAllReduce_Linked);
BENCHMARK(BM_GroupedSmallAllReduce_Direct);
BENCHMARK_MAIN();
