// ZipCCL's GPU path end to end on the host stand-ins (emulated-device build): communicators from
// zcclCommInitRank on device buffers, ranks as threads each on its own virtual device, every
// collective through the device engine, the emulated kernels and the NCCL transport (which needs
// exact receive sizes, as NCCL does: the stand-in refuses a size mismatch). Every collective, dtype,
// op, counts 0, 1, prime, in place and out of place, compression off (ZipCCL's algorithms
// uncompressed; NCCL's own collectives for the dtypes ZipCCL does not code), on (direct and ring)
// and auto (NCCL's own collectives below minCompressBytes), verified against exact values.
#include <gtest/gtest.h>

#include "emulated/device_harness.h"

namespace zccl::test {
namespace {

struct Param {
  int ranks;
  int compression;
  int algorithm;
};

class DeviceSemantics : public ::testing::TestWithParam<Param> {};

TEST_P(DeviceSemantics, ReductionsAreExact) {
  const Param p = GetParam();
  runDeviceRanks(p.ranks, localConfig(p.compression, p.algorithm), [&](zcclComm_t comm, int r, cudaStream_t s) {
    EXPECT_EQ(checkDeviceReductions(comm, r, p.ranks, s), 0u) << "rank " << r;
  });
}

TEST_P(DeviceSemantics, DataMovementIsExact) {
  const Param p = GetParam();
  runDeviceRanks(p.ranks, localConfig(p.compression, p.algorithm), [&](zcclComm_t comm, int r, cudaStream_t s) {
    EXPECT_EQ(checkDeviceDataMovement(comm, r, p.ranks, s), 0u) << "rank " << r;
  });
}

INSTANTIATE_TEST_SUITE_P(
    Emulated, DeviceSemantics,
    ::testing::Values(Param{1, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT}, Param{2, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT},
                      Param{2, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT}, Param{3, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT},
                      Param{3, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT}, Param{3, ZCCL_COMPRESSION_ON, ZCCL_ALGO_RING},
                      Param{4, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT},
                      Param{4, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT}),
    [](const ::testing::TestParamInfo<Param>& info) {
      return std::to_string(info.param.ranks) + "ranks_" +
             (info.param.compression == ZCCL_COMPRESSION_ON    ? "on"
              : info.param.compression == ZCCL_COMPRESSION_OFF ? "off"
                                                               : "auto") +
             "_" + (info.param.algorithm == ZCCL_ALGO_RING ? "ring" : "direct");
    });

}  // namespace
}  // namespace zccl::test
