// The fast block codec: the same blocks as the reference codec, byte for byte, computed with
// Highway SIMD and dispatched at run time to the best target of the CPU (AVX-512, AVX2, SSE4,
// SSSE3 or scalar). Highway 1.0.3 (Debian 12) also offers AVX3_DL, but its TruncateTo u32->u8
// and 256-bit u16->u8 permute the wrong lane width there; we do not build that target
// (HWY_WANT_AVX3_DL unset) and simd_targets_test checks every target we do build.
//
// Encoding a block:
//   1. exponent histogram: exponents extracted to bytes, then counted 64 per vector compare in
//      the 16-exponent window below the block's largest exponent (Histogram);
//   2. chooseBlockPlan, shared with the reference and the kernels;
//   3. per group of 32 elements, in vectors of up to 32 lanes: codes = exponent - base with the
//      escape and zero codes blended in; each code bit-plane is a lane mask stored as bits;
//      residual bytes are truncated and stored (compacted with CompressBlendedStore when the
//      group holds zero-coded elements); each escape field is the escaped lanes' bits of one
//      plane of the escape values, gathered with pext.
// Decoding checks the header counts against the code words first, then per group turns the
// plane words into lane masks that OR the code bits together, scatters the escape fields back
// to lanes with pdep, forms exponent = base + code (or the escaped exponent), joins the widened
// residual and stores. A group with zero-coded elements first expands its compacted residuals,
// eight lanes per bit deposit (pdep). A block whose last group is partial goes through the reference codec,
// which keeps the vector loops free of tail handling.
//
// Escapes are common, not rare: Gaussian blocks usually choose k = 2 with about a quarter of the
// elements escaped. Per-escape scalar work was the bottleneck of the first version; the
// group-wise escape fields of format v1 exist so that escapes cost a few operations per
// bit-plane per group, on a CPU (pext/pdep) as on a GPU (ballot/reduce).
//
// foreach_target.h re-includes this file once per SIMD target; code between
// HWY_BEFORE_NAMESPACE and HWY_AFTER_NAMESPACE is compiled for each.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "codec/fast_block_codec.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// clang-format off
#include "hwy/highway.h"
// clang-format on

#include <algorithm>
#include <cstring>

#include "codec/block_codec.h"
#include "codec/block_plan.h"
#include "codec/block_validate.h"
#include "codec/format.h"
#include "codec/hash.h"
#include "codec/reference_block_codec.h"

HWY_BEFORE_NAMESPACE();
namespace zccl::codec::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Compile-time view of a coded dtype.
template <typename TElem, int kMant, int kExpBits, int kResidBytes, int kExtraPlanes>
struct Kind {
  using T = TElem;
  static constexpr int kMantBits = kMant;
  static constexpr uint32_t kMaxExp = (1u << kExpBits) - 1;
  static constexpr int kResidualBytes = kResidBytes;
  static constexpr int kExtra = kExtraPlanes;
};
using Bf16Kind = Kind<uint16_t, 7, 8, 1, 0>;
using Fp16Kind = Kind<uint16_t, 10, 5, 1, 3>;
using Fp32Kind = Kind<uint32_t, 23, 8, 3, 0>;

// Lane mask -> integer bits. Reads back exactly the bytes StoreMaskBits wrote, so the load is
// served by store forwarding (reading more than was stored stalls for ~15 cycles).
template <class D>
HWY_INLINE uint64_t MaskToBits(D d, hn::Mask<D> m) {
  constexpr size_t kBytes = (hn::MaxLanes(D()) + 7) / 8;
  alignas(8) uint8_t buf[8];
  hn::StoreMaskBits(d, m, buf);
  uint64_t bits;
  if constexpr (kBytes == 1) {
    bits = buf[0] & ((hn::MaxLanes(D()) >= 8 ? 0x100u : (1u << hn::MaxLanes(D()))) - 1u);
  } else if constexpr (kBytes == 2) {
    uint16_t v;
    std::memcpy(&v, buf, 2);
    bits = v;
  } else if constexpr (kBytes == 4) {
    uint32_t v;
    std::memcpy(&v, buf, 4);
    bits = v;
  } else {
    std::memcpy(&bits, buf, 8);
  }
  return bits;
}

template <class D>
HWY_INLINE hn::Mask<D> BitsToMask(D d, uint64_t bits) {
  const size_t lanes = hn::Lanes(d);
  if (lanes < 64) bits &= (uint64_t{1} << lanes) - 1;
  uint8_t buf[8];
  std::memcpy(buf, &bits, sizeof(bits));
  return hn::LoadMaskBits(d, buf);
}

