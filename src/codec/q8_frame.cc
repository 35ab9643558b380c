// The frame layer of the 8-bit frames (docs/format.md section 10): header, the zero padding after
// the codes, argument checks; the block loops come from a Q8BlockOps (reference or SIMD).
#include <cstring>

#include "codec/q8_codec.h"
#include "common/check.h"
#include "common/reduce_ops.h"

namespace zccl::codec {

zcclResult_t q8Encode(const Q8BlockOps& ops, int frameDtype, int inDtype, const void* in, uint64_t count,
                      const Q8Rounding& rounding, void* frame, size_t capacity) {
  ZCCL_REQUIRE(q8Dtype(frameDtype) && q8Dtype(inDtype), zcclInvalidArgument,
               "8-bit codec: dtypes %d/%d are not bf16, fp16 or fp32", frameDtype, inDtype);
  ZCCL_REQUIRE(count <= kQ8MaxCount, zcclInvalidArgument, "8-bit codec: count %llu is too large",
               static_cast<unsigned long long>(count));
  ZCCL_REQUIRE((in != nullptr || count == 0) && frame != nullptr, zcclInvalidArgument, "8-bit codec: NULL buffer");
  const uint64_t bytes = q8FrameBytes(count);
  ZCCL_REQUIRE(bytes <= capacity, zcclInvalidArgument, "8-bit codec: output holds %zu bytes, the frame needs %llu",
               capacity, static_cast<unsigned long long>(bytes));
  uint8_t* f = static_cast<uint8_t*>(frame);
  const uint64_t codesAt = q8CodesOffset(count);
  ops.quantize(inDtype, in, count, rounding, f + kQ8HeaderBytes, reinterpret_cast<int8_t*>(f + codesAt));
  std::memset(f + codesAt + count, 0, bytes - codesAt - count);
  storeQ8Header(f, frameDtype, count);
  return zcclSuccess;
}

zcclResult_t q8Accumulate(const Q8BlockOps& ops, const void* frame, size_t bytes, int dtype, uint64_t count,
                          bool assign, float* acc) {
  ZCCL_REQUIRE(frame != nullptr && (acc != nullptr || count == 0), zcclInvalidArgument, "8-bit codec: NULL buffer");
  const uint8_t* f = static_cast<const uint8_t*>(frame);
  const char* why = validateQ8Header(f, bytes, dtype, count);
  ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "8-bit codec: %s", why);
  const uint64_t codesAt = q8CodesOffset(count), end = q8FrameBytes(count);
  for (uint64_t i = codesAt + count; i < end; ++i)
    ZCCL_REQUIRE(f[i] == 0, zcclCorruptFrame, "8-bit codec: nonzero padding after the codes");
  why = ops.accumulate(f + kQ8HeaderBytes, reinterpret_cast<const int8_t*>(f + codesAt), count, assign, acc);
  ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "8-bit codec: %s", why);
  return zcclSuccess;
}

void q8StoreAs(int dtype, const float* in, uint64_t count, void* out) {
  uint8_t* o = static_cast<uint8_t*>(out);
  if (count == 0) return;  // out and in may be null then
  if (dtype == 7) {
    std::memcpy(o, in, count * 4);
    return;
  }
  for (uint64_t i = 0; i < count; ++i) storeLE16(o + 2 * i, static_cast<uint16_t>(floatToElement(dtype, in[i])));
}

zcclResult_t q8Decode(const Q8BlockOps& ops, const void* frame, size_t bytes, int dtype, uint64_t count, void* out) {
  ZCCL_REQUIRE(frame != nullptr && (out != nullptr || count == 0), zcclInvalidArgument, "8-bit codec: NULL buffer");
  const uint8_t* f = static_cast<const uint8_t*>(frame);
  const char* why = validateQ8Header(f, bytes, dtype, count);
  ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "8-bit codec: %s", why);
  const uint64_t codesAt = q8CodesOffset(count), end = q8FrameBytes(count);
  for (uint64_t i = codesAt + count; i < end; ++i)
    ZCCL_REQUIRE(f[i] == 0, zcclCorruptFrame, "8-bit codec: nonzero padding after the codes");
  // Piece by piece through a small fp32 buffer: a piece is whole blocks, so a bad block stops the
  // decode before any of its elements is written.
  constexpr uint64_t kPiece = 32 * kQ8BlockElems;
  float tmp[kPiece];
  const size_t eb = dtype == 7 ? 4 : 2;
  for (uint64_t at = 0; at < count; at += kPiece) {
    const uint64_t n = count - at < kPiece ? count - at : kPiece;
    why = ops.accumulate(f + kQ8HeaderBytes + 4 * (at / kQ8BlockElems),
                         reinterpret_cast<const int8_t*>(f + codesAt + at), n, true, tmp);
    ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "8-bit codec: %s", why);
    q8StoreAs(dtype, tmp, n, static_cast<uint8_t*>(out) + at * eb);
  }
  return zcclSuccess;
}

}  // namespace zccl::codec
