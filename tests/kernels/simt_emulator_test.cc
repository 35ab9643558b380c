// The host SIMT emulator itself: thread and block indices, block barriers, warp ballots,
// shuffles and reductions with real CUDA semantics, block-shared memory that is shared within a
// block and fresh in the next, and the failures a GPU would hang or misbehave on reported instead.
#include <gtest/gtest.h>

#include <vector>

#include "kernels/simt.h"

namespace zccl::simt {
namespace {

TEST(SimtEmulator, IndicesBarriersAndSharedMemory) {
  std::vector<uint32_t> out(4 * 64, 0);
  ASSERT_TRUE(launch(4, 64, [&] {
    ZCCL_SHARED_ARRAY(uint32_t, sSum, 1);
    if (threadId() == 0) sSum[0] = 0;
    syncThreads();
    atomicAdd(&sSum[0], threadId());
    syncThreads();
    out[blockId() * 64 + threadId()] = sSum[0] + 1000 * blockId() + blockDim() * 1000000;
  }));
  for (uint32_t b = 0; b < 4; ++b) {
    for (uint32_t t = 0; t < 64; ++t) EXPECT_EQ(out[b * 64 + t], 2016u + 1000 * b + 64000000u);
  }
}

TEST(SimtEmulator, WarpCollectives) {
  std::vector<uint32_t> ballots(64), shuffles(64), ors(64), adds(64);
  ASSERT_TRUE(launch(1, 64, [&] {
    const uint32_t t = threadId();
    ballots[t] = ballot(t % 3 == 0);
    shuffles[t] = shfl(t * 10, (laneId() + 1) % 32);
    ors[t] = reduceOr(1u << laneId());
    adds[t] = reduceAdd(t);
    // Back-to-back collectives must not see each other's operands.
    for (uint32_t i = 0; i < 50; ++i) {
      if (shfl(t + i, laneId()) != t + i) adds[t] = 0xDEAD;
    }
  }));
  for (uint32_t t = 0; t < 64; ++t) {
    const uint32_t warpBase = t & ~31u;
    uint32_t expect = 0;
    for (uint32_t l = 0; l < 32; ++l) expect |= ((warpBase + l) % 3 == 0 ? 1u : 0u) << l;
    EXPECT_EQ(ballots[t], expect);
    EXPECT_EQ(shuffles[t], (warpBase + (t + 1) % 32) * 10);
    EXPECT_EQ(ors[t], 0xFFFFFFFFu);
    EXPECT_EQ(adds[t], 32 * warpBase + 496);
  }
}

TEST(SimtEmulator, SharedMemoryStartsPoisonedInEveryBlock) {
  std::vector<uint32_t> seen(3);
  ASSERT_TRUE(launch(3, 32, [&] {
    ZCCL_SHARED_ARRAY(uint32_t, sWord, 1);
    if (threadId() == 0) seen[blockId()] = sWord[0];
    syncThreads();
    if (threadId() == 0) sWord[0] = 7;  // must not leak into the next block
  }));
  for (uint32_t v : seen) EXPECT_EQ(v, 0xA5A5A5A5u);
}

TEST(SimtEmulator, RefusesWhatAGpuWouldNotRun) {
  EXPECT_FALSE(launch(1, 48, [] {}));
  EXPECT_NE(std::string(lastLaunchError()).find("multiple of 32"), std::string::npos);
  EXPECT_TRUE(consumeLaunchFailure());
  EXPECT_FALSE(consumeLaunchFailure());
  // Threads waiting at a barrier the others skip: a hang on a GPU, an error here.
  EXPECT_FALSE(launch(2, 64, [] {
    if (threadId() < 32) syncThreads();
  }));
  EXPECT_NE(std::string(lastLaunchError()).find("deadlocked"), std::string::npos);
  // The emulator is usable again afterwards.
  uint32_t sum = 0;
  EXPECT_TRUE(launch(2, 32, [&] { atomicAdd(&sum, 1u); }));
  EXPECT_EQ(sum, 64u);
}

}  // namespace
}  // namespace zccl::simt