// Appends fields of up to 32 bits to a little-endian bit stream, keeping pending bits in a
// register and writing whole words; finish() writes the last bytes.
struct BitWriter {
  uint8_t* out;
  uint64_t acc = 0;
  uint32_t pending = 0;
  HWY_INLINE void put(uint32_t value, uint32_t bits) {
    acc |= static_cast<uint64_t>(value) << pending;
    pending += bits;
    if (pending >= 32) {
      storeLE32(out, static_cast<uint32_t>(acc));
      out += 4;
      acc >>= 32;
      pending -= 32;
    }
  }
  HWY_INLINE void finish() {
    for (; pending > 0; pending = pending > 8 ? pending - 8 : 0) {
      *out++ = static_cast<uint8_t>(acc);
      acc >>= 8;
    }
  }
};

// Bit gather / scatter (BMI2 pext / pdep on AVX2 and better targets): an escape field is the
// escaped lanes' bits gathered in order (pext), and decoding scatters them back (pdep).
HWY_INLINE uint32_t GatherBits(uint32_t x, uint32_t mask) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  return _pext_u32(x, mask);
#else
  uint32_t out = 0, bit = 0;
  for (; mask != 0; mask &= mask - 1) out |= ((x >> __builtin_ctz(mask)) & 1u) << bit++;
  return out;
#endif
}

HWY_INLINE uint32_t ScatterBits(uint32_t x, uint32_t mask) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  return _pdep_u32(x, mask);
#else
  uint32_t out = 0;
  for (; mask != 0; mask &= mask - 1, x >>= 1) out |= (x & 1u) << __builtin_ctz(mask);
  return out;
#endif
}

// Sum of the u8 lanes of v.
template <class D8>
HWY_INLINE uint32_t SumOfCounters(D8 d8, hn::Vec<D8> v) {
  if constexpr (hn::MaxLanes(D8()) >= 8) {
    const hn::Repartition<uint64_t, D8> d64;
    return static_cast<uint32_t>(hn::GetLane(hn::SumOfLanes(d64, hn::SumsOf8(v))));
  } else {  // scalar targets: SumsOf8 needs 8 lanes
    alignas(64) uint8_t buf[hn::MaxLanes(D8())];
    hn::Store(v, d8, buf);
    uint32_t sum = 0;
    for (size_t l = 0; l < hn::Lanes(d8); ++l) sum += buf[l];
    return sum;
  }
}

// Lane expand in a u64: the low lanes of `packed` (kLaneBytes bytes each) go, in order, to the
// lanes of the result whose bit is set in m (8 byte lanes or 4 u16 lanes); other lanes are 0.
template <int kLaneBytes>
HWY_INLINE uint64_t ExpandLanes(uint64_t packed, uint32_t m) {
  constexpr uint64_t kLaneMask = kLaneBytes == 1 ? 0xFFu : 0xFFFFu;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  constexpr uint64_t kLaneOnes = kLaneBytes == 1 ? 0x0101010101010101ull : 0x0001000100010001ull;
  return _pdep_u64(packed, _pdep_u64(m, kLaneOnes) * kLaneMask);
#else
  uint64_t out = 0;
  for (int lane = 0; lane < 8 / kLaneBytes; ++lane) {
    if ((m >> lane) & 1u) {
      out |= (packed & kLaneMask) << (8 * kLaneBytes * lane);
      packed >>= 8 * kLaneBytes;
    }
  }
  return out;
#endif
}

// Up to 8 bytes at p, of which `avail` exist (the rest read as 0).
HWY_INLINE uint64_t LoadUpTo8(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  std::memcpy(&v, p, avail < 8 ? avail : 8);
  return v;
}

