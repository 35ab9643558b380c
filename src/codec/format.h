// Format v1 in code: constants, the frame header, the block header and the layout arithmetic that
// docs/format.md defines. Everything here is ZCCL_HD: the CPU codecs, the CUDA kernels and the
// host emulation of the kernels compute sizes and offsets with these same functions.
#pragma once

#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/hash.h"
#include "common/host_device.h"

namespace zccl::codec {

constexpr uint32_t kFrameMagic = 0x3146435Au;  // "ZCF1" in little-endian byte order
constexpr uint8_t kFormatVersion = 1;
constexpr uint32_t kBlockLog2 = 12;
constexpr uint32_t kBlockElems = 1u << kBlockLog2;  // 4096 elements per block
constexpr uint32_t kGroupElems = 32;                // one u32 word per bit-plane per group
constexpr uint32_t kFrameHeaderBytes = 32;
constexpr uint32_t kBlockHeaderBytes = 8;
// Largest block a v1 frame can hold: a raw block of 4096 elements of 4 bytes plus its header.
constexpr uint32_t kMaxBlockBytes = kBlockHeaderBytes + kBlockElems * 4;
// Largest frame payload (table + blocks) addressable by the u32 block-end table.
constexpr uint64_t kMaxFramePayloadBytes = 0xFFFFFFFFull;

enum FrameMode : uint8_t { kModeStored = 0, kModeWindow = 1 };
constexpr uint8_t kFlagChecksum = 1u << 0;

// Block header byte 0.
constexpr uint8_t kBlockKMask = 0x0F;
constexpr uint8_t kBlockZeroCode = 1u << 4;
constexpr uint8_t kBlockEscapeCode = 1u << 5;
constexpr uint8_t kBlockReservedBit = 1u << 6;
constexpr uint8_t kBlockRaw = 1u << 7;

ZCCL_HD uint32_t pad4(uint32_t n) { return (n + 3u) & ~3u; }
ZCCL_HD uint64_t pad4(uint64_t n) { return (n + 3u) & ~uint64_t{3}; }
ZCCL_HD uint64_t numBlocks(uint64_t count) { return (count + kBlockElems - 1) / kBlockElems; }
ZCCL_HD uint32_t blockElems(uint64_t count, uint64_t block) {
  uint64_t left = count - block * kBlockElems;
  return left < kBlockElems ? static_cast<uint32_t>(left) : kBlockElems;
}
ZCCL_HD uint32_t numGroups(uint32_t n) { return (n + kGroupElems - 1) / kGroupElems; }

// ---------------------------------------------------------------------------------------------
// Frame header: 32 bytes, little-endian.
//   0 u32 magic   4 u8 version   5 u8 dtype   6 u8 mode   7 u8 flags
//   8 u64 count   16 u64 frameBytes   24 u8 blockLog2   25..27 reserved (0)
//  28 u32 headerCheck = hashBytes(bytes 0..27)
struct FrameHeader {
  uint32_t magic;
  uint8_t version;
  uint8_t dtype;
  uint8_t mode;
  uint8_t flags;
  uint64_t count;
  uint64_t frameBytes;
  uint8_t blockLog2;
  uint8_t reserved[3];
  uint32_t headerCheck;
};
static_assert(sizeof(FrameHeader) == kFrameHeaderBytes, "frame header is 32 bytes on the wire");

ZCCL_HD void storeFrameHeader(uint8_t* dst, uint8_t dtype, uint8_t mode, uint8_t flags, uint64_t count,
                              uint64_t frameBytes) {
  storeLE32(dst, kFrameMagic);
  dst[4] = kFormatVersion;
  dst[5] = dtype;
  dst[6] = mode;
  dst[7] = flags;
  storeLE64(dst + 8, count);
  storeLE64(dst + 16, frameBytes);
  dst[24] = static_cast<uint8_t>(kBlockLog2);
  dst[25] = dst[26] = dst[27] = 0;
  storeLE32(dst + 28, hashBytes(dst, 28));
}

ZCCL_HD FrameHeader loadFrameHeader(const uint8_t* src) {
  FrameHeader h;
  h.magic = loadLE32(src);
  h.version = src[4];
  h.dtype = src[5];
  h.mode = src[6];
  h.flags = src[7];
  h.count = loadLE64(src + 8);
  h.frameBytes = loadLE64(src + 16);
  h.blockLog2 = src[24];
  h.reserved[0] = src[25];
  h.reserved[1] = src[26];
  h.reserved[2] = src[27];
  h.headerCheck = loadLE32(src + 28);
  return h;
}

// Bytes of the per-block tables after the header: block ends (window mode) and checksums.
ZCCL_HD uint64_t frameTableBytes(uint8_t mode, uint8_t flags, uint64_t count) {
  uint64_t perBlock = (mode == kModeWindow ? 4u : 0u) + ((flags & kFlagChecksum) ? 4u : 0u);
  return perBlock * numBlocks(count);
}

// Size of a stored frame.
ZCCL_HD uint64_t storedFrameBytes(const CodecTraits& t, uint64_t count, uint8_t flags) {
  return kFrameHeaderBytes + frameTableBytes(kModeStored, flags, count) + pad4(count * t.elemBytes);
}

// ---------------------------------------------------------------------------------------------
// Block header: 8 bytes.
//   0 u8 k | zero-code flag << 4 | escape-code flag << 5 | raw << 7     1 u8 base
//   2 u8 escBase   3 u8 escBits   4 u16 nEscape   6 u16 nZero
struct BlockHeader {
  uint8_t kind;
  uint8_t base;
  uint8_t escBase;
  uint8_t escBits;
  uint16_t nEscape;
  uint16_t nZero;

