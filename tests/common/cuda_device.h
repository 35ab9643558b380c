// Whether a CUDA device is present, for the tests that need one. Include only in builds with
// CUDA (the GPU kernel tests, the GPU communicator tests).
#pragma once

#include <cuda_runtime.h>

#include <string>

namespace zccl::test {

// Empty if a CUDA device is present, else why not.
inline std::string cudaDeviceUnavailable() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    return std::string("no CUDA device: cudaGetDeviceCount returned error ") + std::to_string(static_cast<int>(e)) +
           " (" + cudaGetErrorString(e) + ")";
  }
  return n == 0 ? "no CUDA device" : "";
}

}  // namespace zccl::test
