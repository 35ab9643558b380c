// ZCCL_HD marks functions shared by the CPU codecs and the CUDA kernels. Under nvcc they become
// __host__ __device__; under g++ (the CPU codecs and the host emulation of the kernels) they are
// plain inline functions.
#pragma once

#if defined(__CUDACC__)
#define ZCCL_HD __host__ __device__ __forceinline__
#else
#define ZCCL_HD inline
#endif

#include <cstdint>

// Population count usable on both sides.
ZCCL_HD uint32_t zcclPopcount32(uint32_t x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint32_t>(__popc(x));
#else
  return static_cast<uint32_t>(__builtin_popcount(x));
#endif
}
