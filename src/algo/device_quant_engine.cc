// The QuantEngine of GPU communicators: the 8-bit kernels (kernels/quant_kernels.cu) on the
// caller's stream, scratch in device memory. Quantizing needs no host round trip (frames have a
// size known in advance); a reduction or a dequantization copies the kernel's status words back
// and synchronises the stream, so that a bad frame is reported by the call (the price of error
// reporting; the first thing to pipeline once a GPU is lent). Built only with NCCL.
#include <cuda_runtime.h>

#include <cstring>
#include <vector>

#include "algo/quant_engine.h"
#include "codec/q8_format.h"
#include "common/check.h"
#include "common/cuda_result.h"
#include "kernels/quant_launch.h"

namespace zccl::algo {
namespace {

namespace kk = zccl::kernels;

class DeviceQuantEngine final : public QuantEngine {
 public:
  ~DeviceQuantEngine() override {
    cudaStreamSynchronize(stream_);
    releaseScratch();
    cudaFree(status_);
    if (hostStatus_ != nullptr) cudaFreeHost(hostStatus_);
  }

  void setStream(cudaStream_t stream) override { stream_ = stream; }


  zcclResult_t quantize(const void* src, size_t count, zcclDataType_t dtype, const codec::Q8Rounding& rounding,
                        void* frame) override {
    kk::QuantizeArgs a;
    a.inDtype = a.frameDtype = dtype;
    a.count = count;
    a.stochastic = rounding.stochastic ? 1 : 0;
    a.seed = rounding.seed;
    a.indexBase = rounding.indexBase;
    ZCCL_REQUIRE(kk::launchQuantize(a, src, frame, stream_) == zcclSuccess, zcclUnhandledCudaError,
                 "8-bit quantize kernel failed to launch");
    return zcclSuccess;
  }

  zcclResult_t reduce(const void* frames, size_t stride, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                      const codec::Q8Rounding& rounding, void* outFrame, void* out) override {
    kk::QuantReduceArgs a;
    a.stochastic = rounding.stochastic ? 1 : 0;
    a.seed = rounding.seed;
    a.indexBase = rounding.indexBase;
    a.dtype = dtype;
    a.op = op;
    a.count = count;
    a.stride = stride;
    a.nsources = n;
    return launchAndCheck(a, frames, outFrame, out, "8-bit reduction");
  }

  zcclResult_t dequantize(const void* frame, size_t count, zcclDataType_t dtype, void* out) override {
    kk::QuantReduceArgs a;
    a.dtype = dtype;
    a.op = zcclSum;
    a.count = count;
    a.stride = codec::q8FrameBytes(count);
    a.nsources = 1;
    return launchAndCheck(a, frame, nullptr, out, "8-bit dequantize");
  }

  zcclResult_t poison(void* frame, size_t bytes) override {
    return cudaResult(cudaMemsetAsync(frame, 0, bytes, stream_), "cudaMemsetAsync");
  }

 protected:
  zcclResult_t allocateScratch(size_t bytes, void** ptr) override {
    ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
    void* p = nullptr;
    ZCCL_CHECK(cudaResult(cudaMalloc(&p, bytes), "cudaMalloc"));
    *ptr = p;
    return zcclSuccess;
  }
  void freeScratch(void* ptr) override {
    cudaStreamSynchronize(stream_);
    cudaFree(ptr);
  }

 private:

  zcclResult_t launchAndCheck(const kk::QuantReduceArgs& a, const void* frames, void* outFrame, void* out,
                              const char* what) {
    if (status_ == nullptr) {
      ZCCL_CHECK(cudaResult(cudaMalloc(&status_, 4 * kk::kStatusWords), "cudaMalloc"));
      ZCCL_CHECK(cudaResult(cudaMallocHost(&hostStatus_, 4 * kk::kStatusWords), "cudaMallocHost"));
    }
    ZCCL_CHECK(cudaResult(cudaMemsetAsync(status_, 0, 4 * kk::kStatusWords, stream_), "cudaMemsetAsync"));
    ZCCL_REQUIRE(kk::launchQuantReduce(a, frames, outFrame, out, status_, stream_) == zcclSuccess,
                 zcclUnhandledCudaError, "%s kernel failed to launch", what);
    ZCCL_CHECK(cudaResult(cudaMemcpyAsync(hostStatus_, status_, 4 * kk::kStatusWords, cudaMemcpyDeviceToHost, stream_),
                          "copy"));
    ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
    ZCCL_REQUIRE(hostStatus_[0] == 0, static_cast<zcclResult_t>(hostStatus_[0]),
                 "%s: 8-bit frame %d rejected on the GPU (block %d)", what, hostStatus_[1], hostStatus_[2]);
    return zcclSuccess;
  }

  cudaStream_t stream_ = nullptr;
  int32_t* status_ = nullptr;
  int32_t* hostStatus_ = nullptr;  // pinned
};

}  // namespace

std::unique_ptr<QuantEngine> makeDeviceQuantEngine() { return std::make_unique<DeviceQuantEngine>(); }

}  // namespace zccl::algo
