// Untrusted input: truncated frames, flipped bits, headers that lie, huge counts, outputs too
// small, bad arguments. Every case must return an error code (never crash, never touch memory
// outside the given ranges: guard bytes here, AddressSanitizer in CI), and a decode that reports
// success must have produced the original data. With checksums, every flipped bit that changes
// the decoded data is detected.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "codec/format.h"
#include "common/codec_test_util.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

constexpr uint8_t kGuard = 0x5C;

struct Sample {
  zcclDataType_t dtype;
  size_t count;
  std::vector<uint8_t> data;
  std::vector<uint8_t> frame;
};

Sample makeSample(const char* spec, zcclDataType_t dtype, size_t count, int checksum) {
  data::SyntheticSpec s;
  std::string error;
  EXPECT_TRUE(data::parseSyntheticSpec(spec, &s, &error));
  Sample out{dtype, count, data::makeSynthetic(s, dtype, count, 17), {}};
  out.frame = compress(out.data.data(), count, dtype, configFor(zcclCodecImplFast, checksum));
  return out;
}

// Decodes `frame` with one implementation into a guarded buffer. Returns the result; checks the
// guards and that success means the original data.
zcclResult_t decodeChecked(const std::vector<uint8_t>& frame, const Sample& s, zcclCodecImpl_t impl) {
  const size_t raw = s.count * dtypeBytes(s.dtype);
  std::vector<uint8_t> in(frame.size() + 16, kGuard);  // input guards: reading them is harmless
  if (!frame.empty()) std::memcpy(in.data(), frame.data(), frame.size());
  std::vector<uint8_t> out(raw + 64, kGuard);
  const zcclCodecConfig_t c = configFor(impl);
  zcclResult_t r = zcclCodecDecompress(in.data(), frame.size(), out.data(), s.count, s.dtype, nullptr, &c);
  for (size_t i = raw; i < out.size(); ++i) {
    if (out[i] != kGuard) {
      ADD_FAILURE() << "decoder wrote past its output at byte " << i;
      break;
    }
  }
  if (r == zcclSuccess) {
    EXPECT_EQ(0, std::memcmp(out.data(), s.data.data(), raw)) << "success with wrong data";
  }
  return r;
}

TEST(BadInput, EveryTruncationIsAnError) {
  for (int checksum : {0, 1}) {
    Sample s = makeSample("gaussian", zcclBfloat16, 2 * 4096 + 100, checksum);
    for (size_t len = 0; len < s.frame.size(); ++len) {
      std::vector<uint8_t> cut(s.frame.begin(), s.frame.begin() + len);
      for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
        EXPECT_EQ(decodeChecked(cut, s, impl), zcclCorruptFrame) << "length " << len;
      }
    }
  }
}

class BitFlips : public ::testing::TestWithParam<std::tuple<zcclDataType_t, const char*, int>> {};

TEST_P(BitFlips, EveryBitOfASmallFrame) {
  const auto [dtype, spec, checksum] = GetParam();
  Sample s = makeSample(spec, dtype, 4096 + 45, checksum);
  size_t errors = 0, harmless = 0;
  for (size_t bit = 0; bit < 8 * s.frame.size(); ++bit) {
    std::vector<uint8_t> bad = s.frame;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      const size_t raw = s.count * dtypeBytes(dtype);
      std::vector<uint8_t> out(raw + 64, kGuard);
      const zcclCodecConfig_t c = configFor(impl);
      zcclResult_t r = zcclCodecDecompress(bad.data(), bad.size(), out.data(), s.count, dtype, nullptr, &c);
      for (size_t i = raw; i < out.size(); ++i) ASSERT_EQ(out[i], kGuard) << "bit " << bit << ": wrote past output";
      if (r != zcclSuccess) {
        EXPECT_TRUE(r == zcclCorruptFrame || r == zcclInvalidArgument) << "bit " << bit << " result " << r;
        ++errors;
      } else if (std::memcmp(out.data(), s.data.data(), raw) == 0) {
        ++harmless;  // padding, unused lanes of the last group
      } else {
        // Undetectable without checksums (a flipped mantissa bit is a valid frame).
        EXPECT_EQ(checksum, 0) << "bit " << bit << ": checksummed frame decoded to wrong data";
      }
    }
  }
  EXPECT_GT(errors, 0u);
  if (checksum) {
    EXPECT_LT(harmless, errors / 4) << "most flips must be detected";
  }
}

