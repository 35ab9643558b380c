// The collectives over Open MPI, run by ctest under mpirun with 2, 3 and 4 ranks: the semantic
// checks (every collective, dtype, op, odd counts, in place) with compression on, off and auto
// (auto sends small and non-float messages through MPI's own collectives) and with the ring
// algorithm; the lossless contract on Gaussian and real tensors; send/recv groups; bad arguments.
// Every rank runs every test and prints its own failures; the exit status is nonzero if any rank
// failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "collectives/semantics_checks.h"
#include "mpi/mpi_world.h"
#include "synthetic.h"
#include "tensor_file.h"
#include "zccl/zccl_mpi.h"

namespace zccl::test {
namespace {

zcclComm_t mpiComm(const zcclConfig_t& config) {
  zcclComm_t comm = nullptr;
  zcclConfig_t c = config;
  EXPECT_EQ(zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &c), zcclSuccess) << zcclGetLastError(nullptr);
  return comm;
}

struct Mode {
  const char* name;
  int compression, algorithm;
};

class MpiSemantics : public ::testing::TestWithParam<Mode> {};

TEST_P(MpiSemantics, AllCollectivesAreExact) {
  const Mode m = GetParam();
  zcclConfig_t config = localConfig(m.compression, m.algorithm);
  config.minCompressBytes = 4096;  // under auto: small messages take MPI's own collectives
  zcclComm_t comm = mpiComm(config);
  ASSERT_NE(comm, nullptr);
  SCOPED_TRACE(std::string("mode ") + m.name + ", rank " + std::to_string(worldRank()));
  EXPECT_EQ(checkReductions(comm, worldRank(), worldSize()), 0u);
  EXPECT_EQ(checkDataMovement(comm, worldRank(), worldSize()), 0u);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

INSTANTIATE_TEST_SUITE_P(Modes, MpiSemantics,
                         ::testing::Values(Mode{"on", ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT},
                                           Mode{"off", ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT},
                                           Mode{"auto", ZCCL_COMPRESSION_AUTO, ZCCL_ALGO_DIRECT},
                                           Mode{"ring", ZCCL_COMPRESSION_ON, ZCCL_ALGO_RING}),
                         [](const auto& info) { return std::string(info.param.name); });

// All-reduce, all-gather, reduce-scatter and all-to-all of `data` with compression on and off.
void expectLossless(const std::vector<uint8_t>& data, zcclDataType_t d, int algorithm) {
  const int P = worldSize();
  const size_t eb = dtypeBytes(d), count = data.size() / eb, block = count / P;
  std::vector<std::vector<uint8_t>> results[2];
  for (int on = 0; on < 2; ++on) {
    zcclComm_t comm = mpiComm(localConfig(on ? ZCCL_COMPRESSION_ON : ZCCL_COMPRESSION_OFF, algorithm, 128 * 1024));
    std::vector<uint8_t> ar(count * eb), ag(P * block * eb), rs(block * eb), a2a(P * block * eb);
    EXPECT_EQ(zcclAllReduce(data.data(), ar.data(), count, d, zcclSum, comm, nullptr), zcclSuccess);
    EXPECT_EQ(zcclAllGather(data.data(), ag.data(), block, d, comm, nullptr), zcclSuccess);
    EXPECT_EQ(zcclReduceScatter(data.data(), rs.data(), block, d, zcclAvg, comm, nullptr), zcclSuccess);
    EXPECT_EQ(zcclAlltoAll(data.data(), a2a.data(), block, d, comm, nullptr), zcclSuccess);
    results[on] = {ar, ag, rs, a2a};
    EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
  }
  for (size_t k = 0; k < results[0].size(); ++k) {
    EXPECT_TRUE(results[0][k] == results[1][k])
        << "collective " << k << " differs with compression, rank " << worldRank();
  }
}

TEST(Mpi, LosslessOnGaussianAndRealTensors) {
  data::SyntheticSpec spec;
  for (zcclDataType_t d : {zcclBfloat16, zcclFloat16, zcclFloat32}) {
    expectLossless(data::makeSynthetic(spec, d, 300007, 77 + worldRank()), d, ZCCL_ALGO_DIRECT);
  }
  expectLossless(data::makeSynthetic(spec, zcclBfloat16, 200003, 5 + worldRank()), zcclBfloat16, ZCCL_ALGO_RING);
  for (const std::string& f : data::findSharedTensorFiles()) {
    if (f.find("step0100-grads-bf16") == std::string::npos) continue;
    data::TensorFile tf;
    std::string error;
    ASSERT_TRUE(data::readTensorFile(f, &tf, &error)) << error;
    std::vector<uint8_t> all = data::concatTensors(tf);
    std::rotate(all.begin(), all.begin() + 2 * (worldRank() * 100003 % (all.size() / 2)), all.end());
    expectLossless(all, zcclBfloat16, ZCCL_ALGO_DIRECT);
  }
}

TEST(Mpi, SendRecvRingInAGroup) {
  const int P = worldSize(), r = worldRank();
  zcclComm_t comm = mpiComm(localConfig(ZCCL_COMPRESSION_ON));
  const size_t count = 50001;
  const std::vector<uint8_t> mine = verifiableBuffer(zcclBfloat16, r, count, zcclSum);
  std::vector<uint8_t> fromLeft(count * 2);
  EXPECT_EQ(zcclGroupStart(), zcclSuccess);
  EXPECT_EQ(zcclSend(mine.data(), count, zcclBfloat16, (r + 1) % P, comm, nullptr), zcclSuccess);
  EXPECT_EQ(zcclRecv(fromLeft.data(), count, zcclBfloat16, (r - 1 + P) % P, comm, nullptr), zcclSuccess);
  EXPECT_EQ(zcclGroupEnd(), zcclSuccess) << zcclGetLastError(nullptr);
  EXPECT_EQ(fromLeft, verifiableBuffer(zcclBfloat16, (r - 1 + P) % P, count, zcclSum));
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

// Under auto the selector decides from the link figures: stated here (ZCCL_PROBE=0 and the
// ZCCL_NET_* / ZCCL_INTRA_* variables, read at creation) so the test does not depend on the machine.
zcclComm_t autoComm(const char* gbps) {
  setenv("ZCCL_PROBE", "0", 1);
  setenv("ZCCL_NET_BW", gbps, 1);
  setenv("ZCCL_INTRA_BW", gbps, 1);
  zcclConfig_t config = localConfig(ZCCL_COMPRESSION_AUTO, ZCCL_ALGO_AUTO);
  config.chunkBytes = ZCCL_CONFIG_UNDEF_INT;
  config.minCompressBytes = 4096;
  zcclComm_t comm = mpiComm(config);
  unsetenv("ZCCL_PROBE");
  unsetenv("ZCCL_NET_BW");
  unsetenv("ZCCL_INTRA_BW");
  return comm;
}

TEST(Mpi, AutoSendsSmallMessagesThroughMpiAndCompressesOnSlowLinks) {
  zcclComm_t comm = autoComm("0.125");  // 1 Gbit/s
  const std::vector<uint8_t> big = data::makeSynthetic(data::SyntheticSpec{}, zcclFloat32, 65536, 1 + worldRank());
  std::vector<uint8_t> out(big.size());
  EXPECT_EQ(zcclAllReduce(big.data(), out.data(), 16, zcclFloat32, zcclSum, comm, nullptr), zcclSuccess);
  zcclCommStats_t s{};
  EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess);
  if (worldSize() > 1) {
    EXPECT_EQ(s.plainCalls, 1u) << "64 bytes: a latency-bound message, MPI_Allreduce carries it";
    EXPECT_EQ(s.rawBytes, 0u);
  }
  EXPECT_EQ(zcclAllReduce(big.data(), out.data(), 65536, zcclFloat32, zcclSum, comm, nullptr), zcclSuccess);
  EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess);
  EXPECT_EQ(s.calls, 2u);
  if (worldSize() > 1) {
    EXPECT_EQ(s.compressedCalls, 1u) << "256 KiB over 1 Gbit/s: compression pays";
    EXPECT_GT(s.rawBytes, 0u);
  }
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

TEST(Mpi, AutoDoesNotCompressOverFastLinks) {
  zcclComm_t comm = autoComm("100");  // 100 GB/s: faster than the CPU codec
  const std::vector<uint8_t> big = data::makeSynthetic(data::SyntheticSpec{}, zcclBfloat16, 1 << 20, 1 + worldRank());
  std::vector<uint8_t> out(big.size());
  EXPECT_EQ(zcclAllReduce(big.data(), out.data(), 1 << 20, zcclBfloat16, zcclSum, comm, nullptr), zcclSuccess);
  zcclCommStats_t s{};
  EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess);
  EXPECT_EQ(s.compressedCalls, 0u) << "2 MiB of bf16 at 100 GB/s: the codec would only cost";
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

// The 8-bit all-reduce and reduce-scatter over Open MPI: identical on every rank and equal, bit for
// bit, to the same call on a local world of as many threads (the algorithm is deterministic).
TEST(Mpi, QuantizedReductionsMatchTheLocalWorld) {
  const int P = worldSize(), r = worldRank();
  const size_t count = 5003;
  for (zcclDataType_t d : {zcclBfloat16, zcclFloat32}) {
    data::SyntheticSpec spec;
    std::vector<std::vector<uint8_t>> in;
    for (int p = 0; p < P; ++p) in.push_back(data::makeSynthetic(spec, d, count * P, 300 + p));
    const size_t eb = dtypeBytes(d);
    std::vector<uint8_t> ar(count * P * eb), rs(count * eb);
    zcclComm_t comm = mpiComm(localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 8192));
    ASSERT_EQ(zcclAllReduceQuantized(in[r].data(), ar.data(), count * P, d, zcclSum, comm, nullptr), zcclSuccess);
    ASSERT_EQ(zcclReduceScatterQuantized(in[r].data(), rs.data(), count, d, zcclAvg, comm, nullptr), zcclSuccess);
    EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
    std::vector<std::vector<uint8_t>> localAr(P, ar), localRs(P, rs);
    runRanks(P, localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 8192), [&](zcclComm_t c, int q) {
      EXPECT_EQ(zcclAllReduceQuantized(in[q].data(), localAr[q].data(), count * P, d, zcclSum, c, nullptr),
                zcclSuccess);
      EXPECT_EQ(zcclReduceScatterQuantized(in[q].data(), localRs[q].data(), count, d, zcclAvg, c, nullptr),
                zcclSuccess);
    });
    EXPECT_EQ(ar, localAr[r]) << "dtype " << d;
    EXPECT_EQ(rs, localRs[r]) << "dtype " << d;
  }
}

TEST(Mpi, BadArgumentsFailOnEveryRankWithoutHanging) {
  zcclComm_t comm = mpiComm(localConfig(ZCCL_COMPRESSION_ON));
  float x = 1;
  EXPECT_EQ(zcclAllReduce(nullptr, &x, 1, zcclFloat32, zcclSum, comm, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclBroadcast(&x, &x, 1, zcclFloat32, worldSize(), comm, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
  EXPECT_EQ(zcclAllReduce(&x, &x, 1, zcclFloat32, zcclSum, comm, nullptr), zcclInvalidUsage);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("destroyed"), std::string::npos);
}

}  // namespace
}  // namespace zccl::test

int main(int argc, char** argv) { return zccl::test::runTestsOnEveryRank(argc, argv, "mpi_collectives_test"); }
