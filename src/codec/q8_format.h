// The 8-bit block-scaled frame ("Q8", docs/format.md section 10) in code: constants, the frame
// header, its validation, and the element steps of quantizing and dequantizing. Lossy, opt-in
// (8-bit reductions only); it has a magic of its own so that no lossless decoder ever takes it
// for a format v1 frame, and vice versa.
//
// A frame holds `count` elements cut into blocks of 128; block b has one u32 scale word and 128
// signed 8-bit codes. The scale word is the fp32 step s = m / L (m: the largest finite |x| of
// the block, L = 127), with bit 31 set when the block holds a NaN or an infinity: such a block
// uses L = 126 and the codes -128 (NaN), +127 (+inf) and -127 (-inf). An element's value is
// code * s, rounded once in fp32.
//
// Everything here is ZCCL_HD: the CPU quantizers (reference and SIMD), the CUDA kernels and their
// host emulation share these steps, which is what makes their frames byte-identical. Each step is
// a single IEEE operation in a fixed order (the division and the product explicitly rounded to
// nearest on the GPU, never fused into an FMA), so that every implementation rounds the same way.
#pragma once

#include <cmath>
#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/hash.h"
#include "common/float16.h"
#include "common/host_device.h"

namespace zccl::codec {

constexpr uint32_t kQ8Magic = 0x3151435Au;  // "ZCQ1" in little-endian byte order
constexpr uint8_t kQ8Version = 1;
constexpr uint32_t kQ8BlockLog2 = 7;
constexpr uint32_t kQ8BlockElems = 1u << kQ8BlockLog2;  // 128 elements per block
constexpr uint32_t kQ8HeaderBytes = 32;
constexpr uint32_t kQ8SpecialFlag = 0x80000000u;  // scale word: the block holds NaN or inf
constexpr int kQ8Levels = 127;                    // |code| of a finite element, normal block
constexpr int kQ8LevelsSpecial = 126;             // ... in a block holding NaN or inf
constexpr int kQ8CodeNaN = -128;
constexpr int kQ8CodePosInf = 127;
constexpr int kQ8CodeNegInf = -127;
constexpr uint64_t kQ8MaxCount = uint64_t{1} << 56;

ZCCL_HD uint64_t q8NumBlocks(uint64_t count) { return (count + kQ8BlockElems - 1) / kQ8BlockElems; }
ZCCL_HD uint64_t q8CodesOffset(uint64_t count) { return kQ8HeaderBytes + 4 * q8NumBlocks(count); }
// Size of a Q8 frame: it depends on the count alone (a receiver knows it in advance).
ZCCL_HD uint64_t q8FrameBytes(uint64_t count) { return (q8CodesOffset(count) + count + 3) & ~uint64_t{3}; }
ZCCL_HD bool q8Dtype(int dtype) { return dtype == 6 || dtype == 7 || dtype == 9; }  // fp16, fp32, bf16

// Frame header, 32 bytes: 0 u32 magic, 4 u8 version, 5 u8 dtype, 6 u8 blockLog2, 7 u8 flags (0),
// 8 u64 count, 16 u64 frameBytes, 24 u32 reserved (0), 28 u32 hash(bytes 0..27).
ZCCL_HD void storeQ8Header(uint8_t* dst, int dtype, uint64_t count) {
  storeLE32(dst, kQ8Magic);
  dst[4] = kQ8Version;
  dst[5] = static_cast<uint8_t>(dtype);
  dst[6] = static_cast<uint8_t>(kQ8BlockLog2);
  dst[7] = 0;
  storeLE64(dst + 8, count);
  storeLE64(dst + 16, q8FrameBytes(count));
  storeLE32(dst + 24, 0);
  storeLE32(dst + 28, hashBytes(dst, 28));
}

// nullptr if the header at src is a valid Q8 header of a frame of `dtype` holding `count`
// elements that fits in `avail` bytes, else the reason.
ZCCL_HD const char* validateQ8Header(const uint8_t* src, uint64_t avail, int dtype, uint64_t count) {
  if (avail < kQ8HeaderBytes) return "truncated 8-bit frame: shorter than its 32-byte header";
  if (loadLE32(src) != kQ8Magic) return "not an 8-bit frame (bad magic)";
  if (loadLE32(src + 28) != hashBytes(src, 28)) return "8-bit frame header checksum mismatch";
  if (src[4] != kQ8Version) return "unsupported 8-bit frame version";
  if (src[6] != kQ8BlockLog2 || src[7] != 0 || loadLE32(src + 24) != 0)
    return "8-bit frame header has an unsupported block size, flags or reserved bits";
  if (src[5] != dtype) return "8-bit frame holds another dtype than expected";
  const uint64_t n = loadLE64(src + 8);
  if (n != count || n > kQ8MaxCount) return "8-bit frame holds another element count than expected";
  if (loadLE64(src + 16) != q8FrameBytes(n)) return "8-bit frame size does not match its element count";
  if (q8FrameBytes(n) > avail) return "truncated 8-bit frame: its header claims more bytes than are available";
  return nullptr;
}

// ---- element steps ------------------------------------------------------------------------

ZCCL_HD bool q8Finite(float x) { return (floatBits(x) & 0x7FFFFFFFu) < 0x7F800000u; }
ZCCL_HD float q8AbsOf(float x) { return bitsFloat(floatBits(x) & 0x7FFFFFFFu); }

ZCCL_HD float q8Div(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
ZCCL_HD float q8Mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
ZCCL_HD float q8Add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
// Round to the nearest integer, ties to even (the default rounding mode on the host).
ZCCL_HD float q8RoundEven(float x) {
#if defined(__CUDA_ARCH__)
  return rintf(x);
#else
  return std::nearbyint(x);
#endif
}
ZCCL_HD float q8Floor(float x) {
#if defined(__CUDA_ARCH__)
  return floorf(x);
#else
  return std::floor(x);
#endif
}

// Scale word of a block whose largest finite |x| is maxAbs (a non-negative finite float).
ZCCL_HD uint32_t q8ScaleWord(float maxAbs, bool special) {
  const float s = q8Div(maxAbs, static_cast<float>(special ? kQ8LevelsSpecial : kQ8Levels));
  return floatBits(s) | (special ? kQ8SpecialFlag : 0u);
}
ZCCL_HD float q8Step(uint32_t scaleWord) { return bitsFloat(scaleWord & ~kQ8SpecialFlag); }
ZCCL_HD bool q8Special(uint32_t scaleWord) { return (scaleWord & kQ8SpecialFlag) != 0; }
// A scale word a reader accepts: a non-negative finite step, with or without the special bit.
ZCCL_HD bool q8ValidScaleWord(uint32_t w) { return (w & ~kQ8SpecialFlag) < 0x7F800000u; }

// Uniform dither in [0, 1) of element `index` of stream `seed` (stochastic rounding): splitmix64's
// finaliser, top 24 bits.
ZCCL_HD float q8Dither(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(static_cast<uint32_t>(z >> 40)) * (1.0f / 16777216.0f);
}

// Code of element x of a block with scale word w. Finite x: round(x / s) to nearest even (or,
// with stochastic rounding, floor(x / s + dither)), clamped to +-L; a step of 0 (a block of
// zeros, or one whose largest |x| is below about 2^-142) gives 0. NaN and inf: their codes.
ZCCL_HD int q8Code(float x, uint32_t w, bool stochastic, float dither) {
  if (!q8Finite(x)) return x != x ? kQ8CodeNaN : (x > 0 ? kQ8CodePosInf : kQ8CodeNegInf);
  const float s = q8Step(w);
  if (s == 0.0f) return 0;
  const float levels = static_cast<float>(q8Special(w) ? kQ8LevelsSpecial : kQ8Levels);
  const float r = q8Div(x, s);
  float q = stochastic ? q8Floor(q8Add(r, dither)) : q8RoundEven(r);
  q = q > levels ? levels : q < -levels ? -levels : q;
  return static_cast<int>(q);
}

// Value of a code under scale word w; false for a code a valid frame never holds (-128 in a
// block without specials).
ZCCL_HD bool q8Value(int code, uint32_t w, float* value) {
  if (q8Special(w)) {
    if (code == kQ8CodeNaN) {
      *value = bitsFloat(0x7FC00000u);
      return true;
    }
    if (code == kQ8CodePosInf || code == kQ8CodeNegInf) {
      *value = bitsFloat(code > 0 ? 0x7F800000u : 0xFF800000u);
      return true;
    }
  } else if (code == kQ8CodeNaN) {
    return false;
  }
  *value = q8Mul(static_cast<float>(code), q8Step(w));
  return true;
}

}  // namespace zccl::codec