// Exact exponent histogram of a block, counted mostly in SIMD registers.
//
// Pass 1 extracts the exponents to bytes, finds the largest and counts +0.0. Pass 2 reads the
// bytes (64 per AVX-512 vector, whatever the dtype) and keeps one vector of u8 counters per
// exponent of the window [top - 15, top] plus one for exponent 0 (zeros, denormals): each vector
// adds its compare masks to the counters. Gaussian-like blocks have nearly all their mass in that window, so the few
// other exponents are counted one by one. Which bins are counted in SIMD changes only the speed: the histogram is
// exact, as chooseBlockPlan requires. `next`: the next block's input, prefetched one line per line of this block
// (spread over the pass; a burst of prefetches is dropped once the miss buffers fill).
template <class K>
void Histogram(const uint8_t* in, uint32_t n, uint32_t* hist, uint32_t* zeros, const uint8_t* next) {
  using T = typename K::T;
  constexpr uint32_t kWindow = 16;
  std::memset(hist, 0, sizeof(uint32_t) * (K::kMaxExp + 1));
  alignas(64) uint8_t exps[kBlockElems];

  const hn::ScalableTag<T> d;
  const hn::Rebind<uint8_t, decltype(d)> dNarrow;
  const uint32_t lanes = static_cast<uint32_t>(hn::Lanes(d));
  const T* x = reinterpret_cast<const T*>(in);
  const auto vMaxExp = hn::Set(d, static_cast<T>(K::kMaxExp));
  auto vTop = hn::Zero(d);
  auto vZeros = hn::Zero(d);
  uint32_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    if (next != nullptr && (i * sizeof(T)) % 64 == 0) __builtin_prefetch(next + i * sizeof(T), 0, 3);
    const auto v = hn::LoadU(d, x + i);
    const auto e = hn::And(hn::ShiftRight<K::kMantBits>(v), vMaxExp);
    vTop = hn::Max(vTop, e);
    vZeros = hn::Sub(vZeros, hn::VecFromMask(d, hn::Eq(v, hn::Zero(d))));
    hn::Store(hn::TruncateTo(dNarrow, e), dNarrow, exps + i);
  }
  uint32_t z = 0;
  {
    alignas(64) T buf[hn::MaxLanes(d)];
    hn::Store(vZeros, d, buf);
    for (uint32_t l = 0; l < lanes; ++l) z += buf[l];
  }
  uint32_t top = hn::GetLane(hn::MaxOfLanes(d, vTop));
  for (; i < n; ++i) {
    T v;
    std::memcpy(&v, in + i * sizeof(T), sizeof(v));
    exps[i] = static_cast<uint8_t>((v >> K::kMantBits) & K::kMaxExp);
    top = std::max<uint32_t>(top, exps[i]);
    z += v == 0;
  }
  *zeros = z;
  const uint32_t lo = top >= kWindow - 1 ? top - (kWindow - 1) : 0;

  const hn::ScalableTag<uint8_t> d8;
  const uint32_t lanes8 = static_cast<uint32_t>(hn::Lanes(d8));
  const auto vLo = hn::Set(d8, static_cast<uint8_t>(lo));
  const auto vWindow = hn::Set(d8, static_cast<uint8_t>(kWindow));
  const auto one = hn::Set(d8, uint8_t{1});
  uint32_t j = 0;
  // u8 counters take at most 255 vectors before they are added to the histogram (with 64-lane
  // vectors a block is 64 vectors, one round).
  while (j + lanes8 <= n) {
    hn::Vec<decltype(d8)> acc[kWindow];
    for (uint32_t b = 0; b < kWindow; ++b) acc[b] = hn::Zero(d8);
    auto accZero = hn::Zero(d8);
    for (uint32_t round = 0; round < 255 && j + lanes8 <= n; ++round, j += lanes8) {
      const auto e = hn::Load(d8, exps + j);
      const auto rel = hn::Sub(e, vLo);
      // acc + (lane matches ? 1 : 0): a merge-masked add on AVX-512, compare + subtract elsewhere.
      for (uint32_t b = 0; b < kWindow; ++b) {
        acc[b] = hn::IfThenElse(hn::Eq(rel, hn::Set(d8, static_cast<uint8_t>(b))), hn::Add(acc[b], one), acc[b]);
      }
      const auto isZeroExp = hn::Eq(e, hn::Zero(d8));
      accZero = hn::IfThenElse(isZeroExp, hn::Add(accZero, one), accZero);
      const auto outlier = hn::AndNot(isZeroExp, hn::Not(hn::Lt(rel, vWindow)));
      if (!hn::AllFalse(d8, outlier)) {
        for (uint64_t bits = MaskToBits(d8, outlier); bits != 0; bits &= bits - 1)
          hist[exps[j + __builtin_ctzll(bits)]]++;
      }
    }
    for (uint32_t b = 0; b < kWindow; ++b) hist[lo + b] += SumOfCounters(d8, acc[b]);
    // With lo == 0, exponent 0 is bin 0 of the window and was counted there.
    if (lo != 0) hist[0] += SumOfCounters(d8, accZero);
  }
  for (; j < n; ++j) hist[exps[j]]++;
}

