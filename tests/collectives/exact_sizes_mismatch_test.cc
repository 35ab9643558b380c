// Mismatched calls on transports that need exact receive sizes and carry no tags (NCCL's; here
// the local world that demands exact sizes, as the NCCL stand-in does): the frame-size exchange
// carries the call's envelope, so ranks in different calls fail with zcclInvalidUsage naming both
// calls instead of reducing each other's frames. Built twice: the second binary
// (ZCCL_TEST_CHECK_CALLS) runs with ZCCL_CHECK_CALLS=1, whose signature exchange on these
// transports goes through the same size exchange and also sees what the envelope cannot (a count
// that changes the number of chunks, a broadcast root).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "collectives/local_harness.h"

namespace zccl::test {
namespace {

#if defined(ZCCL_TEST_CHECK_CALLS)
// Before main: the library reads ZCCL_CHECK_CALLS once per process.
const bool kCheckCalls = (setenv("ZCCL_CHECK_CALLS", "1", 1), true);
const char* const kExpected = "ZCCL_CHECK_CALLS";
#else
const char* const kExpected = "mismatched calls";
#endif

// Runs call(comm, rank) on 2 ranks of an exact-size world, compressed; every rank must fail with
// zcclInvalidUsage and a message naming the mismatch.
void expectBothFail(const std::function<zcclResult_t(zcclComm_t, int, std::vector<uint8_t>&)>& call) {
  auto world = std::make_shared<transport::LocalWorld>(2, /*exactSizes=*/true);
  runRanks(
      2, localConfig(ZCCL_COMPRESSION_ON),
      [&](zcclComm_t comm, int r) {
        std::vector<uint8_t> buf = verifiableBuffer(zcclBfloat16, r, 64 * 1024, zcclSum);
        const zcclResult_t res = call(comm, r, buf);
        const std::string why = zcclGetLastError(comm);
        EXPECT_EQ(res, zcclInvalidUsage) << "rank " << r << ": " << why;
        EXPECT_NE(why.find(kExpected), std::string::npos) << "rank " << r << ": " << why;
      },
      world);
}

TEST(ExactSizesMismatch, SumAgainstMax) {
  expectBothFail([](zcclComm_t comm, int r, std::vector<uint8_t>& b) {
    return zcclAllReduce(b.data(), b.data(), 64 * 1024, zcclBfloat16, r == 0 ? zcclSum : zcclMax, comm, nullptr);
  });
}

TEST(ExactSizesMismatch, AllReduceAgainstAllGather) {
  // Two ranks: all-reduce's segments and all-gather's blocks have the same chunks.
  expectBothFail([](zcclComm_t comm, int r, std::vector<uint8_t>& b) {
    std::vector<uint8_t> out(b.size() * 2);
    if (r == 0) return zcclAllReduce(b.data(), b.data(), 64 * 1024, zcclBfloat16, zcclSum, comm, nullptr);
    return zcclAllGather(b.data(), out.data(), 32 * 1024, zcclBfloat16, comm, nullptr);
  });
}

TEST(ExactSizesMismatch, Bf16AgainstFp16) {
  expectBothFail([](zcclComm_t comm, int r, std::vector<uint8_t>& b) {
    return zcclAllReduce(b.data(), b.data(), 64 * 1024, r == 0 ? zcclBfloat16 : zcclFloat16, zcclSum, comm, nullptr);
  });
}

#if defined(ZCCL_TEST_CHECK_CALLS)
TEST(ExactSizesMismatch, CountThatChangesTheChunksIsSeenByTheCheck) {
  expectBothFail([](zcclComm_t comm, int r, std::vector<uint8_t>& b) {
    return zcclAllReduce(b.data(), b.data(), r == 0 ? 64 * 1024 : 16 * 1024, zcclBfloat16, zcclSum, comm, nullptr);
  });
}

TEST(ExactSizesMismatch, BroadcastRootsAreSeenByTheCheck) {
  expectBothFail([](zcclComm_t comm, int r, std::vector<uint8_t>& b) {
    return zcclBroadcast(b.data(), b.data(), 64 * 1024, zcclBfloat16, r, comm, nullptr);
  });
}
#endif

TEST(ExactSizesMismatch, MatchingCallsStillSucceed) {
  auto world = std::make_shared<transport::LocalWorld>(2, true);
  runRanks(
      2, localConfig(ZCCL_COMPRESSION_ON),
      [&](zcclComm_t comm, int r) {
        std::vector<uint8_t> b = verifiableBuffer(zcclBfloat16, r, 64 * 1024, zcclSum);
        ASSERT_EQ(zcclAllReduce(b.data(), b.data(), 64 * 1024, zcclBfloat16, zcclSum, comm, nullptr), zcclSuccess)
            << zcclGetLastError(comm);
        EXPECT_EQ(b, expectedReduction(zcclBfloat16, zcclSum, 2, 64 * 1024));
      },
      world);
}

}  // namespace
}  // namespace zccl::test
