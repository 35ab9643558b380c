// The encoder's choice of block plan (block_plan.h) on hand-made histograms: the cheapest
// candidate wins, costs are exact block sizes, and the edge cases (all zeros, one exponent,
// window at the top of the range, nothing compressible) give the plans docs/format.md describes.
#include "codec/block_plan.h"

#include <gtest/gtest.h>

#include <cstring>

#include "codec/hash.h"

namespace zccl::codec {
namespace {

const CodecTraits kBf16 = codecTraits(9);
const CodecTraits kFp16 = codecTraits(6);
const CodecTraits kFp32 = codecTraits(7);

BlockPlan plan(const CodecTraits& t, uint32_t n, std::vector<std::pair<uint32_t, uint32_t>> bins, uint32_t zeros = 0) {
  uint32_t hist[kHistBins] = {};
  for (auto [e, c] : bins) hist[e] += c;
  return chooseBlockPlan(t, n, hist, zeros);
}

TEST(BlockPlan, AllZerosIsJustAHeader) {
  BlockPlan p = plan(kBf16, 4096, {{0, 4096}}, 4096);
  EXPECT_FALSE(p.raw());
  EXPECT_EQ(p.header.k(), 0u);
  EXPECT_TRUE(p.header.hasZeroCode());
  EXPECT_EQ(p.header.nZero, 4096);
  EXPECT_EQ(p.bytes, kBlockHeaderBytes);
}

TEST(BlockPlan, OneExponentNeedsNoCodeBits) {
  BlockPlan p = plan(kFp32, 4096, {{127, 4096}});
  EXPECT_EQ(p.header.k(), 0u);
  EXPECT_EQ(p.header.base, 127);
  EXPECT_EQ(p.header.nEscape, 0);
  EXPECT_EQ(p.bytes, kBlockHeaderBytes + 4096u * 3);
}

TEST(BlockPlan, GaussianLikeBlockPicksANarrowWindowWithEscapes) {
  // Exponent shares of a Gaussian with sigma 1 (exponents 121..128 around 127).
  BlockPlan p = plan(
      kBf16, 4096, {{128, 186}, {127, 1113}, {126, 1228}, {125, 760}, {124, 401}, {123, 203}, {122, 102}, {121, 103}});
  EXPECT_FALSE(p.raw());
  EXPECT_TRUE(p.header.hasEscapeCode());
  EXPECT_GE(p.header.k(), 2u);
  EXPECT_LE(p.header.k(), 3u);
  // The chosen plan is no larger than the obvious 3-bit window over 121..127.
  const WindowLayout obvious = windowLayout(kBf16, 4096, 3, 0, 186, 0);
  EXPECT_LE(p.bytes, obvious.bytes);
  EXPECT_LT(p.bytes, rawBlockBytes(kBf16, 4096));
}

TEST(BlockPlan, CostIsTheExactBlockSize) {
  BlockPlan p = plan(kBf16, 1000, {{120, 500}, {100, 300}, {140, 200}});
  const BlockHeader& h = p.header;
  EXPECT_EQ(p.bytes, windowLayout(kBf16, 1000, h.k(), h.nZero, h.nEscape, h.escBits).bytes);
  // Escape range in gap-skipped space must cover both sides of the window.
  if (h.nEscape != 0) {
    const uint32_t w = static_cast<uint32_t>(h.window());
    EXPECT_LE(h.escBase, escapeSkipped(100, h.base, w));
    EXPECT_GE(h.escBase + (1u << h.escBits) - 1, escapeSkipped(140, h.base, w));
  }
}

TEST(BlockPlan, WindowNeverLeavesTheExponentRange) {
  BlockPlan p = plan(kFp16, 4096, {{31, 2000}, {30, 2000}, {2, 96}});
  ASSERT_FALSE(p.raw());
  if (p.header.window() > 0) {
    EXPECT_LE(p.header.base + static_cast<uint32_t>(p.header.window()) - 1, 31u);
  }
  BlockPlan q = plan(kBf16, 4096, {{255, 4096}});
  EXPECT_EQ(q.header.base, 255);
}

TEST(BlockPlan, IncompressibleBlockIsRaw) {
  std::vector<std::pair<uint32_t, uint32_t>> flat;
  for (uint32_t e = 0; e < 256; ++e) flat.push_back({e, 16});
  BlockPlan p = plan(kBf16, 4096, flat);
  EXPECT_TRUE(p.raw());
  EXPECT_EQ(p.bytes, rawBlockBytes(kBf16, 4096));
}

TEST(BlockPlan, ZerosGetTheirOwnCodeOnlyWhenItPays) {
  BlockPlan few = plan(kBf16, 4096, {{127, 4095}, {0, 1}}, 1);
  EXPECT_FALSE(few.header.hasZeroCode());
  BlockPlan many = plan(kBf16, 4096, {{127, 1096}, {126, 1000}, {0, 2000}}, 2000);
  EXPECT_TRUE(many.header.hasZeroCode());
  EXPECT_EQ(many.header.nZero, 2000);
}

TEST(Hash, FixedValuesAndSensitivity) {
  // The checksum is part of format v1. Values pinned from an independent transcription of
  // docs/format.md ("Checksum") in Python, not from this code.
  EXPECT_EQ(hashBytes(nullptr, 0), 0xdf51c561u);
  const uint8_t abc[3] = {'a', 'b', 'c'};
  EXPECT_EQ(hashBytes(abc, 3), 0x46fb6df7u);
  std::vector<uint8_t> data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31);
  const uint32_t h = hashBytes(data.data(), data.size());
  EXPECT_EQ(h, 0x2d6ef25bu);
  for (size_t bit : {0u, 7u, 1000u, 39999u}) {
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(hashBytes(data.data(), data.size()), h) << bit;
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  EXPECT_NE(hashBytes(data.data(), data.size() - 1), h) << "length is hashed";
}

TEST(Format, HeadersRoundTrip) {
  uint8_t buf[kFrameHeaderBytes];
  storeFrameHeader(buf, 9, kModeWindow, kFlagChecksum, 123456789012ull, 987654321ull);
  FrameHeader h = loadFrameHeader(buf);
  EXPECT_EQ(h.magic, kFrameMagic);
  EXPECT_EQ(std::memcmp(buf, "ZCF1", 4), 0);
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.dtype, 9);
  EXPECT_EQ(h.count, 123456789012ull);
  EXPECT_EQ(h.frameBytes, 987654321ull);
  EXPECT_EQ(h.headerCheck, hashBytes(buf, 28));
  BlockHeader b{static_cast<uint8_t>(3 | kBlockEscapeCode), 120, 7, 4, 1000, 0};
  uint8_t bb[kBlockHeaderBytes];
  storeBlockHeader(bb, b);
  BlockHeader c = loadBlockHeader(bb);
  EXPECT_EQ(c.k(), 3u);
  EXPECT_EQ(c.window(), 7);
  EXPECT_EQ(c.escapeCode(), 7u);
  EXPECT_EQ(c.nEscape, 1000);
  EXPECT_EQ(escapeExponent(escapeSkipped(100, 120, 7), 120, 7), 100u);
  EXPECT_EQ(escapeExponent(escapeSkipped(130, 120, 7), 120, 7), 130u);
}

TEST(Format, ReadBitsNeverPassesTheStream) {
  const uint8_t s[3] = {0xA5, 0x3C, 0xFF};
  EXPECT_EQ(readBits(s, 3, 0, 8), 0xA5u);
  EXPECT_EQ(readBits(s, 3, 4, 8), 0xCAu);
  EXPECT_EQ(readBits(s, 3, 20, 4), 0xFu);
  EXPECT_EQ(readBits(s, 3, 20, 12), 0xFu) << "bits past the stream read as zero";
  EXPECT_EQ(readBits(s, 3, 0, 0), 0u);
}

}  // namespace
}  // namespace zccl::codec
