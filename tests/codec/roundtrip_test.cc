// Round trips through the public codec API: every dtype, sizes around the block and group edges,
// several distributions, unaligned pointers, P uneven segments, checksums. Each case checks the
// core property: reference and fast frames are byte-identical and decode bit-exactly.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "common/codec_test_util.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

const size_t kSizes[] = {0,    1,    2,    3,    31,   32,   33,   63,   64,    127,   1000,  4095,
                         4096, 4097, 4127, 4128, 4129, 8191, 8192, 8193, 12289, 65521, 100003};
const zcclDataType_t kFloatTypes[] = {zcclBfloat16, zcclFloat16, zcclFloat32};

class FloatRoundTrip : public ::testing::TestWithParam<std::tuple<zcclDataType_t, std::string>> {};

TEST_P(FloatRoundTrip, AllSizesLosslessAndIdentical) {
  const auto [dtype, spec] = GetParam();
  for (size_t count : kSizes) {
    std::vector<uint8_t> in = payload(spec, dtype, count, 7 + count);
    std::vector<uint8_t> frame =
        expectLosslessAndIdentical(in.data(), count, dtype, 0, spec + " count " + std::to_string(count));
    size_t bound = 0;
    ASSERT_EQ(zcclCodecMaxCompressedSize(count, dtype, &bound), zcclSuccess);
    EXPECT_LE(frame.size(), bound);
    EXPECT_LE(frame.size(), ZCCL_CODEC_FRAME_HEADER_BYTES + ((count * dtypeBytes(dtype) + 3) & ~size_t{3}))
        << "a frame without checksums is never larger than raw plus the header";
    EXPECT_EQ(frame.size() % 4, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Distributions, FloatRoundTrip,
                         ::testing::Combine(::testing::ValuesIn(kFloatTypes),
                                            ::testing::Values("gaussian", "gaussian:1e-3", "gaussian:300", "laplace",
                                                              "student-t:3", "zeros:0.5", "zeros:0.97", "zeros:1",
                                                              "random")));

TEST(RoundTrip, GaussianCompresses) {
  // Far from the targets (those are benchmark figures); this only guards against the window mode
  // silently falling back to stored frames.
  const size_t count = 1 << 16;
  for (zcclDataType_t dtype : kFloatTypes) {
    std::vector<uint8_t> in = payload("gaussian", dtype, count, 1);
    std::vector<uint8_t> frame = expectLosslessAndIdentical(in.data(), count, dtype);
    double ratio = static_cast<double>(frame.size()) / in.size();
    EXPECT_LT(ratio, dtype == zcclBfloat16 ? 0.72 : dtype == zcclFloat32 ? 0.85 : 0.90) << "dtype " << dtype;
  }
}

TEST(RoundTrip, AllZeroBlocksCostOnlyHeaders) {
  const size_t count = 4096 * 8;
  std::vector<uint8_t> in(count * 2, 0);
  std::vector<uint8_t> frame = expectLosslessAndIdentical(in.data(), count, zcclBfloat16);
  // header + 8 block ends + 8 block headers
  EXPECT_EQ(frame.size(), 32u + 8 * 4 + 8 * 8);
}

TEST(RoundTrip, NonFloatTypesAreStoredRaw) {
  const zcclDataType_t types[] = {zcclInt8,   zcclUint8,   zcclInt32,      zcclUint32,    zcclInt64,
                                  zcclUint64, zcclFloat64, zcclFloat8e4m3, zcclFloat8e5m2};
  std::mt19937_64 rng(3);
  for (zcclDataType_t dtype : types) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{4097}, size_t{10007}}) {
      std::vector<uint8_t> in(count * dtypeBytes(dtype));
      for (auto& b : in) b = static_cast<uint8_t>(rng());
      std::vector<uint8_t> frame = expectLosslessAndIdentical(in.data(), count, dtype);
      zcclCodecFrameInfo_t info;
      ASSERT_EQ(zcclCodecGetFrameInfo(frame.data(), frame.size(), &info), zcclSuccess);
      EXPECT_EQ(info.mode, zcclCodecModeStored);
      EXPECT_EQ(info.count, count);
      EXPECT_EQ(info.dtype, dtype);
    }
  }
}

TEST(RoundTrip, StoredModeOnRequest) {
  std::vector<uint8_t> in = payload("gaussian", zcclBfloat16, 5000, 2);
  zcclCodecConfig_t c = configFor(zcclCodecImplFast, 0, zcclCodecModeStored);
  std::vector<uint8_t> frame = compress(in.data(), 5000, zcclBfloat16, c);
  EXPECT_EQ(frame.size(), 32u + 10000u);
  EXPECT_EQ(decompress(frame, 5000, zcclBfloat16, c), in);
}

