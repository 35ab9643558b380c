// GPU buffers (--backend nccl) through the CUDA runtime: one device per rank (local rank modulo
// the devices present), one non-blocking stream.
#include <cuda_runtime.h>

#include "memory_space.h"

namespace zccl::perf {
namespace {

bool ok(cudaError_t e, const char* what, std::string* error) {
  if (e == cudaSuccess) return true;
  *error = std::string(what) + ": " + cudaGetErrorString(e);
  return false;
}

class DeviceMemory final : public MemorySpace {
 public:
  DeviceMemory(cudaStream_t stream, std::string name) : stream_(stream), name_(name) {}
  ~DeviceMemory() override { cudaStreamDestroy(stream_); }
  std::string name() const override { return name_; }
  void* allocate(size_t bytes, std::string* error) override {
    void* p = nullptr;
    return ok(cudaMalloc(&p, bytes + 4096), "cudaMalloc", error) ? p : nullptr;
  }
  void release(void* p) override { cudaFree(p); }
  bool upload(void* dst, const void* src, size_t bytes, std::string* error) override {
    return ok(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy", error);
  }
  bool download(void* dst, const void* src, size_t bytes, std::string* error) override {
    return ok(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy", error);
  }
  bool fill(void* dst, uint8_t value, size_t bytes, std::string* error) override {
    return ok(cudaMemset(dst, value, bytes), "cudaMemset", error);
  }
  cudaStream_t stream() const override { return stream_; }
  bool synchronize(std::string* error) override {
    return ok(cudaStreamSynchronize(stream_), "cudaStreamSynchronize", error);
  }

 private:
  cudaStream_t stream_;
  std::string name_;
};

}  // namespace

std::unique_ptr<MemorySpace> makeDeviceMemory(int localRank, std::string* error) {
  int devices = 0;
  if (!ok(cudaGetDeviceCount(&devices), "no usable GPU (cudaGetDeviceCount)", error)) return nullptr;
  if (devices == 0) {
    *error = "no GPU found";
    return nullptr;
  }
  const int device = localRank % devices;
  cudaDeviceProp prop{};
  cudaStream_t stream = nullptr;
  if (!ok(cudaSetDevice(device), "cudaSetDevice", error) ||
      !ok(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties", error) ||
      !ok(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate", error)) {
    return nullptr;
  }
  return std::make_unique<DeviceMemory>(stream, "cuda:" + std::to_string(device) + " " + prop.name);
}

}  // namespace zccl::perf
