// The lossless contract on the GPU path (emulated-device build, ranks as threads): on Gaussian
// bf16 and fp32 data, every collective of GPU communicators returns the same bytes with
// compression on as with it off (the same algorithm, uncompressed), and the same bytes as the host path
// (local transport with NCCL's exact receive sizes, compression on) on the same data; the
// compressed runs really compressed (stats).
#include <gtest/gtest.h>

#include "emulated/device_cases.h"
#include "emulated/device_harness.h"

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

}  // namespace
}  // namespace zccl::test
