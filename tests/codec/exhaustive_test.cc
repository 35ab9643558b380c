// Every bit pattern of the 16-bit float types, and the special fp32 values, round-trip bit-exact
// through both codecs with byte-identical frames, in blocks of every mix: sorted (narrow exponent
// spread per block), shuffled (wide spread), and each pattern planted in Gaussian blocks (one
// outlier among typical values, where escapes and window edges are exercised).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "common/codec_test_util.h"
#include "float_convert.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

std::vector<uint16_t> allPatterns() {
  std::vector<uint16_t> v(65536);
  for (uint32_t i = 0; i < 65536; ++i) v[i] = static_cast<uint16_t>(i);
  return v;
}

class Exhaustive16 : public ::testing::TestWithParam<zcclDataType_t> {};

TEST_P(Exhaustive16, SortedOrder) {
  const std::vector<uint16_t> v = allPatterns();
  EXPECT_TRUE(losslessAndIdentical(v.data(), v.size(), GetParam(), 0, "sorted"));
  EXPECT_TRUE(losslessAndIdentical(v.data(), v.size(), GetParam(), 1, "sorted, checksummed"));
}

TEST_P(Exhaustive16, ShuffledOrder) {
  std::vector<uint16_t> v = allPatterns();
  std::mt19937 rng(42);
  std::shuffle(v.begin(), v.end(), rng);
  EXPECT_TRUE(losslessAndIdentical(v.data(), v.size(), GetParam(), 0, "shuffled"));
}

TEST_P(Exhaustive16, EachPatternPlantedInGaussianBlocks) {
  // 16 patterns per 4096-element Gaussian block, at positions spread over the groups.
  const zcclDataType_t dtype = GetParam();
  data::SyntheticSpec spec;
  const size_t perBlock = 16, blocks = 65536 / perBlock, count = blocks * 4096;
  std::vector<uint8_t> bytes = data::makeSynthetic(spec, dtype, count, 3);
  uint16_t* v = reinterpret_cast<uint16_t*>(bytes.data());
  for (size_t p = 0; p < 65536; ++p) v[(p / perBlock) * 4096 + (p % perBlock) * 251] = static_cast<uint16_t>(p);
  EXPECT_TRUE(losslessAndIdentical(v, count, dtype, 0, "planted"));
}

TEST_P(Exhaustive16, BlocksOfOneRepeatedPattern) {
  // Constant blocks (k = 0 windows) of every exponent, with and without sign and mantissa.
  const zcclDataType_t dtype = GetParam();
  for (uint32_t base : {0x0000u, 0x8000u, 0x0001u, 0x7C00u, 0x7F80u, 0x7FC1u, 0xFFFFu, 0x3C00u, 0x3F80u}) {
    std::vector<uint16_t> v(4096 * 2 + 7, static_cast<uint16_t>(base));
    EXPECT_TRUE(losslessAndIdentical(v.data(), v.size(), dtype, 0, "constant " + std::to_string(base)));
  }
}

INSTANTIATE_TEST_SUITE_P(Types, Exhaustive16, ::testing::Values(zcclBfloat16, zcclFloat16),
                         [](const auto& info) { return info.param == zcclBfloat16 ? "bf16" : "fp16"; });

std::vector<uint32_t> fp32Specials() {
  std::vector<uint32_t> v = {0x00000000u, 0x80000000u,  // +0, -0
                             0x7F800000u, 0xFF800000u,  // +inf, -inf
                             0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0x7FBFFFFFu, 0xFFFFFFFFu,
                             0x7FFFFFFFu,                                                      // NaNs, payloads
                             0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu, 0x00400000u,  // denormals
                             0x00800000u, 0x80800000u, 0x7F7FFFFFu, 0xFF7FFFFFu,               // min/max normal
                             0x3F800000u, 0xBF800000u, 0x34000000u, 0x4B000000u};
  for (uint32_t e = 0; e < 256; ++e) v.push_back(e << 23 | 0x2A5A5Au);  // every exponent
  return v;
}

TEST(ExhaustiveFp32, SpecialValuesAloneAndPlanted) {
  std::vector<uint32_t> s = fp32Specials();
  EXPECT_TRUE(losslessAndIdentical(s.data(), s.size(), zcclFloat32, 0, "specials"));
  data::SyntheticSpec spec;
  for (size_t stride : {size_t{1}, size_t{7}, size_t{97}}) {
    std::vector<uint8_t> bytes = data::makeSynthetic(spec, zcclFloat32, 3 * 4096 + 5, stride);
    uint32_t* v = reinterpret_cast<uint32_t*>(bytes.data());
    for (size_t i = 0; i < s.size() && i * stride < 3 * 4096; ++i) v[i * stride] = s[i];
    EXPECT_TRUE(losslessAndIdentical(v, 3 * 4096 + 5, zcclFloat32, 0, "planted stride " + std::to_string(stride)));
  }
}

TEST(ExhaustiveFp32, RandomBitPatterns) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 8; ++round) {
    std::vector<uint32_t> v(20000 + round * 1111);
    for (auto& x : v) x = static_cast<uint32_t>(rng());
    // Mix in runs sharing one exponent (window-coded) among the random (escaped or raw) ones.
    for (size_t i = 0; i < v.size(); i += 3) v[i] = (v[i] & 0x807FFFFFu) | ((120u + round) << 23);
    EXPECT_TRUE(
        losslessAndIdentical(v.data(), v.size(), zcclFloat32, round % 2, "random round " + std::to_string(round)));
  }
}

TEST(ExhaustiveFp32, DenormalHeavyTensorSurvives) {
  // Like PP-OCR's squeeze-excitation weights: a third subnormal, never flushed to zero.
  std::mt19937_64 rng(11);
  std::vector<uint32_t> v(9000);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t m = static_cast<uint32_t>(rng()) & 0x807FFFFFu;
    v[i] = i % 3 == 0 ? m : (m | ((118u + rng() % 6) << 23));
  }
  EXPECT_TRUE(losslessAndIdentical(v.data(), v.size(), zcclFloat32, 0, "denormals"));
}

}  // namespace
}  // namespace zccl::test