INSTANTIATE_TEST_SUITE_P(Frames, BitFlips,
                         ::testing::Combine(::testing::Values(zcclBfloat16, zcclFloat16, zcclFloat32),
                                            ::testing::Values("gaussian", "zeros:0.5"), ::testing::Values(0, 1)));

// Rewrites the frame header (with a correct header check) so that a lie reaches the payload
// checks instead of being caught by the header checksum.
void rewriteHeader(std::vector<uint8_t>& frame, uint8_t mode, uint8_t flags, uint64_t count, uint64_t frameBytes) {
  codec::storeFrameHeader(frame.data(), frame[5], mode, flags, count, frameBytes);
}

TEST(BadInput, HeadersThatLie) {
  Sample s = makeSample("gaussian", zcclBfloat16, 3 * 4096 + 9, 0);
  const codec::FrameHeader h = codec::loadFrameHeader(s.frame.data());
  ASSERT_EQ(h.mode, codec::kModeWindow);
  struct Lie {
    const char* what;
    uint8_t mode, flags;
    uint64_t count, frameBytes;
  };
  const Lie lies[] = {
      {"count + 1", h.mode, h.flags, h.count + 1, h.frameBytes},
      {"count - 1", h.mode, h.flags, h.count - 1, h.frameBytes},
      {"count huge", h.mode, h.flags, uint64_t{1} << 61, h.frameBytes},
      {"count max", h.mode, h.flags, ~uint64_t{0}, h.frameBytes},
      {"frame bytes + 4", h.mode, h.flags, h.count, h.frameBytes + 4},
      {"frame bytes - 4", h.mode, h.flags, h.count, h.frameBytes - 4},
      {"frame bytes tiny", h.mode, h.flags, h.count, 32},
      {"frame bytes max", h.mode, h.flags, h.count, ~uint64_t{0}},
      {"claims checksums", h.mode, codec::kFlagChecksum, h.count, h.frameBytes},
      {"unknown flag", h.mode, 0x80, h.count, h.frameBytes},
      {"claims stored", codec::kModeStored, h.flags, h.count, h.frameBytes},
      {"unknown mode", 7, h.flags, h.count, h.frameBytes},
  };
  for (const Lie& lie : lies) {
    std::vector<uint8_t> bad = s.frame;
    rewriteHeader(bad, lie.mode, lie.flags, lie.count, lie.frameBytes);
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      zcclResult_t r = decodeChecked(bad, s, impl);
      EXPECT_NE(r, zcclSuccess) << lie.what;
    }
    // The caller asking for what the header claims must fail too (not only the count check).
    if (lie.count != h.count && lie.count < (uint64_t{1} << 32)) {
      std::vector<uint8_t> out(lie.count * 2 + 64, kGuard);
      EXPECT_NE(zcclCodecDecompress(bad.data(), bad.size(), out.data(), lie.count, zcclBfloat16, nullptr, nullptr),
                zcclSuccess)
          << lie.what;
    }
  }
}

