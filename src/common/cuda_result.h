// A CUDA runtime error as a zcclResult_t with its message recorded (zcclGetLastError). For the
// files built only with CUDA (the device engine, the NCCL transport).
#pragma once

#include <cuda_runtime.h>

#include "common/check.h"

namespace zccl {

inline zcclResult_t cudaResult(cudaError_t e, const char* what) {
  ZCCL_REQUIRE(e == cudaSuccess, zcclUnhandledCudaError, "CUDA: %s failed: %s", what, cudaGetErrorString(e));
  return zcclSuccess;
}

}  // namespace zccl
