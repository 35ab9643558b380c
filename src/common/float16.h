// Bit-exact conversions between fp32 and the 16-bit float formats, round-to-nearest-even (the
// rounding of torch.Tensor.to() and of CUDA's __float2bfloat16_rn / __float2half_rn), written with
// integer operations only so that the CPU collectives, the CUDA kernels and their host emulation
// round identically. NaNs stay NaN (quieted, sign and top payload bits kept).
#pragma once

#include <cstdint>
#include <cstring>

#include "common/host_device.h"

namespace zccl {

ZCCL_HD uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

ZCCL_HD float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

ZCCL_HD uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

ZCCL_HD float bf16ToFloat(uint16_t h) { return bitsFloat(static_cast<uint32_t>(h) << 16); }

ZCCL_HD uint16_t floatToFp16(float f) {
  const uint32_t u = floatBits(f);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t absU = u & 0x7FFFFFFFu;
  if (absU > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u | ((absU >> 13) & 0x3FFu));  // NaN
  if (absU >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);                           // rounds to infinity
  int32_t exp = static_cast<int32_t>(absU >> 23) - 127 + 15;
  uint32_t mant = (absU & 0x7FFFFFu) | 0x800000u;
  if (exp <= 0) {  // subnormal or zero in fp16
    if (exp < -10) return static_cast<uint16_t>(sign);
    const uint32_t shift = static_cast<uint32_t>(14 - exp);
    const uint32_t half = 1u << (shift - 1);
    return static_cast<uint16_t>(sign | ((mant + half - 1 + ((mant >> shift) & 1u)) >> shift));
  }
  uint32_t rounded = mant + 0xFFFu + ((mant >> 13) & 1u);
  if (rounded & 0x1000000u) {
    rounded >>= 1;
    ++exp;
  }
  return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | ((rounded >> 13) & 0x3FFu));
}

ZCCL_HD float fp16ToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return bitsFloat(sign | 0x7F800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return bitsFloat(sign);
    const float v = static_cast<float>(mant) * (1.0f / 16777216.0f);  // mant * 2^-24, exact
    return sign ? -v : v;
  }
  return bitsFloat(sign | ((exp + 112u) << 23) | (mant << 13));
}

}  // namespace zccl
