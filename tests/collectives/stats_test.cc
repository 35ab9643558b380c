// zcclCommGetStats: the counters a perf binary reports (size ratio, plain calls, codec time) must
// count exactly what the algorithms sent. Ring all-gather sends P-1 blocks per rank; a point-to-point
// send sends its message once; compression off sends raw bytes; a compressed Gaussian payload
// sends fewer bytes than it carries.
#include <gtest/gtest.h>

#include "collectives/local_harness.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

zcclCommStats_t statsOf(zcclComm_t comm) {
  zcclCommStats_t s{};
  EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess) << zcclGetLastError(nullptr);
  return s;
}

void expectAllGatherTraffic(int compression) {
  const int P = 4;
  const size_t count = 40000;
  runRanks(P, localConfig(compression, ZCCL_ALGO_DIRECT, 64 * 1024), [&](zcclComm_t comm, int r) {
    const std::vector<uint8_t> mine = data::makeSynthetic(data::SyntheticSpec{}, zcclBfloat16, count, 10 + r);
    std::vector<uint8_t> all(P * count * 2);
    const zcclCommStats_t before = statsOf(comm);
    ASSERT_EQ(zcclAllGather(mine.data(), all.data(), count, zcclBfloat16, comm, nullptr), zcclSuccess);
    const zcclCommStats_t s = statsOf(comm);
    EXPECT_EQ(s.calls - before.calls, 1u);
    EXPECT_EQ(s.plainCalls, 0u);
    EXPECT_EQ(s.rawBytes - before.rawBytes, (P - 1) * count * 2) << "ring all-gather forwards P-1 blocks";
    if (compression == ZCCL_COMPRESSION_ON) {
      EXPECT_EQ(s.compressedCalls - before.compressedCalls, 1u);
      EXPECT_LT(s.wireBytes - before.wireBytes, (s.rawBytes - before.rawBytes) * 8 / 10);
      EXPECT_GT(s.codecSeconds, 0.0);
    } else {
      EXPECT_EQ(s.compressedCalls, 0u);
      EXPECT_EQ(s.wireBytes, s.rawBytes);
      EXPECT_EQ(s.codecSeconds, 0.0);
    }
    EXPECT_EQ(s.controlBytes, 0u) << "the local transport takes frames of any size";
  });
}

TEST(Stats, AllGatherCountsWhatTheRingSends) {
  expectAllGatherTraffic(ZCCL_COMPRESSION_ON);
  expectAllGatherTraffic(ZCCL_COMPRESSION_OFF);
}

TEST(Stats, PointToPointCountsTheSenderOnly) {
  const size_t count = 30000;
  runRanks(2, localConfig(ZCCL_COMPRESSION_ON), [&](zcclComm_t comm, int r) {
    std::vector<uint8_t> buf = data::makeSynthetic(data::SyntheticSpec{}, zcclFloat32, count, 3);
    if (r == 0) {
      ASSERT_EQ(zcclSend(buf.data(), count, zcclFloat32, 1, comm, nullptr), zcclSuccess);
    } else {
      ASSERT_EQ(zcclRecv(buf.data(), count, zcclFloat32, 0, comm, nullptr), zcclSuccess);
    }
    const zcclCommStats_t s = statsOf(comm);
    EXPECT_EQ(s.calls, 1u);
    EXPECT_EQ(s.rawBytes, r == 0 ? count * 4 : 0u);
    EXPECT_EQ(s.wireBytes > 0, r == 0);
  });
}

TEST(Stats, BadHandlesAreRefused) {
  zcclCommStats_t s;
  EXPECT_EQ(zcclCommGetStats(nullptr, &s), zcclInvalidUsage);
  runRanks(1, localConfig(ZCCL_COMPRESSION_ON),
           [](zcclComm_t comm, int) { EXPECT_EQ(zcclCommGetStats(comm, nullptr), zcclInvalidArgument); });
}

}  // namespace
}  // namespace zccl::test