TEST(RoundTrip, ChecksummedFramesDecodeAndCarryTheFlag) {
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat32, zcclInt32}) {
    for (size_t count : {size_t{0}, size_t{5}, size_t{4096}, size_t{9000}}) {
      std::vector<uint8_t> in(count * dtypeBytes(dtype));
      if (dtype != zcclInt32) in = payload("gaussian", dtype, count, 5);
      std::vector<uint8_t> frame = expectLosslessAndIdentical(in.data(), count, dtype, 1);
      zcclCodecFrameInfo_t info;
      ASSERT_EQ(zcclCodecGetFrameInfo(frame.data(), frame.size(), &info), zcclSuccess);
      EXPECT_EQ(info.hasChecksum, 1);
      size_t bound = 0;
      ASSERT_EQ(zcclCodecMaxCompressedSize(count, dtype, &bound), zcclSuccess);
      EXPECT_LE(frame.size(), bound);
    }
  }
}

TEST(RoundTrip, UnalignedPointers) {
  const size_t count = 3 * 4096 + 77;
  for (zcclDataType_t dtype : kFloatTypes) {
    std::vector<uint8_t> in = payload("gaussian", dtype, count, 9);
    std::vector<uint8_t> aligned = compress(in.data(), count, dtype, configFor(zcclCodecImplReference));
    for (size_t shift = 1; shift < 4; ++shift) {
      const zcclCodecConfig_t c = configFor(zcclCodecImplFast);
      std::vector<uint8_t> src(in.size() + shift);
      std::memcpy(src.data() + shift, in.data(), in.size());
      size_t bound = 0;
      ASSERT_EQ(zcclCodecMaxCompressedSize(count, dtype, &bound), zcclSuccess);
      std::vector<uint8_t> frame(bound + shift);
      size_t bytes = 0;
      ASSERT_EQ(zcclCodecCompress(src.data() + shift, count, dtype, frame.data() + shift, bound, &bytes, &c),
                zcclSuccess);
      ASSERT_EQ(bytes, aligned.size());
      EXPECT_EQ(0, std::memcmp(frame.data() + shift, aligned.data(), bytes));
      std::vector<uint8_t> out(in.size() + shift);
      ASSERT_EQ(zcclCodecDecompress(frame.data() + shift, bytes, out.data() + shift, count, dtype, nullptr, &c),
                zcclSuccess);
      EXPECT_EQ(0, std::memcmp(out.data() + shift, in.data(), in.size()));
    }
  }
}

TEST(RoundTrip, UnevenSegmentsAreIndependentFrames) {
  const std::vector<size_t> segs = {0, 1, 4096, 5000, 13, 0, 70001, 4095};
  const size_t total = std::accumulate(segs.begin(), segs.end(), size_t{0});
  for (zcclDataType_t dtype : kFloatTypes) {
    std::vector<uint8_t> in = payload("student-t:3", dtype, total, 11);
    size_t capacity = 0;
    for (size_t c : segs) {
      size_t b = 0;
      ASSERT_EQ(zcclCodecMaxCompressedSize(c, dtype, &b), zcclSuccess);
      capacity += b;
    }
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      const zcclCodecConfig_t c = configFor(impl);
      std::vector<uint8_t> frames(capacity);
      std::vector<size_t> sizes(segs.size());
      ASSERT_EQ(zcclCodecCompressSegments(in.data(), dtype, static_cast<int>(segs.size()), segs.data(), frames.data(),
                                          frames.size(), sizes.data(), &c),
                zcclSuccess);
      // Each frame equals the single-segment frame of its slice, and decodes on its own.
      size_t offset = 0, elem = 0;
      for (size_t p = 0; p < segs.size(); ++p) {
        std::vector<uint8_t> alone = compress(in.data() + elem * dtypeBytes(dtype), segs[p], dtype, c);
        ASSERT_EQ(sizes[p], alone.size());
        EXPECT_EQ(0, std::memcmp(frames.data() + offset, alone.data(), alone.size())) << "segment " << p;
        offset += sizes[p];
        elem += segs[p];
      }
      std::vector<uint8_t> out(in.size());
      ASSERT_EQ(zcclCodecDecompressSegments(frames.data(), offset, dtype, static_cast<int>(segs.size()), segs.data(),
                                            out.data(), &c),
                zcclSuccess);
      EXPECT_EQ(out, in);
    }
  }
}

}  // namespace
}  // namespace zccl::test