TEST(BadInput, BlockTablesAndBlockHeadersThatLie) {
  Sample s = makeSample("gaussian", zcclFloat32, 3 * 4096 + 9, 0);
  const size_t nblocks = 4, table = codec::kFrameHeaderBytes, payload = table + 4 * nblocks;
  auto blockStart = [&](size_t b) { return b == 0 ? 0 : codec::loadLE32(s.frame.data() + table + 4 * (b - 1)); };
  // Edits that may leave a consistent block (escape width: the extra bit can read zero padding)
  // must decode correctly or fail; all others must fail.
  struct Edit {
    std::string what;
    std::function<void(std::vector<uint8_t>&)> apply;
    bool mayBeHarmless = false;
  };
  std::vector<Edit> edits;
  for (size_t b = 0; b < nblocks; ++b) {
    const std::string at = " (block " + std::to_string(b) + ")";
    const size_t entry = table + 4 * b, header = payload + blockStart(b);
    edits.push_back({"end + 4" + at, [=](auto& f) { codec::storeLE32(&f[entry], codec::loadLE32(&f[entry]) + 4); }});
    edits.push_back({"end - 4" + at, [=](auto& f) { codec::storeLE32(&f[entry], codec::loadLE32(&f[entry]) - 4); }});
    edits.push_back({"end max" + at, [=](auto& f) { codec::storeLE32(&f[entry], 0xFFFFFFFFu); }});
    edits.push_back({"end 0" + at, [=](auto& f) { codec::storeLE32(&f[entry], 0); }});
    edits.push_back({"k + 1" + at, [=](auto& f) { f[header] = static_cast<uint8_t>(f[header] + 1); }});
    edits.push_back({"k = 15" + at, [=](auto& f) { f[header] = static_cast<uint8_t>((f[header] & 0xF0) | 15); }});
    edits.push_back({"reserved bit" + at, [=](auto& f) { f[header] |= codec::kBlockReservedBit; }});
    edits.push_back({"raw bit" + at, [=](auto& f) { f[header] |= codec::kBlockRaw; }});
    edits.push_back({"zero flag" + at, [=](auto& f) { f[header] ^= codec::kBlockZeroCode; }});
    edits.push_back({"escape flag" + at, [=](auto& f) { f[header] ^= codec::kBlockEscapeCode; }});
    edits.push_back({"base 255" + at, [=](auto& f) { f[header + 1] = 255; }});
    edits.push_back({"escBase 255" + at, [=](auto& f) { f[header + 2] = 255; }});
    edits.push_back({"escBits 9" + at, [=](auto& f) { f[header + 3] = 9; }});
    edits.push_back(
        {"escBits + 1" + at, [=](auto& f) { f[header + 3] = static_cast<uint8_t>(f[header + 3] + 1); }, true});
    edits.push_back(
        {"nEscape + 1" + at, [=](auto& f) { codec::storeLE16(&f[header + 4], codec::loadLE16(&f[header + 4]) + 1); }});
    edits.push_back(
        {"nEscape - 1" + at, [=](auto& f) { codec::storeLE16(&f[header + 4], codec::loadLE16(&f[header + 4]) - 1); }});
    edits.push_back({"nEscape max" + at, [=](auto& f) { codec::storeLE16(&f[header + 4], 0xFFFF); }});
    edits.push_back(
        {"nZero + 1" + at, [=](auto& f) { codec::storeLE16(&f[header + 6], codec::loadLE16(&f[header + 6]) + 1); }});
  }
  for (const Edit& edit : edits) {
    std::vector<uint8_t> bad = s.frame;
    edit.apply(bad);
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      const zcclResult_t r = decodeChecked(bad, s, impl);  // checks guards, and data on success
      if (!edit.mayBeHarmless) {
        EXPECT_NE(r, zcclSuccess) << edit.what;
      }
    }
  }
}