// Stores the residual fields of the lanes of x; with `compact`, only the `keep` lanes, packed.
// Returns the number of residuals written. `resid` points at the residual planes (any
// alignment), `at` is the index of the first residual of this vector.
template <class K, class D>
HWY_INLINE uint32_t StoreResiduals(D d, hn::Vec<D> x, hn::Mask<D> keep, bool compact, uint8_t* resid, uint32_t nCoded,
                                   uint32_t at) {
  using T = typename K::T;
  const size_t lanes = hn::Lanes(d);
  if constexpr (sizeof(T) == 2) {
    const hn::Rebind<uint8_t, D> d8;
    hn::Vec<D> r;
    if constexpr (K::kExtra == 0) {  // bf16: sign << 7 | mantissa
      r = hn::Or(hn::And(x, hn::Set(d, T{0x7F})), hn::And(hn::ShiftRight<8>(x), hn::Set(d, T{0x80})));
    } else {  // fp16: mantissa bits 0-7
      r = hn::And(x, hn::Set(d, T{0xFF}));
    }
    auto r8 = hn::TruncateTo(d8, r);
    if (!compact) {
      hn::StoreU(r8, d8, resid + at);
      return static_cast<uint32_t>(lanes);
    }
    return static_cast<uint32_t>(hn::CompressBlendedStore(r8, BitsToMask(d8, MaskToBits(d, keep)), d8, resid + at));
  } else {  // fp32: u16 plane of residual bits 0-15, u8 plane of bits 16-23
    const hn::Rebind<uint16_t, D> d16;
    const hn::Rebind<uint8_t, D> d8;
    auto lo = hn::TruncateTo(d16, x);
    auto hi = hn::TruncateTo(d8, hn::Or(hn::And(hn::ShiftRight<16>(x), hn::Set(d, 0x7Fu)),
                                        hn::And(hn::ShiftRight<24>(x), hn::Set(d, 0x80u))));
    uint16_t* lo16 = reinterpret_cast<uint16_t*>(resid) + at;
    uint8_t* hi8 = resid + 2 * nCoded + at;
    if (!compact) {
      hn::StoreU(lo, d16, lo16);
      hn::StoreU(hi, d8, hi8);
      return static_cast<uint32_t>(lanes);
    }
    hn::CompressBlendedStore(lo, BitsToMask(d16, MaskToBits(d, keep)), d16, lo16);
    return static_cast<uint32_t>(hn::CompressBlendedStore(hi, BitsToMask(d8, MaskToBits(d, keep)), d8, hi8));
  }
}

