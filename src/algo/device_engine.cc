#include "algo/device_engine.h"

#include <cstring>
#include <memory>

#include "common/check.h"
#include "common/cuda_result.h"
#include "common/dtype_size.h"
#include "kernels/launch.h"
#if defined(ZCCL_DEVICE_EMULATION)
#include "kernels/sim/stream_ordered.h"
#endif

namespace zccl::algo {

namespace kk = zccl::kernels;
#if defined(ZCCL_DEVICE_EMULATION)
namespace launchers = zccl::kernels::emulated;  // kernels/sim, stream-ordered (docs/emulation.md)
#else
namespace launchers = zccl::kernels;
#endif

DeviceEngine::DeviceEngine() { cudaGetDevice(&device_); }

// cudaFree waits for the device, so the buffers are not freed under running work. The stream of
// the last call is not touched: the caller may have destroyed it (NCCL allows that before
// ncclCommDestroy).
DeviceEngine::~DeviceEngine() {
  releaseScratch();
  cudaFree(workspace_.ptr);
  cudaFree(small_.ptr);
  if (hostSmall_ != nullptr) cudaFreeHost(hostSmall_);
}

zcclResult_t DeviceEngine::ensureStatusWords() {
  ZCCL_CHECK(ensure(&small_, 64));
  if (hostSmall_ == nullptr) ZCCL_CHECK(cudaResult(cudaMallocHost(&hostSmall_, 64), "cudaMallocHost"));
  return zcclSuccess;
}

zcclResult_t DeviceEngine::ensure(Buffer* b, size_t bytes) {
  if (b->bytes >= bytes) return zcclSuccess;
  ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));  // the old one may be in use
  cudaFree(b->ptr);
  b->ptr = nullptr;
  ZCCL_CHECK(cudaResult(cudaMalloc(&b->ptr, bytes), "cudaMalloc"));
  b->bytes = bytes;
  return zcclSuccess;
}

// A slot that grows or is released may still be read by work on the stream: wait for it first
// (cudaFree waits for the device as well, but not for work another thread enqueues meanwhile).
zcclResult_t DeviceEngine::allocateScratch(size_t bytes, void** ptr) {
  ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
  void* p = nullptr;
  ZCCL_CHECK(cudaResult(cudaMalloc(&p, bytes), "cudaMalloc"));
  *ptr = p;
  return zcclSuccess;
}

void DeviceEngine::freeScratch(void* ptr) {
  cudaStreamSynchronize(stream_);
  cudaFree(ptr);
}

zcclResult_t DeviceEngine::copy(void* dst, const void* src, size_t bytes) {
  if (bytes == 0 || dst == src) return zcclSuccess;
  return cudaResult(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_), "cudaMemcpyAsync");
}

zcclResult_t DeviceEngine::checkStatus(const char* what) {
  ZCCL_CHECK(cudaResult(cudaMemcpyAsync(hostSmall_, small_.ptr, 16, cudaMemcpyDeviceToHost, stream_), "copy"));
  ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
  int32_t status[kk::kStatusWords];
  std::memcpy(status, hostSmall_, sizeof(status));
  ZCCL_REQUIRE(status[0] == 0, static_cast<zcclResult_t>(status[0]), "%s: frame rejected on the GPU (block %d)", what,
               status[2]);
  return zcclSuccess;
}

zcclResult_t DeviceEngine::compress(const void* src, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& codec,
                                    void* frame, size_t capacity, size_t* frameBytes) {
  ZCCL_CHECK(ensureStatusWords());
  if (encodeBatch_ == nullptr) encodeBatch_ = std::make_unique<kk::EncodeBatch>();
  kk::EncodeBatch* batch = encodeBatch_.get();
  batch->dtype = dtype;
  batch->checksum = codec.checksum == 1;
  batch->nsegs = 1;
  batch->segs[0] = {0, count, 0};
  size_t ws = 0;
  ZCCL_CHECK(launchers::launchEncode(*batch, nullptr, nullptr, nullptr, nullptr, &ws, stream_));
  ZCCL_CHECK(ensure(&workspace_, ws + 1));
  ZCCL_CHECK(
      launchers::launchEncode(*batch, src, frame, static_cast<uint64_t*>(small_.ptr), workspace_.ptr, &ws, stream_));
  ZCCL_CHECK(cudaResult(cudaMemcpyAsync(hostSmall_, small_.ptr, 8, cudaMemcpyDeviceToHost, stream_), "copy"));
  ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
  *frameBytes = static_cast<size_t>(hostSmall_[0]);
  ZCCL_REQUIRE(*frameBytes <= capacity, zcclInternalError, "device compress: frame larger than its slot");
  return zcclSuccess;
}