  ZCCL_HD bool raw() const { return (kind & kBlockRaw) != 0; }
  ZCCL_HD uint32_t k() const { return kind & kBlockKMask; }
  ZCCL_HD uint32_t hasZeroCode() const { return (kind & kBlockZeroCode) ? 1u : 0u; }
  ZCCL_HD uint32_t hasEscapeCode() const { return (kind & kBlockEscapeCode) ? 1u : 0u; }
  // Window width w: codes 0..w-1 are exponents base..base+w-1, code w is the escape (if any),
  // the next code is +0.0 (if any). Negative in a malformed header.
  ZCCL_HD int32_t window() const {
    return (1 << static_cast<int>(k())) - static_cast<int32_t>(hasZeroCode()) - static_cast<int32_t>(hasEscapeCode());
  }
  ZCCL_HD uint32_t escapeCode() const { return static_cast<uint32_t>(window()); }
  ZCCL_HD uint32_t zeroCode() const { return static_cast<uint32_t>(window()) + hasEscapeCode(); }
};
static_assert(sizeof(BlockHeader) == kBlockHeaderBytes, "block header is 8 bytes on the wire");

ZCCL_HD void storeBlockHeader(uint8_t* dst, const BlockHeader& h) {
  dst[0] = h.kind;
  dst[1] = h.base;
  dst[2] = h.escBase;
  dst[3] = h.escBits;
  storeLE16(dst + 4, h.nEscape);
  storeLE16(dst + 6, h.nZero);
}

ZCCL_HD BlockHeader loadBlockHeader(const uint8_t* src) {
  BlockHeader h;
  h.kind = src[0];
  h.base = src[1];
  h.escBase = src[2];
  h.escBits = src[3];
  h.nEscape = loadLE16(src + 4);
  h.nZero = loadLE16(src + 6);
  return h;
}

// Offsets inside a window block of n elements (see docs/format.md, "Window block").
struct WindowLayout {
  uint32_t groups;         // ceil(n / 32)
  uint32_t wordsPerGroup;  // k + extra residual bit-planes
  uint32_t wordsOffset;    // group words start (after the header)
  uint32_t residOffset;    // residual planes start
  uint32_t nCoded;         // elements with a residual (all but the zero-coded ones)
  uint32_t escOffset;      // escape stream start
  uint32_t escBytes;       // ceil(nEscape * escBits / 8)
  uint32_t bytes;          // whole block, padded to 4
};

ZCCL_HD WindowLayout windowLayout(const CodecTraits& t, uint32_t n, uint32_t k, uint32_t nZero, uint32_t nEscape,
                                  uint32_t escBits) {
  WindowLayout l;
  l.groups = numGroups(n);
  l.wordsPerGroup = k + t.extraPlanes;
  l.wordsOffset = kBlockHeaderBytes;
  l.residOffset = l.wordsOffset + 4u * l.groups * l.wordsPerGroup;
  l.nCoded = n - nZero;
  l.escOffset = l.residOffset + l.nCoded * t.residualBytes;
  l.escBytes = (nEscape * escBits + 7u) / 8u;
  l.bytes = pad4(l.escOffset + l.escBytes);
  return l;
}

ZCCL_HD uint32_t rawBlockBytes(const CodecTraits& t, uint32_t n) { return pad4(kBlockHeaderBytes + n * t.elemBytes); }

// Field helpers: split an element into exponent and residual, and join them back.
ZCCL_HD uint32_t exponentOf(const CodecTraits& t, uint32_t x) { return (x >> t.mantBits) & t.maxExp(); }
ZCCL_HD uint32_t residualOf(const CodecTraits& t, uint32_t x) {
  uint32_t signBit = 8u * t.elemBytes - 1u;
  return ((x >> signBit) << t.mantBits) | (x & ((1u << t.mantBits) - 1u));
}
ZCCL_HD uint32_t joinElement(const CodecTraits& t, uint32_t exponent, uint32_t residual) {
  uint32_t signBit = 8u * t.elemBytes - 1u;
  return ((residual >> t.mantBits) << signBit) | (exponent << t.mantBits) | (residual & ((1u << t.mantBits) - 1u));
}

// Escape values live in "gap-skipped" exponent space: exponents above the window move down by
// w, so escapes on both sides of the window form one dense range starting at escBase.
ZCCL_HD uint32_t escapeSkipped(uint32_t e, uint32_t base, uint32_t w) { return e < base ? e : e - w; }
ZCCL_HD uint32_t escapeExponent(uint32_t skipped, uint32_t base, uint32_t w) {
  return skipped < base ? skipped : skipped + w;
}
// Number of bits needed to write v (0 for v == 0).
ZCCL_HD uint32_t bitWidth(uint32_t v) {
#if defined(__CUDA_ARCH__)
  return 32u - static_cast<uint32_t>(__clz(v));
#else
  return v == 0 ? 0u : 32u - static_cast<uint32_t>(__builtin_clz(v));
#endif
}

}  // namespace zccl::codec