// kCodeBits: the block's k when it is one of the common widths compiled separately (loops over
// the code planes unroll and the group words stay in registers), or -1 for any k.
template <class K, int kCodeBits>
void EncodeWindow(const uint8_t* in, uint32_t n, const BlockPlan& plan, uint8_t* dst) {
  using T = typename K::T;
  const CodecTraits t = codecTraits(sizeof(T) == 4 ? 7 : (K::kExtra ? 6 : 9));
  const BlockHeader& h = plan.header;
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  const uint32_t fullGroups = n / kGroupElems;
  if (fullGroups != l.groups) {  // partial last group: the reference writes the whole block
    reference::encodeWindowBlock(t, in, n, plan, dst);
    return;
  }
  storeBlockHeader(dst, h);
  std::memset(dst + l.escOffset, 0, l.bytes - l.escOffset);
  // Plan fields in locals: the byte stores below may alias anything, so fields read through `h`
  // would be reloaded from memory at every use.
  const uint32_t k = kCodeBits >= 0 ? static_cast<uint32_t>(kCodeBits) : h.k();
  const uint32_t w = static_cast<uint32_t>(h.window()), escBits = h.escBits;
  const uint32_t wordsPerGroup = k + K::kExtra;
  const bool zeroCode = h.hasZeroCode();
  const hn::CappedTag<T, kGroupElems> d;
  const uint32_t lanes = static_cast<uint32_t>(hn::Lanes(d));
  const auto vBase = hn::Set(d, static_cast<T>(h.base));
  const auto vW = hn::Set(d, static_cast<T>(w));
  const auto vEsc = hn::Set(d, static_cast<T>(h.escapeCode()));
  const auto vZeroCode = hn::Set(d, static_cast<T>(h.zeroCode()));
  const auto vMaxExp = hn::Set(d, static_cast<T>(K::kMaxExp));
  // Escape value of a lane: its exponent in gap-skipped space minus escBase.
  const auto vEscBase = hn::Set(d, static_cast<T>(h.escBase));
  const auto vEscBaseW = hn::Set(d, static_cast<T>(h.escBase + w));
  const T* x = reinterpret_cast<const T*>(in);
  uint8_t* resid = dst + l.residOffset;
  BitWriter esc{dst + l.escOffset};
  uint32_t coded = 0;
  for (uint32_t g = 0; g < fullGroups; ++g) {
    uint32_t words[8 + 3] = {0};
    uint32_t escPlanes[8] = {0};  // bit p of every lane's escape value
    uint32_t escLanes = 0;
    for (uint32_t off = 0; off < kGroupElems; off += lanes) {
      const auto v = hn::LoadU(d, x + g * kGroupElems + off);
      const auto e = hn::And(hn::ShiftRight<K::kMantBits>(v), vMaxExp);
      const auto rel = hn::Sub(e, vBase);
      const auto inWindow = hn::Lt(rel, vW);
      auto code = hn::IfThenElse(inWindow, rel, vEsc);
      auto isZero = hn::FirstN(d, 0);
      if (zeroCode) {
        isZero = hn::Eq(v, hn::Zero(d));
        code = hn::IfThenElse(isZero, vZeroCode, code);
      }
      for (uint32_t j = 0; j < k; ++j) {
        words[j] |= static_cast<uint32_t>(MaskToBits(d, hn::TestBit(code, hn::Set(d, static_cast<T>(1u << j)))) << off);
      }
      if constexpr (K::kExtra != 0) {  // fp16: mantissa bits 8, 9 and the sign as bit-planes
        words[k] |= static_cast<uint32_t>(MaskToBits(d, hn::TestBit(v, hn::Set(d, T{0x100}))) << off);
        words[k + 1] |= static_cast<uint32_t>(MaskToBits(d, hn::TestBit(v, hn::Set(d, T{0x200}))) << off);
        words[k + 2] |= static_cast<uint32_t>(MaskToBits(d, hn::TestBit(v, hn::Set(d, T{0x8000}))) << off);
      }
      const auto escValue = hn::Sub(e, hn::IfThenElse(hn::Lt(e, vBase), vEscBase, vEscBaseW));
      for (uint32_t p = 0; p < escBits; ++p) {
        escPlanes[p] |=
            static_cast<uint32_t>(MaskToBits(d, hn::TestBit(escValue, hn::Set(d, static_cast<T>(1u << p)))) << off);
      }
      escLanes |= static_cast<uint32_t>(MaskToBits(d, hn::AndNot(isZero, hn::Not(inWindow))) << off);
      const bool compact = zeroCode && !hn::AllFalse(d, isZero);
      coded += StoreResiduals<K>(d, v, hn::Not(isZero), compact, resid, l.nCoded, coded);
    }
    uint8_t* groupWords = dst + l.wordsOffset + 4u * l.wordsPerGroup * g;
    for (uint32_t j = 0; j < wordsPerGroup; ++j) storeLE32(groupWords + 4 * j, words[j]);
    // The group's escape fields: the escaped lanes' bits of each value plane, gathered in order.
    // Usually all of them fit one 32-bit write, which keeps the writer's dependency chain at one
    // step per group.
    const uint32_t c = static_cast<uint32_t>(__builtin_popcount(escLanes));
    if (c * escBits <= 32) {
      uint64_t fields = 0;
      for (uint32_t p = 0; p < escBits; ++p)
        fields |= static_cast<uint64_t>(GatherBits(escPlanes[p], escLanes)) << (p * c);
      esc.put(static_cast<uint32_t>(fields), c * escBits);
    } else {
      for (uint32_t p = 0; p < escBits; ++p) esc.put(GatherBits(escPlanes[p], escLanes), c);
    }
  }
  esc.finish();
}

template <class K>
uint32_t EncodeBlock(const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* next) {
  uint32_t hist[kHistBins];
  uint32_t zeros = 0;
  Histogram<K>(in, n, hist, &zeros, next);
  const CodecTraits t = codecTraits(sizeof(typename K::T) == 4 ? 7 : (K::kExtra ? 6 : 9));
  const BlockPlan plan = chooseBlockPlan(t, n, hist, zeros);
  if (plan.raw()) {
    storeBlockHeader(dst, plan.header);
    const uint32_t rawBytes = n * static_cast<uint32_t>(sizeof(typename K::T));
    std::memcpy(dst + kBlockHeaderBytes, in, rawBytes);
    std::memset(dst + kBlockHeaderBytes + rawBytes, 0, plan.bytes - kBlockHeaderBytes - rawBytes);
  } else {
    switch (plan.header.k()) {
      case 0:
        EncodeWindow<K, 0>(in, n, plan, dst);
        break;
      case 1:
        EncodeWindow<K, 1>(in, n, plan, dst);
        break;
      case 2:
        EncodeWindow<K, 2>(in, n, plan, dst);
        break;
      case 3:
        EncodeWindow<K, 3>(in, n, plan, dst);
        break;
      case 4:
        EncodeWindow<K, 4>(in, n, plan, dst);
        break;
      case 5:
        EncodeWindow<K, 5>(in, n, plan, dst);
        break;
      default:
        EncodeWindow<K, -1>(in, n, plan, dst);
        break;
    }
  }
  return plan.bytes;
}

