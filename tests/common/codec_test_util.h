// Helpers shared by the codec tests: compress/decompress through the public API with a chosen
// implementation, and payload builders.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/dtype_size.h"
#include "synthetic.h"
#include "zccl/zccl_codec.h"

namespace zccl::test {

inline zcclCodecConfig_t configFor(zcclCodecImpl_t impl, int checksum = 0, int mode = zcclCodecModeWindow) {
  zcclCodecConfig_t c = ZCCL_CODEC_CONFIG_INITIALIZER;
  c.impl = impl;
  c.checksum = checksum;
  c.mode = mode;
  return c;
}

// `count` elements of the synthetic distribution `spec` (see synthetic.h); fails the test on a bad spec.
inline std::vector<uint8_t> payload(const std::string& spec, zcclDataType_t dtype, size_t count, uint64_t seed) {
  data::SyntheticSpec s;
  std::string error;
  EXPECT_TRUE(data::parseSyntheticSpec(spec, &s, &error)) << error;
  return data::makeSynthetic(s, dtype, count, seed);
}

// Compresses `count` elements at `in`; fails the test on error.
inline std::vector<uint8_t> compress(const void* in, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& c) {
  size_t bound = 0;
  EXPECT_EQ(zcclCodecMaxCompressedSize(count, dtype, &bound), zcclSuccess);
  std::vector<uint8_t> frame(bound);
  size_t bytes = 0;
  zcclResult_t r = zcclCodecCompress(in, count, dtype, frame.data(), frame.size(), &bytes, &c);
  EXPECT_EQ(r, zcclSuccess) << zcclGetLastError(nullptr);
  EXPECT_LE(bytes, bound);
  frame.resize(r == zcclSuccess ? bytes : 0);
  return frame;
}

// Decompresses a frame expected to hold `count` elements; returns the decoded bytes.
inline std::vector<uint8_t> decompress(const std::vector<uint8_t>& frame, size_t count, zcclDataType_t dtype,
                                       const zcclCodecConfig_t& c) {
  std::vector<uint8_t> out(count * dtypeBytes(dtype) + 1, 0xA5);
  size_t used = 0;
  zcclResult_t r = zcclCodecDecompress(frame.data(), frame.size(), out.data(), count, dtype, &used, &c);
  EXPECT_EQ(r, zcclSuccess) << zcclGetLastError(nullptr);
  EXPECT_EQ(used, frame.size());
  EXPECT_EQ(out.back(), 0xA5) << "decoder wrote past the end of its output";
  out.pop_back();
  return out;
}

// The core property: reference and fast frames are byte-identical, and both decoders return the
// input bit for bit; the failure names every part that does not hold. The frame (the reference
// one) goes to *frame if given. Errors of the codec calls themselves fail the test directly.
inline ::testing::AssertionResult losslessAndIdentical(const void* in, size_t count, zcclDataType_t dtype,
                                                       int checksum = 0, const std::string& what = "",
                                                       std::vector<uint8_t>* frame = nullptr) {
  const zcclCodecConfig_t ref = configFor(zcclCodecImplReference, checksum);
  const zcclCodecConfig_t fast = configFor(zcclCodecImplFast, checksum);
  std::vector<uint8_t> a = compress(in, count, dtype, ref);
  std::vector<uint8_t> b = compress(in, count, dtype, fast);
  const size_t raw = count * dtypeBytes(dtype);
  std::vector<uint8_t> da = decompress(a, count, dtype, ref);
  std::vector<uint8_t> db = decompress(b, count, dtype, fast);
  std::string problems;
  if (a != b) {
    problems += "; reference and fast frames differ (" + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
                " bytes)";
  }
  if (raw != 0 && std::memcmp(da.data(), in, raw) != 0) problems += "; reference decode is not bit-exact";
  if (raw != 0 && std::memcmp(db.data(), in, raw) != 0) problems += "; fast decode is not bit-exact";
  if (frame != nullptr) *frame = std::move(a);
  if (problems.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << problems.substr(2);
}

// Same, failing the test where it does not hold. Returns the frame.
inline std::vector<uint8_t> expectLosslessAndIdentical(const void* in, size_t count, zcclDataType_t dtype,
                                                       int checksum = 0, const std::string& what = "") {
  std::vector<uint8_t> frame;
  EXPECT_TRUE(losslessAndIdentical(in, count, dtype, checksum, what, &frame));
  return frame;
}

}  // namespace zccl::test
