// The thin set of SIMT primitives the kernels are written against, so that one kernel source
// builds twice: with nvcc into real CUDA kernels, and with g++ into host code run by the SIMT
// emulator of kernels/sim (blocks one after another, each CUDA thread a fiber, barriers and warp
// collectives emulated), which is how CI runs the kernels without a GPU.
//
// Kernels use only: ZCCL_KERNEL / ZCCL_DEVICE, ZCCL_SHARED_ARRAY, simt::threadId(),
// simt::blockId(), simt::blockDim(), simt::syncThreads(), simt::ballot(), simt::shfl(),
// simt::reduceOr(), simt::reduceAdd(), simt::atomicAdd(), simt::atomicOr(), simt::atomicCas();
// and launchers use ZCCL_LAUNCH. Grids and blocks are one-dimensional; warp collectives always
// involve the full warp (blocks are a multiple of 32 threads).
#pragma once

#include <cstdint>

#include "common/host_device.h"

#if defined(__CUDACC__)

#include <cuda_runtime.h>

#define ZCCL_KERNEL __global__
#define ZCCL_DEVICE __device__ __forceinline__
#define ZCCL_SHARED_ARRAY(T, name, n) __shared__ T name[n]
#define ZCCL_LAUNCH(kernel, grid, block, stream, ...) kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)

namespace zccl::simt {
constexpr uint32_t kFullWarp = 0xFFFFFFFFu;
ZCCL_DEVICE uint32_t threadId() { return threadIdx.x; }
ZCCL_DEVICE uint32_t blockId() { return blockIdx.x; }
ZCCL_DEVICE uint32_t blockDim() { return ::blockDim.x; }
ZCCL_DEVICE uint32_t laneId() { return threadIdx.x & 31u; }
ZCCL_DEVICE uint32_t warpId() { return threadIdx.x >> 5; }
ZCCL_DEVICE void syncThreads() { __syncthreads(); }
ZCCL_DEVICE uint32_t ballot(bool p) { return __ballot_sync(kFullWarp, p); }
ZCCL_DEVICE uint32_t shfl(uint32_t v, uint32_t src) { return __shfl_sync(kFullWarp, v, src); }
ZCCL_DEVICE uint32_t reduceOr(uint32_t v) { return __reduce_or_sync(kFullWarp, v); }
ZCCL_DEVICE uint32_t reduceAdd(uint32_t v) { return __reduce_add_sync(kFullWarp, v); }
ZCCL_DEVICE uint32_t atomicAdd(uint32_t* p, uint32_t v) { return ::atomicAdd(p, v); }
ZCCL_DEVICE uint32_t atomicOr(uint32_t* p, uint32_t v) { return ::atomicOr(p, v); }
ZCCL_DEVICE int32_t atomicCas(int32_t* p, int32_t expect, int32_t v) { return ::atomicCAS(p, expect, v); }
}  // namespace zccl::simt

#else  // host emulation

#include "kernels/sim/simt_host.h"

#define ZCCL_KERNEL
#define ZCCL_DEVICE inline
// Block-shared memory: one allocation per block per call site, the same for all its threads.
#define ZCCL_SHARED_ARRAY(T, name, n) \
  static char name##SharedTag_;       \
  T* name = ::zccl::simt::sharedArray<T>(&name##SharedTag_, (n))
#define ZCCL_LAUNCH(kernel, grid, block, stream, ...) \
  ((void)(stream), ::zccl::simt::launch((grid), (block), [&] { kernel(__VA_ARGS__); }))

#endif
