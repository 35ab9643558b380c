// fp8 <-> fp32 conversions (OCP FP8: e4m3fn with bias 7, no infinities, NaN = S.1111.111, largest
// finite 448; e5m2 with bias 15 and IEEE infinities and NaNs), round-to-nearest-even. Finite
// values beyond the largest finite one saturate to it (CUDA's __NV_SATFINITE); NaN stays NaN,
// e5m2 infinities stay infinite. Integer-only, so host and device give the same bits.
#pragma once

#include <cstdint>

#include "common/float16.h"
#include "common/host_device.h"

namespace zccl {

// Rounds |f| (bits u, sign removed) to a float of `mantBits` mantissa bits and exponent bias
// `bias` with subnormals, returning exponent << mantBits | mantissa before saturation.
ZCCL_HD uint32_t roundToSmallFloat(uint32_t u, int mantBits, int bias) {
  const int32_t exp = static_cast<int32_t>(u >> 23) - 127 + bias;
  const uint32_t mant = (u & 0x7FFFFFu) | 0x800000u;
  const uint32_t drop = 23u - static_cast<uint32_t>(mantBits);
  if (exp <= 0) {  // subnormal target
    const int32_t shift = static_cast<int32_t>(drop) + 1 - exp;
    if (shift > 25) return 0;
    const uint32_t half = 1u << (shift - 1);
    return (mant + half - 1 + ((mant >> shift) & 1u)) >> shift;
  }
  const uint32_t rounded = mant + (1u << (drop - 1)) - 1 + ((mant >> drop) & 1u);
  // A carry out of the mantissa increments the exponent field, which the addition does naturally.
  return (static_cast<uint32_t>(exp) << mantBits) + ((rounded >> drop) - (1u << mantBits));
}

ZCCL_HD uint8_t floatToFp8e4m3(float f) {
  const uint32_t u = floatBits(f), sign = (u >> 24) & 0x80u, absU = u & 0x7FFFFFFFu;
  if (absU > 0x7F800000u) return static_cast<uint8_t>(sign | 0x7F);   // NaN
  if (absU >= 0x7F800000u) return static_cast<uint8_t>(sign | 0x7E);  // inf saturates to 448
  const uint32_t v = roundToSmallFloat(absU, 3, 7);
  return static_cast<uint8_t>(sign | (v > 0x7Eu ? 0x7Eu : v));
}

ZCCL_HD uint8_t floatToFp8e5m2(float f) {
  const uint32_t u = floatBits(f), sign = (u >> 24) & 0x80u, absU = u & 0x7FFFFFFFu;
  if (absU > 0x7F800000u) return static_cast<uint8_t>(sign | 0x7E);   // NaN
  if (absU == 0x7F800000u) return static_cast<uint8_t>(sign | 0x7C);  // inf
  const uint32_t v = roundToSmallFloat(absU, 2, 15);
  return static_cast<uint8_t>(sign | (v > 0x7Bu ? 0x7Bu : v));  // saturate to 57344
}

ZCCL_HD float fp8e4m3ToFloat(uint8_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x80u) << 24, exp = (h >> 3) & 0xFu, mant = h & 0x7u;
  if (exp == 0xF && mant == 0x7) return bitsFloat(sign | 0x7FC00000u);
  if (exp == 0) {
    const float v = static_cast<float>(mant) * (1.0f / 512.0f);  // mant * 2^-9
    return sign ? -v : v;
  }
  return bitsFloat(sign | ((exp + 120u) << 23) | (mant << 20));
}

ZCCL_HD float fp8e5m2ToFloat(uint8_t h) { return fp16ToFloat(static_cast<uint16_t>(h) << 8); }

}  // namespace zccl
