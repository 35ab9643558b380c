// The tensor file readers used by zccl-inspect and the tests: well-formed files parse, and every
// malformed or truncated file gives an error naming the file and the problem (never a crash).
#include "tensor_file.h"

#include <gtest/gtest.h>

#include <cstring>

namespace zccl::data {
namespace {

std::vector<uint8_t> safetensors(const std::string& header, size_t dataBytes) {
  std::string h = header;
  while (h.size() % 8 != 0) h += ' ';
  std::vector<uint8_t> f(8 + h.size() + dataBytes, 0);
  for (int i = 0; i < 8; ++i) f[i] = static_cast<uint8_t>(static_cast<uint64_t>(h.size()) >> (8 * i));
  std::memcpy(f.data() + 8, h.data(), h.size());
  for (size_t i = 0; i < dataBytes; ++i) f[8 + h.size() + i] = static_cast<uint8_t>(i);
  return f;
}

TEST(TensorFile, SafetensorsParses) {
  auto f = safetensors(R"({"__metadata__":{"k":"v"},"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,12]},)"
                       R"("b":{"dtype":"F32","shape":[],"data_offsets":[12,16]},"c":{"dtype":"I64","shape":[1],)"
                       R"("data_offsets":[16,24]}})",
                       24);
  TensorFile tf;
  std::string error;
  ASSERT_TRUE(parseSafetensors("x.safetensors", f, &tf, &error)) << error;
  ASSERT_EQ(tf.tensors.size(), 2u);
  EXPECT_EQ(tf.tensors[0].name, "a");
  EXPECT_EQ(tf.tensors[0].dtype, zcclBfloat16);
  EXPECT_EQ(tf.tensors[0].count(), 6u);
  EXPECT_EQ(tf.tensors[1].count(), 1u);  // 0-d scalar
  EXPECT_EQ(tf.tensors[1].bytes[0], 12);
  ASSERT_EQ(tf.skipped.size(), 1u);
  EXPECT_EQ(tf.skipped[0], "c (I64)");
}

TEST(TensorFile, MalformedSafetensorsNameFileAndProblem) {
  struct Case {
    std::vector<uint8_t> file;
    const char* expect;
  };
  auto good = safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 16);
  std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  std::vector<uint8_t> hugeHeader = good;
  hugeHeader[7] = 0x7F;
  const Case cases[] = {
      {{1, 2, 3}, "truncated"},
      {hugeHeader, "exceeds the file"},
      {truncated, "exceed"},
      {safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})", 16), "malformed header JSON"},
      {safetensors(R"([1,2])", 0), "not a JSON object"},
      {safetensors(R"({"a":{"dtype":"F32","shape":[5],"data_offsets":[0,16]}})", 16), "shape does not match"},
      {safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[8,4]}})", 16), "bad data_offsets"},
      {safetensors(R"({"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", 16), "non-integer"},
      {safetensors(R"({"a":{"dtype":"F32","data_offsets":[0,16]}})", 16), "needs dtype, shape"},
      {safetensors(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16),
       "shape does not match"},
      {safetensors(std::string(200, '['), 0), "malformed header JSON"},
  };
  for (const Case& c : cases) {
    TensorFile tf;
    std::string error;
    EXPECT_FALSE(parseSafetensors("bad.safetensors", c.file, &tf, &error)) << c.expect;
    EXPECT_EQ(error.rfind("bad.safetensors: ", 0), 0u) << error;
    EXPECT_NE(error.find(c.expect), std::string::npos) << "got: " << error;
  }
}

std::vector<uint8_t> npy(const std::string& dict, size_t dataBytes) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 16 != 0) header += ' ';
  header += '\n';
  const char magic[] = "\x93NUMPY\x01";
  std::string f(magic, 8);
  f += static_cast<char>(header.size() & 0xFF);
  f += static_cast<char>(header.size() >> 8);
  f += header;
  f.append(dataBytes, 7);
  return std::vector<uint8_t>(f.begin(), f.end());
}

TEST(TensorFile, NpyParsesAndRejects) {
  TensorFile tf;
  std::string error;
  ASSERT_TRUE(parseNpy("t.npy", npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3, 5), }", 30), &tf, &error))
      << error;
  EXPECT_EQ(tf.tensors[0].dtype, zcclFloat16);
  EXPECT_EQ(tf.tensors[0].count(), 15u);
  EXPECT_EQ(tf.tensors[0].name, "t");
  EXPECT_FALSE(parseNpy("t.npy", npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3, 5), }", 29), &tf, &error));
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  EXPECT_FALSE(parseNpy("t.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", 12), &tf, &error));
  EXPECT_NE(error.find("unsupported dtype"), std::string::npos) << error;
  EXPECT_FALSE(parseNpy("t.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", 12), &tf, &error));
  EXPECT_NE(error.find("fortran_order"), std::string::npos) << error;
  EXPECT_FALSE(parseNpy("t.npy", {'n', 'o', 't'}, &tf, &error));
  EXPECT_NE(error.find("not a .npy file"), std::string::npos) << error;
  EXPECT_FALSE(readTensorFile("/nonexistent/x.safetensors", &tf, &error));
  EXPECT_NE(error.find("/nonexistent/x.safetensors: cannot open"), std::string::npos) << error;
}

}  // namespace
}  // namespace zccl::data
