// The GPU path with ranks as processes (emulated-device build, ctest runs it under mpirun with 2,
// 3 and 4 ranks): GPU communicators from zcclCommInitRank (the unique id sent with MPI_Bcast, each
// process on its own device 0, the stand-in NCCL across processes in shared memory) pass the
// semantic checks with compression on and off, and return on Gaussian data the same bytes as the
// host path over Open MPI (zcclCommInitMpi) with compression on, and as themselves with
// compression off. Every rank prints its own failures.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "emulated/device_cases.h"
#include "emulated/device_harness.h"
#include "mpi/mpi_world.h"
#include "zccl/zccl_mpi.h"

namespace zccl::test {
namespace {

// A GPU communicator over all processes, or nullptr (and a failure).
zcclComm_t gpuComm(zcclConfig_t config) {
  zcclUniqueId id{};
  if (worldRank() == 0) {
    EXPECT_EQ(zcclGetUniqueId(&id), zcclSuccess);
  }
  MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD);
  zcclComm_t comm = nullptr;
  EXPECT_EQ(zcclCommInitRankConfig(&comm, worldSize(), id, worldRank(), &config), zcclSuccess)
      << zcclGetLastError(nullptr);
  return comm;
}

class DeviceMpiSemantics : public ::testing::TestWithParam<int> {};

TEST_P(DeviceMpiSemantics, AllCollectivesAreExact) {
  zcclComm_t comm = gpuComm(localConfig(GetParam()));
  ASSERT_NE(comm, nullptr);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  SCOPED_TRACE("rank " + std::to_string(worldRank()));
  EXPECT_EQ(checkDeviceReductions(comm, worldRank(), worldSize(), stream), 0u);
  EXPECT_EQ(checkDeviceDataMovement(comm, worldRank(), worldSize(), stream), 0u);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
  cudaStreamDestroy(stream);
}

INSTANTIATE_TEST_SUITE_P(Compression, DeviceMpiSemantics,
                         ::testing::Values(ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON, ZCCL_COMPRESSION_AUTO),
                         [](const auto& info) {
                           return std::string(info.param == ZCCL_COMPRESSION_ON    ? "on"
                                              : info.param == ZCCL_COMPRESSION_OFF ? "off"
                                                                                   : "auto");
                         });

TEST(DeviceMpi, GpuPathMatchesTheMpiHostPathBitForBit) {
  const int P = worldSize(), r = worldRank();
  const size_t count = 9000;
  for (zcclDataType_t d : {zcclBfloat16, zcclFloat32}) {
    zcclComm_t on = gpuComm(localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 16384));
    zcclComm_t off = gpuComm(localConfig(ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT, 16384));
    zcclConfig_t hostConfig = localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 16384);
    zcclComm_t host = nullptr;
    ASSERT_EQ(zcclCommInitMpiConfig(&host, MPI_COMM_WORLD, &hostConfig), zcclSuccess);
    ASSERT_NE(on, nullptr);
    ASSERT_NE(off, nullptr);
    cudaStream_t stream;
    ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
    const size_t eb = dtypeBytes(d);
    for (const DeviceCase& cc : deviceCases(P)) {
      SCOPED_TRACE(std::string(cc.name) + " dtype " + std::to_string(d) + " rank " + std::to_string(r));
      const std::vector<uint8_t> input = deviceCaseInput(d, r, cc.sendBlocks * count);
      std::vector<uint8_t> hostOut(cc.recvBlocks * count * eb, 0);
      EXPECT_EQ(cc.run(input.data(), hostOut.data(), count, d, host, nullptr), zcclSuccess);
      DeviceBytes send(input), recvOn(hostOut.size(), 0), recvOff(hostOut.size(), 0);
      EXPECT_EQ(cc.run(send.data(), recvOn.data(), count, d, on, stream), zcclSuccess) << zcclGetLastError(nullptr);
      EXPECT_EQ(cc.run(send.data(), recvOff.data(), count, d, off, stream), zcclSuccess);
      EXPECT_TRUE(recvOn.host() == hostOut) << "GPU path (compressed) and MPI host path differ";
      EXPECT_TRUE(recvOn.host() == recvOff.host()) << "compression changed the result";
    }
    EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    cudaStreamDestroy(stream);
    EXPECT_EQ(zcclCommDestroy(on), zcclSuccess);
    EXPECT_EQ(zcclCommDestroy(off), zcclSuccess);
    EXPECT_EQ(zcclCommDestroy(host), zcclSuccess);
  }
}

}  // namespace
}  // namespace zccl::test

int main(int argc, char** argv) { return zccl::test::runTestsOnEveryRank(argc, argv, "device_mpi_test"); }
