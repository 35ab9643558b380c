// Bit-exact conversions between fp32 and the 16-bit float formats, round-to-nearest-even, the
// same rounding torch.Tensor.to() uses. Used to build test and benchmark payloads.
#pragma once

#include <cstdint>
#include <cstring>

namespace zccl::data {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

inline float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

inline float bf16ToFloat(uint16_t h) { return bitsFloat(static_cast<uint32_t>(h) << 16); }

inline uint16_t floatToFp16(float f) {
  uint32_t u = floatBits(f);
  uint32_t sign = (u >> 16) & 0x8000u;
  uint32_t absU = u & 0x7FFFFFFFu;
  if (absU > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);   // NaN
  if (absU >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // overflow (after rounding) -> inf
  int32_t exp = static_cast<int32_t>(absU >> 23) - 127 + 15;
  uint32_t mant = (absU & 0x7FFFFFu) | 0x800000u;
  if (exp <= 0) {  // subnormal or zero in fp16
    if (exp < -10) return static_cast<uint16_t>(sign);
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = 1u << (shift - 1);
    uint32_t rounded = (mant + half - 1 + ((mant >> shift) & 1u)) >> shift;
    return static_cast<uint16_t>(sign | rounded);
  }
  uint32_t rounded = mant + 0xFFFu + ((mant >> 13) & 1u);
  if (rounded & 0x1000000u) {
    rounded >>= 1;
    ++exp;
  }
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | ((rounded >> 13) & 0x3FFu));
}

inline float fp16ToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return bitsFloat(sign | 0x7F800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return bitsFloat(sign);
    float v = static_cast<float>(mant) * (1.0f / 16777216.0f);  // mant * 2^-24
    return sign ? -v : v;
  }
  return bitsFloat(sign | ((exp + 112u) << 23) | (mant << 13));
}

}  // namespace zccl::data
