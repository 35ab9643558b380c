// Device memory for the kernel tests, the same code for both builds of a test: cudaMalloc and
// cudaMemcpy in the GPU build (ZCCL_KERNEL_TEST_GPU), plain host memory for the emulated kernels.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#if ZCCL_KERNEL_TEST_GPU
#include <cuda_runtime.h>

#include "common/cuda_device.h"
#endif

namespace zccl::test {

// Empty if kernels can run here, else why not (the GPU build without a device).
inline std::string kernelsUnavailable() {
#if ZCCL_KERNEL_TEST_GPU
  const std::string why = cudaDeviceUnavailable();
  if (!why.empty()) return why + "; the emulated kernel tests (label kernels) cover this code";
#endif
  return "";
}

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes, uint8_t fill = 0) : bytes_(bytes) {
#if ZCCL_KERNEL_TEST_GPU
    EXPECT_EQ(cudaMalloc(&ptr_, bytes ? bytes : 1), cudaSuccess);
    cudaMemset(ptr_, fill, bytes);
#else
    host_.assign(bytes ? bytes : 1, fill);
    ptr_ = host_.data();
#endif
  }
  ~DeviceBuffer() {
#if ZCCL_KERNEL_TEST_GPU
    cudaFree(ptr_);
#endif
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() { return ptr_; }
  template <class T>
  T* as() {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

  void upload(const void* src, size_t n, size_t offset = 0) {
    ASSERT_LE(offset + n, bytes_);
    if (n == 0) return;
#if ZCCL_KERNEL_TEST_GPU
    ASSERT_EQ(cudaMemcpy(static_cast<uint8_t*>(ptr_) + offset, src, n, cudaMemcpyHostToDevice), cudaSuccess);
#else
    std::memcpy(static_cast<uint8_t*>(ptr_) + offset, src, n);
#endif
  }

  std::vector<uint8_t> download(size_t n, size_t offset = 0) const {
    std::vector<uint8_t> out(n);
    if (n == 0) return out;
#if ZCCL_KERNEL_TEST_GPU
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(out.data(), static_cast<const uint8_t*>(ptr_) + offset, n, cudaMemcpyDeviceToHost),
              cudaSuccess);
#else
    std::memcpy(out.data(), static_cast<const uint8_t*>(ptr_) + offset, n);
#endif
    return out;
  }

 private:
  size_t bytes_;
  void* ptr_ = nullptr;
#if !ZCCL_KERNEL_TEST_GPU
  std::vector<uint8_t> host_;
#endif
};

}  // namespace zccl::test