namespace zccl::codec {

// The escape stream holds, for each group in order, escBits fields of c bits each (c: the
// group's escapes), field p holding bit p of the group's escape values in element order. Group g
// starts at bit escBits * (escapes before g). Bits are LSB-first within bytes.

// Reads `bits` (<= 32) bits at bit position `pos` of a stream of `streamBytes` bytes, never
// reading past the stream.
ZCCL_HD uint32_t readBits(const uint8_t* stream, uint32_t streamBytes, uint32_t pos, uint32_t bits) {
  if (bits == 0) return 0;
  const uint32_t byte = pos >> 3;
  uint64_t v = 0;
  if (byte + 8 <= streamBytes) {
    v = loadLE64(stream + byte);
  } else {
    for (uint32_t i = 0; byte + i < streamBytes && i < 8; ++i) v |= static_cast<uint64_t>(stream[byte + i]) << (8 * i);
  }
  return static_cast<uint32_t>((v >> (pos & 7u)) & ((uint64_t{1} << bits) - 1u));
}

// Escape value of the j-th escaped element of a group whose fields start at bit `groupPos` and
// hold c escapes each.
ZCCL_HD uint32_t escapeValue(const uint8_t* stream, uint32_t streamBytes, uint32_t escBits, uint32_t groupPos,
                             uint32_t c, uint32_t j) {
  uint32_t v = 0;
  for (uint32_t p = 0; p < escBits; ++p) v |= readBits(stream, streamBytes, groupPos + p * c + j, 1) << p;
  return v;
}

// Bits set for the lanes of a group whose k-bit code equals `code` (words: the k code planes).
ZCCL_HD uint32_t lanesWithCode(const uint8_t* words, uint32_t k, uint32_t code) {
  uint32_t mask = ~0u;
  for (uint32_t j = 0; j < k; ++j) {
    uint32_t plane = loadLE32(words + 4 * j);
    mask &= ((code >> j) & 1u) ? plane : ~plane;
  }
  return mask;
}

// Lanes of group g that hold elements of a block of n elements.
ZCCL_HD uint32_t validLanes(uint32_t n, uint32_t g) {
  uint32_t left = n - g * kGroupElems;
  return left >= kGroupElems ? ~0u : ((1u << left) - 1u);
}

}  // namespace zccl::codec