// The code planes must hold exactly the header's counts of zero and escape codes; checked from
// the code words alone, before anything is decoded (a few operations per group).
template <int kCodeBits>
bool CountsMatch(const uint8_t* src, const BlockHeader& h, const WindowLayout& l) {
  const uint32_t k = kCodeBits >= 0 ? static_cast<uint32_t>(kCodeBits) : h.k();
  uint32_t zeros = 0, escapes = 0;
  for (uint32_t g = 0; g < l.groups; ++g) {
    const uint8_t* words = src + l.wordsOffset + 4u * l.wordsPerGroup * g;
    if (h.hasZeroCode()) zeros += static_cast<uint32_t>(__builtin_popcount(lanesWithCode(words, k, h.zeroCode())));
    if (h.hasEscapeCode())
      escapes += static_cast<uint32_t>(__builtin_popcount(lanesWithCode(words, k, h.escapeCode())));
  }
  return zeros == h.nZero && escapes == h.nEscape;
}

// Decodes a block of whole groups. The counts are validated first, so the group loop reads no
// stream past its end; escapes are range-checked as they are decoded. Blocks whose escapes could
// decode out of range (a header that allows it) go through an L1 scratch copy and reach `out`
// only once every escape checked out; all others are decoded straight into `out`.
template <class K, int kCodeBits>
const char* DecodeWindow(const uint8_t* src, uint32_t n, uint8_t* out) {
  using T = typename K::T;
  const CodecTraits t = codecTraits(sizeof(T) == 4 ? 7 : (K::kExtra ? 6 : 9));
  const BlockHeader h = loadBlockHeader(src);
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  const uint32_t fullGroups = n / kGroupElems;
  if (fullGroups != l.groups) return reference::decodeWindowBlock(t, src, n, out);
  if (!CountsMatch<kCodeBits>(src, h, l)) return "block zero or escape count does not match its code planes";
  const uint32_t k = kCodeBits >= 0 ? static_cast<uint32_t>(kCodeBits) : h.k();
  const uint32_t w = static_cast<uint32_t>(h.window());
  const bool checkEscapes = !escapesInRange(t, h);
  const hn::CappedTag<T, kGroupElems> d;
  const uint32_t lanes = static_cast<uint32_t>(hn::Lanes(d));
  const auto vBase = hn::Set(d, static_cast<T>(h.base));
  const uint8_t* resid = src + l.residOffset;
  const uint8_t* escStream = src + l.escOffset;
  const auto vEscBase = hn::Set(d, static_cast<T>(h.escBase));
  const auto vW = hn::Set(d, static_cast<T>(w));
  const auto vMaxExp = hn::Set(d, static_cast<T>(K::kMaxExp));
  const uint32_t escBits = h.escBits;
  alignas(64) T scratch[kBlockElems];
  T* y = checkEscapes ? scratch : reinterpret_cast<T*>(out);
  uint32_t coded = 0, escapes = 0;
  bool escapeOutOfRange = false;
  // A group with zero-coded lanes reads its residuals from this expanded copy (index = lane).
  alignas(64) uint8_t expanded[3 * kGroupElems];
  for (uint32_t g = 0; g < fullGroups; ++g) {
    const uint8_t* words = src + l.wordsOffset + 4u * l.wordsPerGroup * g;
    const uint32_t zeroLanes = h.hasZeroCode() ? lanesWithCode(words, k, h.zeroCode()) : 0u;
    const uint32_t escLanes = h.hasEscapeCode() ? lanesWithCode(words, k, h.escapeCode()) : 0u;
    const uint32_t groupCoded = kGroupElems - static_cast<uint32_t>(__builtin_popcount(zeroLanes));
    const uint32_t groupEscapes = static_cast<uint32_t>(__builtin_popcount(escLanes));
    // The group's escape values, one bit-plane per lane mask (scattered back from the fields).
    uint32_t escPlanes[8];
    for (uint32_t p = 0; p < escBits; ++p) {
      const uint32_t pos = (escapes * escBits) + p * groupEscapes;
      escPlanes[p] = ScatterBits(readBits(escStream, l.escBytes, pos, groupEscapes), escLanes);
    }
    const uint8_t* groupResid = resid;  // planes indexed [coded + lane] when there are no zeros
    uint32_t residStride = l.nCoded;    // distance between byte planes (fp32's u8 plane)
    uint32_t residBase = coded;
    if (zeroLanes != 0) {
      // Expand the group's compacted residuals to one per lane, 8 (or 4) lanes per bit deposit;
      // loads stop at the end of each plane.
      const uint32_t keep = ~zeroLanes;
      const uint32_t planeBytes = l.nCoded * (K::kResidualBytes == 1 ? 1u : 2u);
      uint32_t j = coded;
      for (uint32_t lane = 0; lane < kGroupElems; lane += 8) {
        const uint32_t m = (keep >> lane) & 0xFFu;
        if constexpr (K::kResidualBytes == 1) {
          const uint64_t e = ExpandLanes<1>(LoadUpTo8(resid + j, planeBytes - j), m);
          std::memcpy(expanded + lane, &e, 8);
        } else {
          const uint32_t m0 = m & 0xFu, m1 = m >> 4;
          const uint32_t j1 = j + static_cast<uint32_t>(__builtin_popcount(m0));
          const uint64_t lo0 = ExpandLanes<2>(LoadUpTo8(resid + 2 * j, planeBytes - 2 * j), m0);
          const uint64_t lo1 = ExpandLanes<2>(LoadUpTo8(resid + 2 * j1, planeBytes - 2 * j1), m1);
          const uint64_t hi = ExpandLanes<1>(LoadUpTo8(resid + planeBytes + j, l.nCoded - j), m);
          std::memcpy(expanded + 2 * lane, &lo0, 8);
          std::memcpy(expanded + 2 * lane + 8, &lo1, 8);
          std::memcpy(expanded + 2 * kGroupElems + lane, &hi, 8);
        }
        j += static_cast<uint32_t>(__builtin_popcount(m));
      }
      groupResid = expanded;
      residStride = kGroupElems;
      residBase = 0;
    }
    for (uint32_t off = 0; off < kGroupElems; off += lanes) {
      auto code = hn::Zero(d);
      for (uint32_t j = 0; j < k; ++j) {
        const auto bit = BitsToMask(d, loadLE32(words + 4 * j) >> off);
        code = hn::Or(code, hn::IfThenElseZero(bit, hn::Set(d, static_cast<T>(1u << j))));
      }
      auto e = hn::Add(code, vBase);
      if (escLanes != 0) {
        auto value = hn::Zero(d);
        for (uint32_t p = 0; p < escBits; ++p) {
          value = hn::Or(value,
                         hn::IfThenElseZero(BitsToMask(d, escPlanes[p] >> off), hn::Set(d, static_cast<T>(1u << p))));
        }
        const auto skipped = hn::Add(value, vEscBase);
        const auto escE = hn::IfThenElse(hn::Lt(skipped, vBase), skipped, hn::Add(skipped, vW));
        const auto isEsc = BitsToMask(d, escLanes >> off);
        escapeOutOfRange |= checkEscapes && !hn::AllFalse(d, hn::And(isEsc, hn::Gt(escE, vMaxExp)));
        e = hn::IfThenElse(isEsc, escE, e);
      }
      hn::Vec<decltype(d)> v;
      if constexpr (sizeof(T) == 2) {
        const hn::Rebind<uint8_t, decltype(d)> d8;
        const auto r = hn::PromoteTo(d, hn::LoadU(d8, groupResid + residBase + off));
        if constexpr (K::kExtra == 0) {  // bf16
          v = hn::Or(hn::Or(hn::ShiftLeft<7>(e), hn::And(r, hn::Set(d, T{0x7F}))),
                     hn::ShiftLeft<8>(hn::And(r, hn::Set(d, T{0x80}))));
        } else {  // fp16: residual bits 8-10 come from the extra planes
          v = hn::Or(hn::ShiftLeft<10>(e), r);
          v = hn::Or(v, hn::IfThenElseZero(BitsToMask(d, loadLE32(words + 4 * k) >> off), hn::Set(d, T{0x100})));
          v = hn::Or(v, hn::IfThenElseZero(BitsToMask(d, loadLE32(words + 4 * (k + 1)) >> off), hn::Set(d, T{0x200})));
          v = hn::Or(v, hn::IfThenElseZero(BitsToMask(d, loadLE32(words + 4 * (k + 2)) >> off), hn::Set(d, T{0x8000})));
        }
      } else {  // fp32
        const hn::Rebind<uint16_t, decltype(d)> d16;
        const hn::Rebind<uint8_t, decltype(d)> d8;
        const auto lo =
            hn::PromoteTo(d, hn::LoadU(d16, reinterpret_cast<const uint16_t*>(groupResid) + residBase + off));
        const auto hi = hn::PromoteTo(d, hn::LoadU(d8, groupResid + 2 * residStride + residBase + off));
        v = hn::Or(hn::Or(hn::ShiftLeft<23>(e), lo), hn::Or(hn::ShiftLeft<16>(hn::And(hi, hn::Set(d, 0x7Fu))),
                                                            hn::ShiftLeft<24>(hn::And(hi, hn::Set(d, 0x80u)))));
      }
      if (zeroLanes != 0) v = hn::IfThenZeroElse(BitsToMask(d, zeroLanes >> off), v);
      hn::StoreU(v, d, y + g * kGroupElems + off);
    }
    coded += groupCoded;
    escapes += groupEscapes;
  }
  if (escapeOutOfRange) return "block escape exponent out of range";
  if (checkEscapes) std::memcpy(out, y, static_cast<size_t>(n) * sizeof(T));
  return nullptr;
}

