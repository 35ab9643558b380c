// Validation of one block (docs/format.md, "Decoder obligations"), in two steps: the header
// against the block's size (done by the frame layer for every block) and the contents against the
// header (done by each decoder before, or while, it decodes). A block that passes both cannot
// make a decoder read outside its bytes or produce an exponent outside the dtype's range.
// Corruption that keeps a block well-formed (a flipped mantissa bit) is caught only by the
// optional checksum.
#pragma once

#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/format.h"
#include "common/host_device.h"

namespace zccl::codec {

// Header checks: returns nullptr if the header of the block of `len` bytes coding n elements is
// consistent with its size and the dtype, else the reason. A raw block is then fully valid.
ZCCL_HD const char* validateBlockHeader(const CodecTraits& t, const uint8_t* src, uint32_t len, uint32_t n) {
  if (len < kBlockHeaderBytes) return "block shorter than its header";
  const BlockHeader h = loadBlockHeader(src);
  if (h.raw()) {
    if (h.kind != kBlockRaw || h.base != 0 || h.escBase != 0 || h.escBits != 0 || h.nEscape != 0 || h.nZero != 0)
      return "raw block header has nonzero fields";
    return len == rawBlockBytes(t, n) ? nullptr : "raw block size does not match its element count";
  }
  if (h.kind & kBlockReservedBit) return "block header reserved bit set";
  if (h.k() > t.maxCodeBits) return "block code width exceeds the dtype's exponent width";
  const int32_t w = h.window();
  if (w < 0) return "block reserves more codes than it has";
  if (w > 0 && h.base + static_cast<uint32_t>(w) - 1 > t.maxExp()) return "block window exceeds the exponent range";
  if (w == 0 && h.base != 0) return "block without window has a nonzero base";
  if (!h.hasEscapeCode() && (h.nEscape != 0 || h.escBits != 0 || h.escBase != 0))
    return "block without escape code has escape fields";
  if (h.nEscape == 0 && (h.escBits != 0 || h.escBase != 0)) return "block without escapes has escape fields";
  if (h.escBits > 8) return "block escape width exceeds 8 bits";
  if (!h.hasZeroCode() && h.nZero != 0) return "block without zero code counts zeros";
  if (static_cast<uint32_t>(h.nZero) + h.nEscape > n) return "block counts exceed its element count";
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  if (len != l.bytes) return "block size does not match its header";
  return nullptr;
}

// True if no escape value the header allows can decode past the dtype's largest exponent, so
// decoders need not check escapes one by one.
ZCCL_HD bool escapesInRange(const CodecTraits& t, const BlockHeader& h) {
  if (h.nEscape == 0) return true;
  const uint32_t maxSkipped = h.escBase + (1u << h.escBits) - 1u;
  return escapeExponent(maxSkipped, h.base, static_cast<uint32_t>(h.window())) <= t.maxExp();
}

// Content checks of a window block whose header passed validateBlockHeader: the code planes hold
// exactly nZero zero codes and nEscape escape codes, and every escape decodes to an exponent of
// the dtype. Returns nullptr or the reason.
ZCCL_HD const char* validateBlockContents(const CodecTraits& t, const uint8_t* src, uint32_t n) {
  const BlockHeader h = loadBlockHeader(src);
  const int32_t w = h.window();
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  uint32_t zeros = 0, escapes = 0;
  for (uint32_t g = 0; g < l.groups; ++g) {
    const uint8_t* words = src + l.wordsOffset + 4u * l.wordsPerGroup * g;
    uint32_t valid = validLanes(n, g);
    if (h.hasZeroCode()) zeros += zcclPopcount32(lanesWithCode(words, h.k(), h.zeroCode()) & valid);
    if (h.hasEscapeCode()) escapes += zcclPopcount32(lanesWithCode(words, h.k(), h.escapeCode()) & valid);
  }
  if (zeros != h.nZero) return "block zero count does not match its code planes";
  if (escapes != h.nEscape) return "block escape count does not match its code planes";
  if (escapesInRange(t, h)) return nullptr;
  uint32_t groupPos = 0;
  for (uint32_t g = 0; g < l.groups; ++g) {
    const uint8_t* words = src + l.wordsOffset + 4u * l.wordsPerGroup * g;
    const uint32_t c = zcclPopcount32(lanesWithCode(words, h.k(), h.escapeCode()) & validLanes(n, g));
    for (uint32_t j = 0; j < c; ++j) {
      uint32_t v = escapeValue(src + l.escOffset, l.escBytes, h.escBits, groupPos, c, j);
      if (escapeExponent(h.escBase + v, h.base, static_cast<uint32_t>(w)) > t.maxExp())
        return "block escape exponent out of range";
    }
    groupPos += c * h.escBits;
  }
  return nullptr;
}

}  // namespace zccl::codec
