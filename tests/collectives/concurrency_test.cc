// Concurrency (issue 11; run under ThreadSanitizer by .ci/run): the codec from 8 threads at once
// writes the frames one thread writes alone, byte for byte, and decodes them exactly; and several
// communicators (two local worlds of two ranks, each rank a thread) run collectives at the same
// time in one process with exact results. The library keeps no shared mutable state between
// communicators beyond what it locks (handle table, logging).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "collectives/local_harness.h"
#include "synthetic.h"
#include "zccl/zccl_codec.h"

namespace zccl::test {
namespace {

std::vector<uint8_t> encode(const std::vector<uint8_t>& in, size_t count, zcclDataType_t d) {
  size_t bound = 0;
  EXPECT_EQ(zcclCodecMaxCompressedSize(count, d, &bound), zcclSuccess);
  std::vector<uint8_t> frame(bound);
  size_t bytes = 0;
  zcclCodecConfig_t config = ZCCL_CODEC_CONFIG_INITIALIZER;
  EXPECT_EQ(zcclCodecCompress(in.data(), count, d, frame.data(), frame.size(), &bytes, &config), zcclSuccess);
  frame.resize(bytes);
  return frame;
}

TEST(Concurrency, CodecFromEightThreadsMatchesOneThread) {
  constexpr int kThreads = 8;
  constexpr size_t kCount = 300000;
  std::vector<std::vector<uint8_t>> inputs, alone;
  for (int t = 0; t < kThreads; ++t) {
    const zcclDataType_t d = t % 2 ? zcclFloat32 : zcclBfloat16;
    inputs.push_back(data::makeSynthetic(data::SyntheticSpec{}, d, kCount, 40 + t));
    alone.push_back(encode(inputs.back(), kCount, d));
  }
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const zcclDataType_t d = t % 2 ? zcclFloat32 : zcclBfloat16;
      for (int round = 0; round < 4; ++round) {
        const std::vector<uint8_t> frame = encode(inputs[t], kCount, d);
        wrong[t] += frame != alone[t];
        std::vector<uint8_t> out(inputs[t].size());
        wrong[t] += zcclCodecDecompress(frame.data(), frame.size(), out.data(), kCount, d, nullptr, nullptr) !=
                    zcclSuccess;
        wrong[t] += out != inputs[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(Concurrency, TwoWorldsRunCollectivesAtOnce) {
  std::vector<std::thread> worlds;
  std::atomic<int> wrong[2] = {0, 0};  // ranks of one world count into the same one
  for (int w = 0; w < 2; ++w) {
    worlds.emplace_back([&, w] {
      runRanks(2, localConfig(w == 0 ? ZCCL_COMPRESSION_ON : ZCCL_COMPRESSION_OFF), [&](zcclComm_t comm, int r) {
        for (int round = 0; round < 3; ++round) {
          std::vector<uint8_t> b = verifiableBuffer(zcclBfloat16, r, 50000, zcclSum);
          EXPECT_EQ(zcclAllReduce(b.data(), b.data(), 50000, zcclBfloat16, zcclSum, comm, nullptr), zcclSuccess);
          if (b != expectedReduction(zcclBfloat16, zcclSum, 2, 50000)) ++wrong[w];
          zcclCommStats_t s{};
          EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess);
        }
      });
    });
  }
  for (std::thread& t : worlds) t.join();
  EXPECT_EQ(wrong[0].load(), 0);
  EXPECT_EQ(wrong[1].load(), 0);
}

}  // namespace
}  // namespace zccl::test
