// The real tensors of ../shared/data (weights, gradients, Adam moments, activations of a trained
// GPT; third-party model weights with subnormals and tiny tensors): every tensor round-trips
// bit-exactly with byte-identical reference and fast frames, alone and as the uneven segments a
// 3-rank collective would send. Skipped, with a message, where the data directory is absent.
#include <gtest/gtest.h>

#include "common/codec_test_util.h"
#include "tensor_file.h"

namespace zccl::test {
namespace {

TEST(RealTensors, EveryTensorIsLosslessAndIdentical) {
  const std::vector<std::string> files = data::findSharedTensorFiles();
  if (files.empty()) GTEST_SKIP() << "no tensors found (set ZCCL_DATA_DIR or provide ../shared/data)";
  size_t tensors = 0, bytes = 0, compressed = 0;
  for (const std::string& path : files) {
    data::TensorFile tf;
    std::string error;
    ASSERT_TRUE(data::readTensorFile(path, &tf, &error)) << error;
    for (const data::Tensor& t : tf.tensors) {
      std::vector<uint8_t> frame =
          expectLosslessAndIdentical(t.bytes.data(), t.count(), t.dtype, 0, path + ":" + t.name);
      ++tensors;
      bytes += t.bytes.size();
      compressed += frame.size();
    }
  }
  EXPECT_GT(tensors, 500u);
  EXPECT_LT(static_cast<double>(compressed) / bytes, 0.9) << "real tensors must compress";
}

TEST(RealTensors, WholeFilesAsUnevenSegments) {
  const std::vector<std::string> files = data::findSharedTensorFiles();
  if (files.empty()) GTEST_SKIP() << "no tensors found (set ZCCL_DATA_DIR or provide ../shared/data)";
  for (const std::string& path : files) {
    data::TensorFile tf;
    std::string error;
    ASSERT_TRUE(data::readTensorFile(path, &tf, &error)) << error;
    const std::vector<uint8_t> all = data::concatTensors(tf);
    const zcclDataType_t dtype = tf.tensors.front().dtype;
    const size_t count = all.size() / dtypeBytes(dtype);
    const size_t segs[3] = {count / 3 + 1, count / 3 - 1, count - 2 * (count / 3)};
    size_t capacity = 0;
    for (size_t c : segs) {
      size_t b = 0;
      ASSERT_EQ(zcclCodecMaxCompressedSize(c, dtype, &b), zcclSuccess);
      capacity += b;
    }
    std::vector<uint8_t> ref(capacity), fast(capacity), out(all.size());
    std::vector<size_t> refSizes(3), fastSizes(3);
    const zcclCodecConfig_t rc = configFor(zcclCodecImplReference, 1), fc = configFor(zcclCodecImplFast, 1);
    ASSERT_EQ(zcclCodecCompressSegments(all.data(), dtype, 3, segs, ref.data(), capacity, refSizes.data(), &rc),
              zcclSuccess);
    ASSERT_EQ(zcclCodecCompressSegments(all.data(), dtype, 3, segs, fast.data(), capacity, fastSizes.data(), &fc),
              zcclSuccess);
    const size_t used = refSizes[0] + refSizes[1] + refSizes[2];
    ASSERT_EQ(refSizes, fastSizes) << path;
    EXPECT_EQ(0, std::memcmp(ref.data(), fast.data(), used)) << path;
    ASSERT_EQ(zcclCodecDecompressSegments(fast.data(), used, dtype, 3, segs, out.data(), &fc), zcclSuccess);
    EXPECT_EQ(out, all) << path;
  }
}

}  // namespace
}  // namespace zccl::test
