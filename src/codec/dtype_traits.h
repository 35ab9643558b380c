// Per-dtype facts the codec needs, shared by the CPU codecs and the CUDA kernels.
//
// A coded float of W bits is split into its exponent field (E bits, coded) and its "residual":
// the sign bit followed by the M mantissa bits, r = sign << M | mantissa (W - E bits, stored raw).
// The residual is stored in byte-wide planes (bf16: one u8; fp16: one u8 holding mantissa bits
// 0-7; fp32: one u16 holding bits 0-15 and one u8 holding bits 16-23) and, for fp16, three
// bit-planes holding residual bits 8-10 (mantissa bits 8-9 and the sign).
#pragma once

#include <cstdint>
#include <cstring>

#include "common/dtype_size.h"
#include "common/host_device.h"

namespace zccl::codec {

struct CodecTraits {
  uint8_t elemBytes;      // W / 8; 0 marks an unknown dtype
  uint8_t expBits;        // E; 0 for types stored raw
  uint8_t mantBits;       // M
  uint8_t residualBytes;  // bytes of residual in byte-wide planes (sum of plane widths)
  uint8_t extraPlanes;    // residual bits stored as bit-planes beside the code planes
  uint8_t maxCodeBits;    // largest k a block may use (= E: 2^E codes cover every exponent)

  ZCCL_HD constexpr bool coded() const { return expBits != 0; }
  ZCCL_HD uint32_t maxExp() const { return (1u << expBits) - 1u; }
};

// dtype is a zcclDataType_t value.
ZCCL_HD constexpr CodecTraits codecTraits(int dtype) {
  switch (dtype) {
    case 0:   // int8
    case 1:   // uint8
    case 10:  // fp8 e4m3
    case 11:  // fp8 e5m2
      return {1, 0, 0, 0, 0, 0};
    case 2:  // int32
    case 3:  // uint32
      return {4, 0, 0, 0, 0, 0};
    case 4:  // int64
    case 5:  // uint64
    case 8:  // fp64
      return {8, 0, 0, 0, 0, 0};
    case 6:  // fp16: 1 sign, 5 exponent, 10 mantissa
      return {2, 5, 10, 1, 3, 5};
    case 7:  // fp32: 1 sign, 8 exponent, 23 mantissa
      return {4, 8, 23, 3, 0, 8};
    case 9:  // bf16: 1 sign, 8 exponent, 7 mantissa
      return {2, 8, 7, 1, 0, 8};
    default:
      return {0, 0, 0, 0, 0, 0};
  }
}

// The codec's element sizes are the ones every other layer uses (common/dtype_size.h).
constexpr bool elementSizesAgree() {
  for (int d = 0; d <= 12; ++d) {
    if (codecTraits(d).elemBytes != dtypeBytes(d)) return false;
  }
  return true;
}
static_assert(elementSizesAgree(), "codecTraits and dtypeBytes disagree on an element size");

// Little-endian loads and stores of unaligned bytes (the format is little-endian throughout). On
// a little-endian host they are plain unaligned accesses (memcpy); elsewhere, and in device code,
// they are assembled byte by byte.
#if !defined(__CUDA_ARCH__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ZCCL_HOST_LITTLE_ENDIAN 1
#endif

template <typename U>
ZCCL_HD U loadLE(const uint8_t* p) {
#ifdef ZCCL_HOST_LITTLE_ENDIAN
  U v;
  std::memcpy(&v, p, sizeof(U));
  return v;
#else
  U v = 0;
  for (unsigned i = 0; i < sizeof(U); ++i) v |= static_cast<U>(static_cast<U>(p[i]) << (8 * i));
  return v;
#endif
}

template <typename U>
ZCCL_HD void storeLE(uint8_t* p, U v) {
#ifdef ZCCL_HOST_LITTLE_ENDIAN
  std::memcpy(p, &v, sizeof(U));
#else
  for (unsigned i = 0; i < sizeof(U); ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
#endif
}

ZCCL_HD uint16_t loadLE16(const uint8_t* p) { return loadLE<uint16_t>(p); }
ZCCL_HD uint32_t loadLE32(const uint8_t* p) { return loadLE<uint32_t>(p); }
ZCCL_HD uint64_t loadLE64(const uint8_t* p) { return loadLE<uint64_t>(p); }
ZCCL_HD void storeLE16(uint8_t* p, uint16_t v) { storeLE<uint16_t>(p, v); }
ZCCL_HD void storeLE32(uint8_t* p, uint32_t v) { storeLE<uint32_t>(p, v); }
ZCCL_HD void storeLE64(uint8_t* p, uint64_t v) { storeLE<uint64_t>(p, v); }

// The element at p of a little-endian array of elemBytes-wide elements (2 or 4), zero-extended,
// and its store.
ZCCL_HD uint32_t loadElement(const uint8_t* p, uint32_t elemBytes) {
  return elemBytes == 2 ? loadLE16(p) : loadLE32(p);
}
ZCCL_HD void storeElement(uint8_t* p, uint32_t elemBytes, uint32_t x) {
  if (elemBytes == 2) {
    storeLE16(p, static_cast<uint16_t>(x));
  } else {
    storeLE32(p, x);
  }
}

// The byte-wide residual planes of compacted element j of a block's nCoded (see the top).
ZCCL_HD void putResidual(const CodecTraits& t, uint8_t* planes, uint32_t nCoded, uint32_t j, uint32_t r) {
  if (t.residualBytes == 1) {
    planes[j] = static_cast<uint8_t>(r);
  } else {  // fp32: a u16 plane of bits 0-15, then a u8 plane of bits 16-23
    storeLE16(planes + 2 * j, static_cast<uint16_t>(r));
    planes[2 * nCoded + j] = static_cast<uint8_t>(r >> 16);
  }
}
ZCCL_HD uint32_t getResidual(const CodecTraits& t, const uint8_t* planes, uint32_t nCoded, uint32_t j) {
  if (t.residualBytes == 1) return planes[j];
  return loadLE16(planes + 2 * j) | (static_cast<uint32_t>(planes[2 * nCoded + j]) << 16);
}

}  // namespace zccl::codec
