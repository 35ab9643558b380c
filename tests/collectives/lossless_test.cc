// The lossless contract: every compressed collective returns exactly the bytes of the same
// algorithm with compression off, on Gaussian and real tensors, for both reduction algorithms;
// repeated runs are identical; and compression really happens (fewer bytes cross the wire).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "collectives/local_harness.h"
#include "synthetic.h"
#include "tensor_file.h"
#include "transport/transport.h"

namespace zccl::test {
namespace {

// Per-rank payloads of `count` elements: Gaussian with a rank-dependent seed, or a real tensor
// file's elements rotated by the rank.
std::vector<std::vector<uint8_t>> payloads(const std::string& source, zcclDataType_t d, int ranks, size_t count) {
  std::vector<std::vector<uint8_t>> out;
  if (source == "gaussian") {
    data::SyntheticSpec spec;
    for (int r = 0; r < ranks; ++r) out.push_back(data::makeSynthetic(spec, d, count, 100 + r));
    return out;
  }
  data::TensorFile tf;
  std::string error;
  EXPECT_TRUE(data::readTensorFile(source, &tf, &error)) << error;
  const std::vector<uint8_t> all = data::concatTensors(tf);
  const size_t eb = dtypeBytes(d);
  if (all.size() / eb == 0) return out;  // unreadable or empty file: the caller asserts the count
  for (int r = 0; r < ranks; ++r) {
    std::vector<uint8_t> b(count * eb);
    for (size_t i = 0; i < count; ++i) std::memcpy(&b[i * eb], &all[((i + r * 7919) % (all.size() / eb)) * eb], eb);
    out.push_back(std::move(b));
  }
  return out;
}

// Outputs of every collective on every rank, and the bytes each world carried.
struct RunResult {
  std::vector<std::vector<std::vector<uint8_t>>> outputs;  // [rank][collective]
  uint64_t wireBytes = 0;
};

RunResult runAll(int ranks, int compression, int algorithm, zcclDataType_t d, zcclRedOp_t op,
                 const std::vector<std::vector<uint8_t>>& in, size_t count) {
  RunResult res;
  res.outputs.resize(ranks);
  auto world = std::make_shared<transport::LocalWorld>(ranks);
  std::atomic<uint64_t> bytes{0};
  world->setTamper([&](int, int, int tag, std::vector<uint8_t>& msg) {
    if (tag == transport::kTagCollective) bytes += msg.size();
  });
  const size_t eb = dtypeBytes(d);
  runRanks(
      ranks, localConfig(compression, algorithm, 256 * 1024),
      [&](zcclComm_t comm, int r) {
        auto& outs = res.outputs[r];
        const std::vector<uint8_t>& mine = in[r];
        std::vector<uint8_t> o(count * eb);
        ASSERT_EQ(zcclAllReduce(mine.data(), o.data(), count, d, op, comm, nullptr), zcclSuccess);
        outs.push_back(o);
        const size_t block = count / ranks;
        std::vector<uint8_t> rs(block * eb);
        ASSERT_EQ(zcclReduceScatter(mine.data(), rs.data(), block, d, op, comm, nullptr), zcclSuccess);
        outs.push_back(rs);
        std::vector<uint8_t> ag(block * ranks * eb);
        ASSERT_EQ(zcclAllGather(mine.data(), ag.data(), block, d, comm, nullptr), zcclSuccess);
        outs.push_back(ag);
        std::vector<uint8_t> a2a(block * ranks * eb);
        ASSERT_EQ(zcclAlltoAll(mine.data(), a2a.data(), block, d, comm, nullptr), zcclSuccess);
        outs.push_back(a2a);
        std::vector<uint8_t> bc = mine;
        ASSERT_EQ(zcclBroadcast(bc.data(), bc.data(), count, d, 0, comm, nullptr), zcclSuccess);
        outs.push_back(bc);
        std::vector<uint8_t> red(count * eb, 0);
        ASSERT_EQ(zcclReduce(mine.data(), red.data(), count, d, op, ranks - 1, comm, nullptr), zcclSuccess);
        outs.push_back(red);
      },
      world);
  res.wireBytes = bytes;
  return res;
}

struct Case {
  std::string source;
  zcclDataType_t dtype;
  int ranks;
  int algorithm;
};

class Lossless : public ::testing::TestWithParam<Case> {};

TEST_P(Lossless, CompressedEqualsUncompressedAndShrinksTheWire) {
  const Case c = GetParam();
  if (c.source != "gaussian" && data::findSharedTensorFiles().empty()) GTEST_SKIP() << "no tensors in ../shared/data";
  const size_t count = 3 * 65536 + 11 * c.ranks;  // several chunks, not a multiple of the block
  const auto in = payloads(c.source, c.dtype, c.ranks, count);
  ASSERT_EQ(in.size(), static_cast<size_t>(c.ranks)) << "no payloads from " << c.source;
  for (zcclRedOp_t op : {zcclSum, zcclMax, zcclAvg, zcclProd, zcclMin}) {
    const RunResult on = runAll(c.ranks, ZCCL_COMPRESSION_ON, c.algorithm, c.dtype, op, in, count);
    const RunResult off = runAll(c.ranks, ZCCL_COMPRESSION_OFF, c.algorithm, c.dtype, op, in, count);
    const RunResult again = runAll(c.ranks, ZCCL_COMPRESSION_ON, c.algorithm, c.dtype, op, in, count);
    for (int r = 0; r < c.ranks; ++r) {
      ASSERT_EQ(on.outputs[r].size(), off.outputs[r].size()) << "rank " << r << " op " << op;
      ASSERT_EQ(on.outputs[r].size(), again.outputs[r].size()) << "repeat: rank " << r << " op " << op;
      for (size_t k = 0; k < on.outputs[r].size(); ++k) {
        EXPECT_TRUE(on.outputs[r][k] == off.outputs[r][k]) << "rank " << r << " collective " << k << " op " << op;
        EXPECT_TRUE(on.outputs[r][k] == again.outputs[r][k]) << "repeat: rank " << r << " collective " << k;
      }
    }
    const double ratio = static_cast<double>(on.wireBytes) / off.wireBytes;
    const double limit = c.dtype == zcclBfloat16 ? 0.80 : c.dtype == zcclFloat32 ? 0.90 : 0.93;
    EXPECT_LT(ratio, limit) << "wire bytes compressed/uncompressed, op " << op;
  }
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (int ranks : {2, 3, 4}) {
    for (zcclDataType_t d : {zcclBfloat16, zcclFloat16, zcclFloat32}) {
      v.push_back({"gaussian", d, ranks, ZCCL_ALGO_DIRECT});
    }
    v.push_back({"gaussian", zcclBfloat16, ranks, ZCCL_ALGO_RING});
  }
  // Real training tensors (skipped where absent).
  for (const std::string& f : data::findSharedTensorFiles()) {
    if (f.find("step0400-grads-bf16") != std::string::npos) v.push_back({f, zcclBfloat16, 4, ZCCL_ALGO_DIRECT});
    if (f.find("step0400-acts-f32") != std::string::npos) v.push_back({f, zcclFloat32, 3, ZCCL_ALGO_RING});
    if (f.find("step0400-adam-bf16") != std::string::npos) v.push_back({f, zcclBfloat16, 3, ZCCL_ALGO_DIRECT});
  }
  return v;
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  std::string src = c.source == "gaussian" ? "gaussian" : "file" + std::to_string(info.index);
  return src + "_dtype" + std::to_string(c.dtype) + "_" + std::to_string(c.ranks) + "ranks_" +
         (c.algorithm == ZCCL_ALGO_RING ? "ring" : "direct");
}

INSTANTIATE_TEST_SUITE_P(Local, Lossless, ::testing::ValuesIn(cases()), caseName);

}  // namespace
}  // namespace zccl::test
