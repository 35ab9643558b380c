// The runtime pieces launchers need between kernels, in one place per build: launch status, an
// async zeroing of a device word, and the device-wide exclusive scan of block sizes (CUB's
// DeviceScan on a GPU; a host loop over host memory in the emulation, which is synchronous).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/simt.h"
#include "zccl/zccl_types.h"

#define ZCCL_CHECK_KERNEL(call)                               \
  do {                                                        \
    zcclResult_t zcclKernelRes_ = (call);                     \
    if (zcclKernelRes_ != zcclSuccess) return zcclKernelRes_; \
  } while (0)

#if defined(__CUDACC__)
#include <cub/device/device_scan.cuh>

namespace zccl::kernels {
inline zcclResult_t fromCuda(cudaError_t e) { return e == cudaSuccess ? zcclSuccess : zcclUnhandledCudaError; }
inline zcclResult_t kernelLaunchStatus() { return fromCuda(cudaGetLastError()); }
inline zcclResult_t zeroDeviceWord(uint64_t* p, cudaStream_t stream) {
  return fromCuda(cudaMemsetAsync(p, 0, sizeof(uint64_t), stream));
}
inline zcclResult_t exclusiveScanTempBytes(uint32_t n, size_t* bytes, cudaStream_t stream) {
  return fromCuda(cub::DeviceScan::ExclusiveSum(nullptr, *bytes, static_cast<const uint64_t*>(nullptr),
                                                static_cast<uint64_t*>(nullptr), static_cast<int>(n), stream));
}
inline zcclResult_t exclusiveScan(void* temp, size_t bytes, const uint64_t* in, uint64_t* out, uint32_t n,
                                  cudaStream_t stream) {
  return fromCuda(cub::DeviceScan::ExclusiveSum(temp, bytes, in, out, static_cast<int>(n), stream));
}
}  // namespace zccl::kernels

#else

namespace zccl::kernels {
inline zcclResult_t kernelLaunchStatus() { return simt::consumeLaunchFailure() ? zcclInternalError : zcclSuccess; }
inline zcclResult_t zeroDeviceWord(uint64_t* p, cudaStream_t) {
  *p = 0;
  return zcclSuccess;
}
inline zcclResult_t exclusiveScanTempBytes(uint32_t, size_t* bytes, cudaStream_t) {
  *bytes = 0;
  return zcclSuccess;
}
inline zcclResult_t exclusiveScan(void*, size_t, const uint64_t* in, uint64_t* out, uint32_t n, cudaStream_t) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t v = in[i];
    out[i] = sum;
    sum += v;
  }
  return zcclSuccess;
}
}  // namespace zccl::kernels

#endif
