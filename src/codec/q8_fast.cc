// The SIMD 8-bit block loops (Highway, dispatched at run time like fast_block_codec.cc),
// byte-identical with the reference (q8_reference.cc): every lane performs the reference's IEEE
// operations in the same order (abs, max, one division per element, round to nearest even, clamp;
// a product and a sum per element when accumulating), and this file is compiled with
// -ffp-contract=off so that no product and sum are fused into an FMA.
//
// Blocks the vector loops do not take go to the reference, block by block: a partial last block,
// a block holding NaN or an infinity, and every block under stochastic rounding. On training data
// those are rare (no NaN or inf) or a choice (stochastic rounding), so the common path is the
// vector one.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "codec/q8_fast.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format off
#include "hwy/highway.h"
// clang-format on

#include <cstring>

#include "codec/q8_codec.h"

HWY_BEFORE_NAMESPACE();
namespace zccl::codec::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using DU = hn::RebindToUnsigned<DF>;
using D8 = hn::Rebind<int8_t, DF>;
using D16 = hn::Rebind<uint16_t, DF>;

// The block's elements as fp32 (exact conversions) into `out` (kQ8BlockElems floats).
HWY_INLINE void LoadBlock(int dtype, const uint8_t* in, float* HWY_RESTRICT out) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (dtype == 7) {
    std::memcpy(out, in, 4 * kQ8BlockElems);
    return;
  }
  if (dtype == 9) {
    const DU du;
    const D16 d16;
    for (size_t j = 0; j < kQ8BlockElems; j += N) {
      const auto h = hn::PromoteTo(du, hn::LoadU(d16, reinterpret_cast<const uint16_t*>(in) + j));
      hn::Store(hn::BitCast(df, hn::ShiftLeft<16>(h)), df, out + j);
    }
    return;
  }
  for (size_t j = 0; j < kQ8BlockElems; ++j) out[j] = fp16ToFloat(loadLE16(in + 2 * j));
}

// One full block of finite elements; false (nothing written) if it holds NaN or inf.
HWY_INLINE bool QuantizeBlock(const float* HWY_RESTRICT x, uint8_t* scale, int8_t* HWY_RESTRICT codes) {
  const DF df;
  const DI di;
  const D8 d8;
  const size_t N = hn::Lanes(df);
  // |x| as integers: ordered like the floats, and at least 0x7F800000 exactly for NaN and inf.
  auto vmax = hn::Zero(di);
  const auto kAbs = hn::Set(di, 0x7FFFFFFF);
  for (size_t j = 0; j < kQ8BlockElems; j += N)
    vmax = hn::Max(vmax, hn::And(hn::BitCast(di, hn::Load(df, x + j)), kAbs));
  const int32_t maxBits = hn::GetLane(hn::MaxOfLanes(di, vmax));
  if (maxBits >= 0x7F800000) return false;
  const uint32_t w = q8ScaleWord(bitsFloat(static_cast<uint32_t>(maxBits)), false);
  storeLE32(scale, w);
  const float s = q8Step(w);
  if (s == 0.0f) {
    std::memset(codes, 0, kQ8BlockElems);
    return true;
  }
  const auto vs = hn::Set(df, s), hi = hn::Set(df, static_cast<float>(kQ8Levels)), lo = hn::Neg(hi);
  for (size_t j = 0; j < kQ8BlockElems; j += N) {
    const auto q = hn::Min(hn::Max(hn::Round(hn::Div(hn::Load(df, x + j), vs)), lo), hi);
    hn::StoreU(hn::DemoteTo(d8, hn::ConvertTo(di, q)), d8, codes + j);
  }
  return true;
}

void QuantizeAny(int inDtype, const void* in, uint64_t count, const Q8Rounding& rounding, uint8_t* scales,
                 int8_t* codes) {
  const Q8BlockOps& ref = q8ReferenceOps();
  const size_t eb = inDtype == 7 ? 4 : 2;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  HWY_ALIGN float x[kQ8BlockElems];
  for (uint64_t b = 0; b < q8NumBlocks(count); ++b) {
    const uint64_t first = b * kQ8BlockElems, n = count - first < kQ8BlockElems ? count - first : kQ8BlockElems;
    bool done = false;
    if (n == kQ8BlockElems && !rounding.stochastic) {
      LoadBlock(inDtype, src + first * eb, x);
      done = QuantizeBlock(x, scales + 4 * b, codes + first);
    }
    if (!done) {
      Q8Rounding r = rounding;
      r.indexBase += first;
      ref.quantize(inDtype, src + first * eb, n, r, scales + 4 * b, codes + first);
    }
  }
}

const char* AccumulateAny(const uint8_t* scales, const int8_t* codes, uint64_t count, bool assign, float* acc) {
  const Q8BlockOps& ref = q8ReferenceOps();
  const DF df;
  const DI di;
  const D8 d8;
  const hn::ScalableTag<int8_t> dc;
  const size_t N = hn::Lanes(df), NC = hn::Lanes(dc);
  for (uint64_t b = 0; b < q8NumBlocks(count); ++b) {
    const uint64_t first = b * kQ8BlockElems, n = count - first < kQ8BlockElems ? count - first : kQ8BlockElems;
    const uint32_t w = loadLE32(scales + 4 * b);
    if (n != kQ8BlockElems || q8Special(w) || !q8ValidScaleWord(w) || NC > kQ8BlockElems) {
      const char* why = ref.accumulate(scales + 4 * b, codes + first, n, assign, acc + first);
      if (why != nullptr) return why;
      continue;
    }
    auto bad = hn::Zero(dc);
    for (size_t j = 0; j < kQ8BlockElems; j += NC)
      bad = hn::Or(bad, hn::VecFromMask(dc, hn::Eq(hn::LoadU(dc, codes + first + j),
                                                   hn::Set(dc, static_cast<int8_t>(kQ8CodeNaN)))));
    if (!hn::AllFalse(dc, hn::Ne(bad, hn::Zero(dc))))
      return "8-bit frame: code -128 in a block without NaN or infinity";
    const auto vs = hn::Set(df, q8Step(w));
    float* a = acc + first;
    for (size_t j = 0; j < kQ8BlockElems; j += N) {
      const auto v = hn::Mul(hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(d8, codes + first + j))), vs);
      hn::StoreU(assign ? v : hn::Add(hn::LoadU(df, a + j), v), df, a + j);
    }
  }
  return nullptr;
}

}  // namespace zccl::codec::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace zccl::codec {

HWY_EXPORT(QuantizeAny);
HWY_EXPORT(AccumulateAny);

namespace {

void fastQuantize(int inDtype, const void* in, uint64_t count, const Q8Rounding& rounding, uint8_t* scales,
                  int8_t* codes) {
  HWY_DYNAMIC_DISPATCH(QuantizeAny)(inDtype, in, count, rounding, scales, codes);
}

const char* fastAccumulate(const uint8_t* scales, const int8_t* codes, uint64_t count, bool assign, float* acc) {
  return HWY_DYNAMIC_DISPATCH(AccumulateAny)(scales, codes, count, assign, acc);
}

}  // namespace

const Q8BlockOps& q8FastOps() {
  static const Q8BlockOps ops{"fast", fastQuantize, fastAccumulate};
  return ops;
}

}  // namespace zccl::codec
#endif  // HWY_ONCE
