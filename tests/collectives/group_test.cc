// Group semantics: send/recv exchanges inside zcclGroupStart/End (which would deadlock one by one),
// several collectives in one group, nested groups, unaligned buffers and count 0.
#include <gtest/gtest.h>

#include "collectives/local_harness.h"

namespace zccl::test {
namespace {

class Groups : public ::testing::TestWithParam<int> {};

TEST_P(Groups, RingExchangeOfSendsAndRecvs) {
  const int P = GetParam();
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    runRanks(P, localConfig(compression), [&](zcclComm_t comm, int r) {
      for (zcclDataType_t d : {zcclBfloat16, zcclFloat32, zcclInt64, zcclFloat8e5m2}) {
        for (size_t count : {size_t{0}, size_t{1}, size_t{7777}}) {
          const std::vector<uint8_t> mine = verifiableBuffer(d, r, count, zcclSum);
          std::vector<uint8_t> fromLeft(count * dtypeBytes(d), 0xEE), fromRight(count * dtypeBytes(d), 0xEE);
          const int right = (r + 1) % P, left = (r - 1 + P) % P;
          ASSERT_EQ(zcclGroupStart(), zcclSuccess);
          ASSERT_EQ(zcclSend(mine.data(), count, d, right, comm, nullptr), zcclSuccess);
          ASSERT_EQ(zcclSend(mine.data(), count, d, left, comm, nullptr), zcclSuccess);
          ASSERT_EQ(zcclRecv(fromLeft.data(), count, d, left, comm, nullptr), zcclSuccess);
          ASSERT_EQ(zcclRecv(fromRight.data(), count, d, right, comm, nullptr), zcclSuccess);
          ASSERT_EQ(zcclGroupEnd(), zcclSuccess) << zcclGetLastError(nullptr);
          EXPECT_EQ(fromLeft, verifiableBuffer(d, left, count, zcclSum)) << "rank " << r << " dtype " << d;
          EXPECT_EQ(fromRight, verifiableBuffer(d, right, count, zcclSum)) << "rank " << r << " dtype " << d;
        }
      }
    });
  }
}

TEST_P(Groups, SeveralCollectivesAndNestedGroups) {
  const int P = GetParam();
  runRanks(P, localConfig(ZCCL_COMPRESSION_ON), [&](zcclComm_t comm, int r) {
    const size_t count = 3001;
    std::vector<uint8_t> a = verifiableBuffer(zcclBfloat16, r, count, zcclSum), aOut(count * 2);
    std::vector<uint8_t> g = verifiableBuffer(zcclFloat32, r, count, zcclSum), gOut(P * count * 4);
    ASSERT_EQ(zcclGroupStart(), zcclSuccess);
    ASSERT_EQ(zcclAllReduce(a.data(), aOut.data(), count, zcclBfloat16, zcclSum, comm, nullptr), zcclSuccess);
    ASSERT_EQ(zcclGroupStart(), zcclSuccess);  // nested: only the outermost end runs the group
    ASSERT_EQ(zcclAllGather(g.data(), gOut.data(), count, zcclFloat32, comm, nullptr), zcclSuccess);
    ASSERT_EQ(zcclGroupEnd(), zcclSuccess);
    // Nothing of the group has run yet: both outputs still hold their zero fill (the all-gather
    // would write rank 0's first value, -4.0f, the all-reduce its mostly nonzero sums).
    EXPECT_EQ(gOut, std::vector<uint8_t>(gOut.size(), 0)) << "a nested end ran the group early";
    EXPECT_EQ(aOut, std::vector<uint8_t>(aOut.size(), 0)) << "a nested end ran the group early";
    ASSERT_EQ(zcclGroupEnd(), zcclSuccess);
    EXPECT_EQ(aOut, expectedReduction(zcclBfloat16, zcclSum, P, count));
    for (int q = 0; q < P; ++q) {
      EXPECT_EQ(0, std::memcmp(gOut.data() + q * count * 4, verifiableBuffer(zcclFloat32, q, count, zcclSum).data(),
                               count * 4));
    }
    // A bad call inside a group is reported by the call and again by zcclGroupEnd.
    ASSERT_EQ(zcclGroupStart(), zcclSuccess);
    EXPECT_EQ(zcclAllReduce(nullptr, aOut.data(), count, zcclBfloat16, zcclSum, comm, nullptr), zcclInvalidArgument);
    EXPECT_EQ(zcclGroupEnd(), zcclInvalidArgument);
  });
}

TEST_P(Groups, UnalignedBuffers) {
  const int P = GetParam();
  runRanks(P, localConfig(ZCCL_COMPRESSION_ON), [&](zcclComm_t comm, int r) {
    const size_t count = 4099;
    for (zcclDataType_t d : {zcclBfloat16, zcclFloat32, zcclFloat64}) {
      const size_t eb = dtypeBytes(d);
      std::vector<uint8_t> in = verifiableBuffer(d, r, count, zcclSum);
      std::vector<uint8_t> send(count * eb + 3), recv(count * eb + 5);
      std::memcpy(send.data() + 1, in.data(), in.size());
      ASSERT_EQ(zcclAllReduce(send.data() + 1, recv.data() + 3, count, d, zcclSum, comm, nullptr), zcclSuccess);
      EXPECT_EQ(0, std::memcmp(recv.data() + 3, expectedReduction(d, zcclSum, P, count).data(), count * eb));
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Local, Groups, ::testing::Values(1, 2, 3, 4, 7));

}  // namespace
}  // namespace zccl::test