template <class K>
const char* DecodeWindowForK(const uint8_t* src, uint32_t n, uint8_t* out) {
  switch (src[0] & kBlockKMask) {
    case 0:
      return DecodeWindow<K, 0>(src, n, out);
    case 1:
      return DecodeWindow<K, 1>(src, n, out);
    case 2:
      return DecodeWindow<K, 2>(src, n, out);
    case 3:
      return DecodeWindow<K, 3>(src, n, out);
    case 4:
      return DecodeWindow<K, 4>(src, n, out);
    case 5:
      return DecodeWindow<K, 5>(src, n, out);
    default:
      return DecodeWindow<K, -1>(src, n, out);
  }
}

uint32_t EncodeBlockAny(int dtype, const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* next) {
  switch (dtype) {
    case 9:
      return EncodeBlock<Bf16Kind>(in, n, dst, next);
    case 6:
      return EncodeBlock<Fp16Kind>(in, n, dst, next);
    default:
      return EncodeBlock<Fp32Kind>(in, n, dst, next);
  }
}

const char* DecodeWindowAny(int dtype, const uint8_t* src, uint32_t n, uint8_t* out) {
  switch (dtype) {
    case 9:
      return DecodeWindowForK<Bf16Kind>(src, n, out);
    case 6:
      return DecodeWindowForK<Fp16Kind>(src, n, out);
    default:
      return DecodeWindowForK<Fp32Kind>(src, n, out);
  }
}