TEST(BadInput, EscapesThatDecodePastTheExponentRange) {
  // A block of 1.0 (exponent 127, the window) with every 64th element at exponent 255 (escaped,
  // gap-skipped value 254, 0 escape bits). An escBase of 255 makes every escape decode to
  // exponent 256, which no fp32 has: the decoders must refuse the block.
  std::vector<uint32_t> v(4096, 0x3F800000u);
  for (size_t i = 0; i < v.size(); i += 64) v[i] = 0x7F800000u | static_cast<uint32_t>(i);  // exponent 255
  Sample s{zcclFloat32,
           v.size(),
           std::vector<uint8_t>(reinterpret_cast<uint8_t*>(v.data()), reinterpret_cast<uint8_t*>(v.data() + v.size())),
           {}};
  s.frame = compress(v.data(), v.size(), zcclFloat32, configFor(zcclCodecImplFast));
  EXPECT_EQ(decodeChecked(s.frame, s, zcclCodecImplFast), zcclSuccess);
  const size_t header = codec::kFrameHeaderBytes + 4;
  codec::BlockHeader bh = codec::loadBlockHeader(&s.frame[header]);
  ASSERT_EQ(bh.nEscape, 64);
  ASSERT_EQ(bh.escBase, 254);
  {
    std::vector<uint8_t> bad = s.frame;
    bad[header + 2] = 255;
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      EXPECT_EQ(decodeChecked(bad, s, impl), zcclCorruptFrame);
    }
  }
}

TEST(BadInput, OutputTooSmallFailsWithoutWritingPastIt) {
  Sample s = makeSample("gaussian", zcclBfloat16, 3 * 4096 + 9, 0);
  for (size_t cap : {size_t{0}, size_t{31}, size_t{32}, s.frame.size() / 2, s.frame.size() - 4, s.frame.size() - 1}) {
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      std::vector<uint8_t> out(cap + 64, kGuard);
      size_t bytes = 0;
      const zcclCodecConfig_t c = configFor(impl);
      EXPECT_EQ(zcclCodecCompress(s.data.data(), s.count, s.dtype, out.data(), cap, &bytes, &c), zcclInvalidArgument)
          << "capacity " << cap;
      for (size_t i = cap; i < out.size(); ++i) ASSERT_EQ(out[i], kGuard) << "capacity " << cap << " byte " << i;
    }
  }
  // Exactly the frame size suffices.
  std::vector<uint8_t> out(s.frame.size());
  size_t bytes = 0;
  EXPECT_EQ(zcclCodecCompress(s.data.data(), s.count, s.dtype, out.data(), out.size(), &bytes, nullptr), zcclSuccess);
  EXPECT_EQ(out, s.frame);
}

