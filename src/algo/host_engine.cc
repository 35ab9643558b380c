#include "algo/host_engine.h"

#include <chrono>
#include <cstring>

#include "common/check.h"
#include "common/dtype_size.h"

namespace zccl::algo {
namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

constexpr int kDecodeSlot = 15;  // a decoded reduction input (one chunk); slot map: algo/scratch_space.h

}  // namespace

zcclResult_t HostEngine::allocateScratch(size_t bytes, void** ptr) {
  *ptr = allocateHostScratch(bytes);
  ZCCL_REQUIRE(*ptr != nullptr, zcclSystemError, "out of host memory (%zu bytes of scratch)", bytes);
  return zcclSuccess;
}

void HostEngine::freeScratch(void* ptr) { freeHostScratch(ptr); }

zcclResult_t HostEngine::copy(void* dst, const void* src, size_t bytes) {
  if (bytes != 0 && dst != src) std::memmove(dst, src, bytes);
  return zcclSuccess;
}

zcclResult_t HostEngine::compress(const void* src, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& codec,
                                  void* frame, size_t capacity, size_t* frameBytes) {
  const auto t0 = std::chrono::steady_clock::now();
  const zcclResult_t r = zcclCodecCompress(src, count, dtype, frame, capacity, frameBytes, &codec);
  codecSeconds_ += secondsSince(t0);
  return r;
}

zcclResult_t HostEngine::decompress(const void* frame, size_t frameBytes, void* dst, size_t count,
                                    zcclDataType_t dtype) {
  const auto t0 = std::chrono::steady_clock::now();
  const zcclResult_t r = zcclCodecDecompress(frame, frameBytes, dst, count, dtype, nullptr, nullptr);
  codecSeconds_ += secondsSince(t0);
  return r;
}

zcclResult_t HostEngine::reduce(const ReduceInput* inputs, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                                int sources, bool partialOnly, void* out) {
  ReduceAccumulator& acc = accumulator_;
  acc.reset(dtype, op, count);
  const size_t rawBytes = count * dtypeBytes(dtype);  // room for a decoded chunk
  uint8_t* decoded = nullptr;
  bool anyFrame = false;
  for (int i = 0; i < n; ++i) anyFrame = anyFrame || inputs[i].frameBytes != 0;
  if (anyFrame) ZCCL_CHECK(scratch(kDecodeSlot, rawBytes, reinterpret_cast<void**>(&decoded)));
  zcclResult_t first = zcclSuccess;
  for (int i = 0; i < n; ++i) {
    if (inputs[i].frameBytes == 0) {
      acc.add(inputs[i].data);
      continue;
    }
    const zcclResult_t r = decompress(inputs[i].data, inputs[i].frameBytes, decoded, count, dtype);
    if (r != zcclSuccess) {
      first = first == zcclSuccess ? r : first;
      continue;  // the output is not written below
    }
    acc.add(decoded);
  }
  if (first != zcclSuccess) return first;
  if (partialOnly) {
    acc.partial(out);
  } else {
    acc.finish(sources, out);
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