zcclResult_t DeviceEngine::decompress(const void* frame, size_t frameBytes, void* dst, size_t count,
                                      zcclDataType_t dtype) {
  ZCCL_CHECK(ensureStatusWords());
  if (decodeBatch_ == nullptr) decodeBatch_ = std::make_unique<kk::DecodeBatch>();
  kk::DecodeBatch* batch = decodeBatch_.get();
  batch->dtype = dtype;
  batch->nsegs = 1;
  batch->segs[0] = {0, frameBytes, count, 0};
  ZCCL_CHECK(cudaResult(cudaMemsetAsync(small_.ptr, 0, 16, stream_), "cudaMemsetAsync"));
  size_t ws = 1;  // decoding needs no workspace: a non-null one of 1 byte skips the size query
  char dummy = 0;
  ZCCL_CHECK(launchers::launchDecode(*batch, frame, dst, static_cast<int32_t*>(small_.ptr), &dummy, &ws, stream_));
  return checkStatus("device decompress");
}

zcclResult_t DeviceEngine::reduce(const ReduceInput* inputs, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                                  int sources, bool partialOnly, void* out) {
  ZCCL_REQUIRE(n >= 1 && n <= kk::kMaxBatchSegments, zcclInternalError, "device reduce: %d inputs", n);
  ZCCL_CHECK(ensureStatusWords());
  if (reduceBatch_ == nullptr) reduceBatch_ = std::make_unique<kk::ReduceBatch>();
  kk::ReduceBatch* batch = reduceBatch_.get();
  batch->dtype = dtype;
  batch->op = partialOnly && op == zcclAvg ? zcclSum : op;  // a partial avg is a rounded sum
  batch->count = count;
  batch->avgDivisor = sources;
  batch->nsources = n;
  // Sources are addressed from the lowest frame and the lowest raw pointer.
  const uint8_t *frames = nullptr, *raw = nullptr;
  for (int i = 0; i < n; ++i) {
    const uint8_t* p = static_cast<const uint8_t*>(inputs[i].data);
    const uint8_t*& base = inputs[i].frameBytes != 0 ? frames : raw;
    if (base == nullptr || p < base) base = p;
  }
  const size_t elem = dtypeBytes(dtype);
  for (int i = 0; i < n; ++i) {
    const uint8_t* p = static_cast<const uint8_t*>(inputs[i].data);
    const bool isFrame = inputs[i].frameBytes != 0;
    batch->sources[i] = {isFrame ? static_cast<uint64_t>(p - frames) : static_cast<uint64_t>(p - raw) / elem,
                         inputs[i].frameBytes, isFrame ? 1 : 0};
    ZCCL_REQUIRE(isFrame || (p - raw) % elem == 0, zcclInternalError, "device reduce: misaligned raw input");
  }
  ZCCL_CHECK(cudaResult(cudaMemsetAsync(small_.ptr, 0, 16, stream_), "cudaMemsetAsync"));
  size_t ws = 1;  // as in decompress: no workspace
  char dummy = 0;
  ZCCL_CHECK(
      launchers::launchDecodeReduce(*batch, frames, raw, out, static_cast<int32_t*>(small_.ptr), &dummy, &ws, stream_));
  return checkStatus("device reduce");
}

// Waits for the engine's device rather than for the last call's stream, which may be gone.
zcclResult_t DeviceEngine::synchronize() {
  int current = 0;
  ZCCL_CHECK(cudaResult(cudaGetDevice(&current), "cudaGetDevice"));
  if (current != device_) ZCCL_CHECK(cudaResult(cudaSetDevice(device_), "cudaSetDevice"));
  const cudaError_t e = cudaDeviceSynchronize();
  if (current != device_) cudaSetDevice(current);
  return cudaResult(e, "cudaDeviceSynchronize");
}

}  // namespace zccl::algo
