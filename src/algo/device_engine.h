// The Engine of GPU communicators: the CUDA codec kernels (kernels/launch.h) and CUDA copies on
// the caller's stream, scratch in device memory.
//
// Sizes and errors: a frame's size is needed on the host to send it, and a decode error must be
// reported by the call. Both come back with a small device-to-host copy and a stream
// synchronisation per chunk; a pipeline that overlaps those waits with the next chunk's kernels
// is the first optimisation to make once a GPU is lent (docs/algorithms.md).
#pragma once

#include <cuda_runtime.h>

#include <memory>
#include <vector>

#include "algo/engine.h"
#include "common/stream_bound.h"
#include "kernels/launch.h"

namespace zccl::algo {

class DeviceEngine final : public Engine, public StreamBound {
 public:
  DeviceEngine();  // on the current device
  ~DeviceEngine() override;
  void setStream(cudaStream_t stream) override { stream_ = stream; }

  zcclResult_t copy(void* dst, const void* src, size_t bytes) override;
  zcclResult_t compress(const void* src, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& codec,
                        void* frame, size_t capacity, size_t* frameBytes) override;
  zcclResult_t decompress(const void* frame, size_t frameBytes, void* dst, size_t count, zcclDataType_t dtype) override;
  zcclResult_t reduce(const ReduceInput* inputs, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op, int sources,
                      bool partialOnly, void* out) override;
  zcclResult_t synchronize() override;

 protected:
  zcclResult_t allocateScratch(size_t bytes, void** ptr) override;
  void freeScratch(void* ptr) override;

 private:
  struct Buffer {
    void* ptr = nullptr;
    size_t bytes = 0;
  };
  zcclResult_t ensure(Buffer* b, size_t bytes);
  zcclResult_t ensureStatusWords();  // small_ on the device and its pinned host copy
  zcclResult_t checkStatus(const char* what);

  cudaStream_t stream_ = nullptr;
  int device_ = 0;
  Buffer workspace_, small_;       // kernel workspace; sizes and status words
  uint64_t* hostSmall_ = nullptr;  // pinned
  // Launch descriptions (several KiB each), allocated once rather than per chunk.
  std::unique_ptr<kernels::EncodeBatch> encodeBatch_;
  std::unique_ptr<kernels::DecodeBatch> decodeBatch_;
  std::unique_ptr<kernels::ReduceBatch> reduceBatch_;
};

}  // namespace zccl::algo
