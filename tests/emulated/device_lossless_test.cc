// The lossless contract on the GPU path (emulated-device build, ranks as threads): on Gaussian
// bf16 and fp32 data, every collective of GPU communicators returns the same bytes with
// compression on as with it off (the same algorithm, uncompressed), and the same bytes as the host path
// (local transport with NCCL's exact receive sizes, compression on) on the same data; the
// compressed runs really compressed (stats).
#include <gtest/gtest.h>

#include "emulated/device_cases.h"
#include "emulated/device_harness.h"
#include "tensor_file.h"

namespace zccl::test {
namespace {

constexpr size_t kCount = 9000;  // elements per block: 2-3 chunks of 16 KiB

using Results = std::vector<std::vector<uint8_t>>;  // per rank

Results runDevice(const DeviceCase& cc, int P, zcclDataType_t d, const zcclConfig_t& config, bool expectCompressed) {
  Results out(P);
  const size_t eb = dtypeBytes(d);
  runDeviceRanks(P, config, [&](zcclComm_t comm, int r, cudaStream_t stream) {
    DeviceBytes send(deviceCaseInput(d, r, cc.sendBlocks * kCount)), recv(cc.recvBlocks * kCount * eb, 0);
    EXPECT_EQ(cc.run(send.data(), recv.data(), kCount, d, comm, stream), zcclSuccess) << zcclGetLastError(nullptr);
    out[r] = recv.host();
    zcclCommStats_t stats{};
    EXPECT_EQ(zcclCommGetStats(comm, &stats), zcclSuccess);
    if (expectCompressed) {
      EXPECT_GT(stats.compressedCalls, 0u) << cc.name << " rank " << r;
    }
  });
  return out;
}

Results runHost(const DeviceCase& cc, int P, zcclDataType_t d, const zcclConfig_t& config) {
  Results out(P);
  const size_t eb = dtypeBytes(d);
  runRanks(
      P, config,
      [&](zcclComm_t comm, int r) {
        const std::vector<uint8_t> send = deviceCaseInput(d, r, cc.sendBlocks * kCount);
        out[r].assign(cc.recvBlocks * kCount * eb, 0);
        EXPECT_EQ(cc.run(send.data(), out[r].data(), kCount, d, comm, nullptr), zcclSuccess);
      },
      std::make_shared<transport::LocalWorld>(P, true));
  return out;
}

struct Param {
  int ranks;
  zcclDataType_t dtype;
  int algorithm;
};

class DeviceLossless : public ::testing::TestWithParam<Param> {};

TEST_P(DeviceLossless, GpuPathMatchesItselfAndTheHostPath) {
  const Param p = GetParam();
  for (const DeviceCase& cc : deviceCases(p.ranks)) {
    SCOPED_TRACE(cc.name);
    const Results on = runDevice(cc, p.ranks, p.dtype, localConfig(ZCCL_COMPRESSION_ON, p.algorithm, 16384), true);
    const Results host = runHost(cc, p.ranks, p.dtype, localConfig(ZCCL_COMPRESSION_ON, p.algorithm, 16384));
    for (int r = 0; r < p.ranks; ++r) EXPECT_TRUE(on[r] == host[r]) << "GPU and host paths differ on rank " << r;
    const Results off = runDevice(cc, p.ranks, p.dtype, localConfig(ZCCL_COMPRESSION_OFF, p.algorithm, 16384), false);
    for (int r = 0; r < p.ranks; ++r) EXPECT_TRUE(on[r] == off[r]) << "compression changed rank " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Emulated, DeviceLossless,
                         ::testing::Values(Param{2, zcclBfloat16, ZCCL_ALGO_DIRECT},
                                           Param{3, zcclBfloat16, ZCCL_ALGO_DIRECT},
                                           Param{3, zcclBfloat16, ZCCL_ALGO_RING},
                                           Param{4, zcclFloat32, ZCCL_ALGO_DIRECT}),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::to_string(info.param.ranks) + "ranks_" +
                                  (info.param.dtype == zcclBfloat16 ? "bf16" : "fp32") + "_" +
                                  (info.param.algorithm == ZCCL_ALGO_RING ? "ring" : "direct");
                         });

// Real training tensors, once (the emulated kernels code about 4 MB/s): each of 3 ranks holds a
// different window of a bf16 tensor file; all-reduce, all-gather and reduce-scatter on the GPU
// path with compression on equal the same with compression off and the host path.
TEST(DeviceLosslessRealTensors, BfloatTrainingTensors) {
  std::string path;
  for (const std::string& f : data::findSharedTensorFiles()) {
    if (f.find("bf16") != std::string::npos && f.find("grad") != std::string::npos) path = f;
  }
  if (path.empty()) GTEST_SKIP() << "no bf16 gradient file found (set ZCCL_DATA_DIR or provide ../shared/data)";
  data::TensorFile tf;
  std::string error;
  ASSERT_TRUE(data::readTensorFile(path, &tf, &error)) << error;
  std::vector<uint8_t> all;
  for (const data::Tensor& t : tf.tensors) {
    if (t.dtype == zcclBfloat16) all.insert(all.end(), t.bytes.begin(), t.bytes.end());
  }
  const int P = 3;
  const size_t count = std::min<size_t>(all.size() / 2 / P, 96 * 1024);  // elements per rank
  ASSERT_GT(count, 1000u) << path;
  std::vector<Results> runs;
  for (int mode = 0; mode < 3; ++mode) {  // GPU on, GPU off, host on
    Results out(P);
    auto body = [&](zcclComm_t comm, int r, cudaStream_t stream, bool device) {
      const std::vector<uint8_t> mine(all.begin() + r * count * 2, all.begin() + (r + 1) * count * 2);
      std::vector<uint8_t> ar(count * 2), ag(P * count * 2), rs(count / P * 2);
      if (device) {
        DeviceBytes in(mine), dar(ar.size()), dag(ag.size()), drs(rs.size());
        EXPECT_EQ(zcclAllReduce(in.data(), dar.data(), count, zcclBfloat16, zcclSum, comm, stream), zcclSuccess);
        EXPECT_EQ(zcclAllGather(in.data(), dag.data(), count, zcclBfloat16, comm, stream), zcclSuccess);
        EXPECT_EQ(zcclReduceScatter(in.data(), drs.data(), count / P, zcclBfloat16, zcclAvg, comm, stream),
                  zcclSuccess);
        ar = dar.host();
        ag = dag.host();
        rs = drs.host();
      } else {
        EXPECT_EQ(zcclAllReduce(mine.data(), ar.data(), count, zcclBfloat16, zcclSum, comm, nullptr), zcclSuccess);
        EXPECT_EQ(zcclAllGather(mine.data(), ag.data(), count, zcclBfloat16, comm, nullptr), zcclSuccess);
        EXPECT_EQ(zcclReduceScatter(mine.data(), rs.data(), count / P, zcclBfloat16, zcclAvg, comm, nullptr),
                  zcclSuccess);
      }
      out[r] = ar;
      out[r].insert(out[r].end(), ag.begin(), ag.end());
      out[r].insert(out[r].end(), rs.begin(), rs.end());
    };
    const zcclConfig_t config =
        localConfig(mode == 1 ? ZCCL_COMPRESSION_OFF : ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 128 * 1024);
    if (mode < 2) {
      runDeviceRanks(P, config, [&](zcclComm_t c, int r, cudaStream_t s) { body(c, r, s, true); });
    } else {
      runRanks(
          P, config, [&](zcclComm_t c, int r) { body(c, r, nullptr, false); },
          std::make_shared<transport::LocalWorld>(P, true));
    }
    runs.push_back(out);
  }
  for (int r = 0; r < P; ++r) {
    EXPECT_TRUE(runs[0][r] == runs[1][r]) << "compression changed rank " << r << " (" << path << ")";
    EXPECT_TRUE(runs[0][r] == runs[2][r]) << "GPU and host paths differ on rank " << r << " (" << path << ")";
  }
}

}  // namespace
}  // namespace zccl::test
