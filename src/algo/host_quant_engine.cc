// The QuantEngine of host-memory communicators: the CPU 8-bit quantizer (SIMD, q8_fast.cc) and an
// fp32 accumulator kept between calls.
#include <vector>

#include "algo/quant_engine.h"
#include "codec/q8_codec.h"
#include "common/aligned_buffer.h"
#include "common/check.h"

namespace zccl::algo {
namespace {

using codec::q8FastOps;

class HostQuantEngine final : public QuantEngine {
 public:
  ~HostQuantEngine() override { releaseScratch(); }

  zcclResult_t quantize(const void* src, size_t count, zcclDataType_t dtype, const codec::Q8Rounding& rounding,
                        void* frame) override {
    return codec::q8Encode(q8FastOps(), dtype, dtype, src, count, rounding, frame, codec::q8FrameBytes(count));
  }

  zcclResult_t reduce(const void* frames, size_t stride, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                      const codec::Q8Rounding& rounding, void* outFrame, void* out) override {
    if (acc_.size() < count) acc_.resize(count);
    const uint8_t* f = static_cast<const uint8_t*>(frames);
    for (int s = 0; s < n; ++s)
      ZCCL_CHECK(codec::q8Accumulate(q8FastOps(), f + s * stride, codec::q8FrameBytes(count), dtype, count, s == 0,
                                     acc_.data()));
    if (op == zcclAvg) {
      for (size_t i = 0; i < count; ++i) acc_[i] = codec::q8Div(acc_[i], static_cast<float>(n));
    }
    if (outFrame == nullptr) {
      codec::q8StoreAs(dtype, acc_.data(), count, out);
      return zcclSuccess;
    }
    const size_t bytes = codec::q8FrameBytes(count);
    ZCCL_CHECK(codec::q8Encode(q8FastOps(), dtype, zcclFloat32, acc_.data(), count, rounding, outFrame, bytes));
    return codec::q8Decode(q8FastOps(), outFrame, bytes, dtype, count, out);
  }

  zcclResult_t dequantize(const void* frame, size_t count, zcclDataType_t dtype, void* out) override {
    return codec::q8Decode(q8FastOps(), frame, codec::q8FrameBytes(count), dtype, count, out);
  }

  zcclResult_t poison(void* frame, size_t bytes) override {
    std::fill_n(static_cast<uint8_t*>(frame), bytes, 0);
    return zcclSuccess;
  }

 protected:
  zcclResult_t allocateScratch(size_t bytes, void** ptr) override {
    *ptr = allocateHostScratch(bytes);
    ZCCL_REQUIRE(*ptr != nullptr, zcclSystemError, "8-bit reduction: out of host memory (%zu bytes)", bytes);
    return zcclSuccess;
  }
  void freeScratch(void* ptr) override { freeHostScratch(ptr); }

 private:
  std::vector<float> acc_;
};

}  // namespace

std::unique_ptr<QuantEngine> makeHostQuantEngine() { return std::make_unique<HostQuantEngine>(); }

}  // namespace zccl::algo