TEST(BadInput, BadArgumentsAreRejectedWithAMessage) {
  Sample s = makeSample("gaussian", zcclFloat16, 1000, 0);
  std::vector<uint8_t> out(4096);
  size_t bytes = 0, bound = 0;
  EXPECT_EQ(zcclCodecMaxCompressedSize(10, static_cast<zcclDataType_t>(12), &bound), zcclInvalidArgument);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("dtype"), std::string::npos);
  EXPECT_EQ(zcclCodecMaxCompressedSize(~size_t{0}, zcclFloat32, &bound), zcclInvalidArgument);
  EXPECT_EQ(zcclCodecMaxCompressedSize(10, zcclFloat32, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompress(nullptr, 10, zcclFloat16, out.data(), out.size(), &bytes, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompress(s.data.data(), 10, zcclFloat16, nullptr, 100, &bytes, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompress(s.data.data(), 10, zcclFloat16, out.data(), out.size(), nullptr, nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(
      zcclCodecCompress(s.data.data(), 10, static_cast<zcclDataType_t>(-1), out.data(), out.size(), &bytes, nullptr),
      zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompress(s.data.data(), ~size_t{0} / 2, zcclFloat16, out.data(), out.size(), &bytes, nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompress(nullptr, 0, zcclFloat16, out.data(), out.size(), &bytes, nullptr), zcclSuccess);
  // Configs must come from the initializer; fields must be in range.
  zcclCodecConfig_t raw;
  std::memset(&raw, 0, sizeof(raw));
  EXPECT_EQ(zcclCodecCompress(s.data.data(), 10, zcclFloat16, out.data(), out.size(), &bytes, &raw),
            zcclInvalidArgument);
  zcclCodecConfig_t badMode = configFor(zcclCodecImplFast, 0, 5);
  EXPECT_EQ(zcclCodecCompress(s.data.data(), 10, zcclFloat16, out.data(), out.size(), &bytes, &badMode),
            zcclInvalidArgument);
  zcclCodecConfig_t badImpl = configFor(static_cast<zcclCodecImpl_t>(9));
  EXPECT_EQ(zcclCodecCompress(s.data.data(), 10, zcclFloat16, out.data(), out.size(), &bytes, &badImpl),
            zcclInvalidArgument);
  // Decoding with the wrong expectations.
  std::vector<uint8_t> dec(1000 * 4);
  EXPECT_EQ(zcclCodecDecompress(s.frame.data(), s.frame.size(), dec.data(), 999, zcclFloat16, nullptr, nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(zcclCodecDecompress(s.frame.data(), s.frame.size(), dec.data(), 1000, zcclBfloat16, nullptr, nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(zcclCodecDecompress(s.frame.data(), s.frame.size(), nullptr, 1000, zcclFloat16, nullptr, nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(zcclCodecDecompress(nullptr, 100, dec.data(), 1000, zcclFloat16, nullptr, nullptr), zcclInvalidArgument);
  std::vector<uint8_t> garbage(100, 0xAB);
  EXPECT_EQ(zcclCodecDecompress(garbage.data(), garbage.size(), dec.data(), 1000, zcclFloat16, nullptr, nullptr),
            zcclCorruptFrame);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("not a ZipCCL frame"), std::string::npos);
  zcclCodecFrameInfo_t info;
  EXPECT_EQ(zcclCodecGetFrameInfo(garbage.data(), garbage.size(), &info), zcclCorruptFrame);
  EXPECT_EQ(zcclCodecGetFrameInfo(s.frame.data(), s.frame.size(), nullptr), zcclInvalidArgument);
  // Segments.
  const size_t segs[2] = {500, 500};
  std::vector<size_t> sizes(2);
  EXPECT_EQ(
      zcclCodecCompressSegments(s.data.data(), zcclFloat16, -1, segs, out.data(), out.size(), sizes.data(), nullptr),
      zcclInvalidArgument);
  EXPECT_EQ(
      zcclCodecCompressSegments(s.data.data(), zcclFloat16, 2, nullptr, out.data(), out.size(), sizes.data(), nullptr),
      zcclInvalidArgument);
  EXPECT_EQ(zcclCodecCompressSegments(s.data.data(), zcclFloat16, 2, segs, out.data(), out.size(), nullptr, nullptr),
            zcclInvalidArgument);
  ASSERT_EQ(
      zcclCodecCompressSegments(s.data.data(), zcclFloat16, 2, segs, out.data(), out.size(), sizes.data(), nullptr),
      zcclSuccess);
  // The second frame cut short; and a segment count the frames do not match.
  EXPECT_EQ(zcclCodecDecompressSegments(out.data(), sizes[0] + sizes[1] - 1, zcclFloat16, 2, segs, dec.data(), nullptr),
            zcclCorruptFrame);
  const size_t wrong[2] = {500, 499};
  EXPECT_EQ(zcclCodecDecompressSegments(out.data(), sizes[0] + sizes[1], zcclFloat16, 2, wrong, dec.data(), nullptr),
            zcclInvalidArgument);
  EXPECT_EQ(zcclGetVersion(nullptr), zcclInvalidArgument);
  int version = 0;
  EXPECT_EQ(zcclGetVersion(&version), zcclSuccess);
  EXPECT_EQ(version, ZCCL_VERSION_CODE);
  EXPECT_STRNE(zcclGetErrorString(zcclCorruptFrame), zcclGetErrorString(zcclInvalidArgument));
  EXPECT_STREQ(zcclGetErrorString(static_cast<zcclResult_t>(8)), "unknown result code");
}

}  // namespace
}  // namespace zccl::test
