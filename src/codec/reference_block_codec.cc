// The reference block codec: scalar, written to read like docs/format.md ("Window block"), one
// element at a time. It is the oracle the fast CPU codec and the CUDA kernels are tested against,
// so clarity wins over speed everywhere in this file.
#include "codec/reference_block_codec.h"

#include <cstring>

#include "codec/block_codec.h"
#include "codec/block_plan.h"
#include "codec/block_validate.h"

namespace zccl::codec::reference {
namespace {

// Appends `bits` bits of `value` to a little-endian bit stream (bit i of the stream is bit i % 8
// of byte i / 8).
void putBits(uint8_t* stream, uint32_t bitPos, uint32_t value, uint32_t bits) {
  for (uint32_t b = 0; b < bits; ++b) {
    uint32_t pos = bitPos + b;
    if ((value >> b) & 1u) stream[pos / 8] |= static_cast<uint8_t>(1u << (pos % 8));
  }
}

uint32_t getBits(const uint8_t* stream, uint32_t bitPos, uint32_t bits) {
  uint32_t value = 0;
  for (uint32_t b = 0; b < bits; ++b) {
    uint32_t pos = bitPos + b;
    value |= static_cast<uint32_t>((stream[pos / 8] >> (pos % 8)) & 1u) << b;
  }
  return value;
}

}  // namespace

void blockHistogram(const CodecTraits& t, const uint8_t* in, uint32_t n, uint32_t* hist, uint32_t* zeros) {
  std::memset(hist, 0, sizeof(uint32_t) * (t.maxExp() + 1));
  *zeros = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t x = loadElement(in + i * t.elemBytes, t.elemBytes);
    hist[exponentOf(t, x)]++;
    if (x == 0) ++*zeros;
  }
}

void encodeWindowBlock(const CodecTraits& t, const uint8_t* in, uint32_t n, const BlockPlan& plan, uint8_t* dst) {
  const BlockHeader& h = plan.header;
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  std::memset(dst, 0, l.bytes);
  storeBlockHeader(dst, h);
  const uint32_t w = static_cast<uint32_t>(h.window());
  uint32_t coded = 0;   // residuals written so far
  uint32_t escPos = 0;  // bits of the escape stream written so far
  for (uint32_t g = 0; g < l.groups; ++g) {
    uint8_t* group = dst + l.wordsOffset + 4u * l.wordsPerGroup * g;
    uint32_t escValues[kGroupElems];
    uint32_t c = 0;  // escapes of this group
    for (uint32_t lane = 0; lane < kGroupElems && g * kGroupElems + lane < n; ++lane) {
      const uint32_t i = g * kGroupElems + lane;
      const uint32_t x = loadElement(in + i * t.elemBytes, t.elemBytes);
      const uint32_t e = exponentOf(t, x);
      // 1. The element's code; an escape's value waits for the group's escape fields.
      uint32_t code;
      if (h.hasZeroCode() && x == 0) {
        code = h.zeroCode();
      } else if (e >= h.base && e < h.base + w) {
        code = e - h.base;
      } else {
        code = h.escapeCode();
        escValues[c++] = escapeSkipped(e, h.base, w) - h.escBase;
      }
      // 2. Its bits in the group's code planes (word j holds bit j of the 32 codes).
      for (uint32_t j = 0; j < h.k(); ++j) {
        if ((code >> j) & 1u) storeLE32(group + 4 * j, loadLE32(group + 4 * j) | (1u << lane));
      }
      if (h.hasZeroCode() && x == 0) continue;  // +0.0 has no residual
      // 3. Its residual: high bits (fp16 only) as extra bit-planes, the rest in byte planes.
      const uint32_t r = residualOf(t, x);
      for (uint32_t p = 0; p < t.extraPlanes; ++p) {
        if ((r >> (8 + p)) & 1u) {
          uint8_t* word = group + 4 * (h.k() + p);
          storeLE32(word, loadLE32(word) | (1u << lane));
        }
      }
      putResidual(t, dst + l.residOffset, l.nCoded, coded, r);
      ++coded;
    }
    // 4. The group's escape fields: field p holds bit p of each escape value, in element order.
    for (uint32_t p = 0; p < h.escBits; ++p) {
      for (uint32_t j = 0; j < c; ++j) putBits(dst + l.escOffset, escPos++, (escValues[j] >> p) & 1u, 1);
    }
  }
}

const char* decodeWindowBlock(const CodecTraits& t, const uint8_t* src, uint32_t n, uint8_t* out) {
  if (const char* why = validateBlockContents(t, src, n)) return why;
  const BlockHeader h = loadBlockHeader(src);
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  const uint32_t w = static_cast<uint32_t>(h.window());
  uint32_t coded = 0, escPos = 0;
  for (uint32_t g = 0; g < l.groups; ++g) {
    const uint8_t* group = src + l.wordsOffset + 4u * l.wordsPerGroup * g;
    // The group's escapes: their count sizes its escape fields.
    const uint32_t c =
        h.hasEscapeCode() ? zcclPopcount32(lanesWithCode(group, h.k(), h.escapeCode()) & validLanes(n, g)) : 0;
    uint32_t j = 0;  // escapes of this group decoded so far
    for (uint32_t lane = 0; lane < kGroupElems && g * kGroupElems + lane < n; ++lane) {
      const uint32_t i = g * kGroupElems + lane;
      uint32_t code = 0;
      for (uint32_t b = 0; b < h.k(); ++b) code |= ((loadLE32(group + 4 * b) >> lane) & 1u) << b;
      uint32_t x = 0;
      if (!(h.hasZeroCode() && code == h.zeroCode())) {
        uint32_t e;
        if (h.hasEscapeCode() && code == h.escapeCode()) {
          uint32_t v = 0;
          for (uint32_t p = 0; p < h.escBits; ++p) v |= getBits(src + l.escOffset, escPos + p * c + j, 1) << p;
          e = escapeExponent(h.escBase + v, h.base, w);
          ++j;
        } else {
          e = h.base + code;
        }
        uint32_t r = getResidual(t, src + l.residOffset, l.nCoded, coded);
        for (uint32_t p = 0; p < t.extraPlanes; ++p) r |= ((loadLE32(group + 4 * (h.k() + p)) >> lane) & 1u) << (8 + p);
        ++coded;
        x = joinElement(t, e, r);
      }
      storeElement(out + i * t.elemBytes, t.elemBytes, x);
    }
    escPos += c * h.escBits;
  }
  return nullptr;
}

uint32_t encodeBlock(const CodecTraits& t, const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* /*next*/) {
  uint32_t hist[kHistBins];
  uint32_t zeros = 0;
  blockHistogram(t, in, n, hist, &zeros);
  BlockPlan plan = chooseBlockPlan(t, n, hist, zeros);
  if (plan.raw()) {
    std::memset(dst, 0, plan.bytes);
    storeBlockHeader(dst, plan.header);
    std::memcpy(dst + kBlockHeaderBytes, in, static_cast<size_t>(n) * t.elemBytes);
    return plan.bytes;
  }
  encodeWindowBlock(t, in, n, plan, dst);
  return plan.bytes;
}

}  // namespace zccl::codec::reference

namespace zccl::codec {

const BlockCodec& referenceBlockCodec() {
  static const BlockCodec codec = {"reference", reference::encodeBlock, reference::decodeWindowBlock, hashBytes};
  return codec;
}

}  // namespace zccl::codec