// hashBytes() with the 32 lane accumulators held in vectors.
uint32_t HashFast(const uint8_t* p, size_t nbytes) {
  const hn::CappedTag<uint32_t, kHashLanes> d;
  const size_t lanes = hn::Lanes(d);
  const size_t vecs = kHashLanes / lanes;
  alignas(64) uint32_t acc[kHashLanes];
  for (int l = 0; l < kHashLanes; ++l) acc[l] = hashLaneInit(l);
  const size_t chunkBytes = 4 * kHashLanes;
  const size_t chunks = nbytes / chunkBytes;
  if (chunks != 0) {
    hn::Vec<decltype(d)> a[kHashLanes];
    for (size_t v = 0; v < vecs; ++v) a[v] = hn::Load(d, acc + v * lanes);
    const auto p1 = hn::Set(d, kHashP1), p2 = hn::Set(d, kHashP2);
    for (size_t c = 0; c < chunks; ++c) {
      const uint32_t* words = reinterpret_cast<const uint32_t*>(p + c * chunkBytes);
      for (size_t v = 0; v < vecs; ++v) {
        const auto w = hn::LoadU(d, words + v * lanes);
        a[v] = hn::Mul(hn::RotateRight<32 - 13>(hn::Add(a[v], hn::Mul(w, p2))), p1);
      }
    }
    for (size_t v = 0; v < vecs; ++v) hn::Store(a[v], d, acc + v * lanes);
  }
  size_t done = chunks * chunkBytes;
  for (size_t i = 0; done + 4 * i < nbytes; ++i) {
    uint32_t w = 0;
    size_t at = done + 4 * i;
    std::memcpy(&w, p + at, nbytes - at < 4 ? nbytes - at : 4);
    acc[i] = hashLaneRound(acc[i], w);
  }
  return hashFinish(acc, nbytes);
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace zccl::codec::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace zccl::codec {

HWY_EXPORT(EncodeBlockAny);
HWY_EXPORT(DecodeWindowAny);
HWY_EXPORT(HashFast);
HWY_EXPORT(TargetName);

namespace {

int dtypeOf(const CodecTraits& t) { return t.elemBytes == 4 ? 7 : (t.extraPlanes ? 6 : 9); }

uint32_t fastEncodeBlock(const CodecTraits& t, const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* next) {
  return HWY_DYNAMIC_DISPATCH(EncodeBlockAny)(dtypeOf(t), in, n, dst, next);
}

const char* fastDecodeWindowBlock(const CodecTraits& t, const uint8_t* src, uint32_t n, uint8_t* out) {
  return HWY_DYNAMIC_DISPATCH(DecodeWindowAny)(dtypeOf(t), src, n, out);
}

uint32_t fastHash(const uint8_t* p, size_t nbytes) { return HWY_DYNAMIC_DISPATCH(HashFast)(p, nbytes); }

}  // namespace

const BlockCodec& fastBlockCodec() {
  static const BlockCodec codec = {"fast", fastEncodeBlock, fastDecodeWindowBlock, fastHash};
  return codec;
}

const char* fastCodecTarget() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace zccl::codec
#endif  // HWY_ONCE
