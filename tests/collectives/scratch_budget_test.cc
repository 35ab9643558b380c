// Bounded scratch (algo/window.h): with ZCCL_SCRATCH_BYTES at its 1 MiB minimum, every collective
// of every algorithm, compressed and not, on messages several times that size returns exact
// results (reductions of verifiable values against their exact sums; data movement of a real
// tensor from ../shared/data, or Gaussian data where none is installed, against its input), and
// the library's own ledger (zcclCommStats_t.scratchPeakBytes) never passes the budget, across a
// sequence of different collectives on one communicator. The same calls without the bound hold
// several times the budget (so the windows are what keeps it), and zcclCommReleaseScratch gives
// everything back. Point-to-point operations past their share of the budget travel raw.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "api/comm.h"
#include "collectives/local_harness.h"
#include "synthetic.h"
#include "tensor_file.h"

namespace zccl::test {
namespace {

constexpr size_t kBudget = size_t{1} << 20;

class ScopedScratchBudget {
 public:
  explicit ScopedScratchBudget(const char* value) { setenv("ZCCL_SCRATCH_BYTES", value, 1); }
  ~ScopedScratchBudget() { unsetenv("ZCCL_SCRATCH_BYTES"); }
};

struct Param {
  int ranks;
  int compression;
  int algorithm;
  int perNode = 0;  // > 0: nodes of this many ranks (hierarchical plans)
};

// `count` bf16 elements of a real tensor (rotated by `salt`), or Gaussian ones.
std::vector<uint8_t> payload(size_t count, int salt) {
  const std::vector<std::string> files = data::findSharedTensorFiles();
  std::vector<uint8_t> all;
  if (!files.empty()) {
    data::TensorFile tf;
    std::string error;
    if (data::readTensorFile(files.front(), &tf, &error)) all = data::concatTensors(tf);
  }
  if (all.size() < 2) return data::makeSynthetic(data::SyntheticSpec{}, zcclBfloat16, count, 7 + salt);
  std::vector<uint8_t> b(count * 2);
  const size_t n = all.size() / 2;
  for (size_t i = 0; i < count; ++i) std::memcpy(&b[2 * i], &all[((i + salt * 7919) % n) * 2], 2);
  return b;
}

// Every collective once on `comm`; returns the number of wrong results.
size_t runEveryCollective(zcclComm_t comm, int r, int P, size_t count, bool reductionsOnly) {
  const zcclDataType_t d = zcclBfloat16;
  const size_t eb = 2;
  size_t wrong = 0;
  // all-reduce and reduce-scatter (sum) of verifiable values: exact in any order.
  std::vector<uint8_t> in = verifiableBuffer(d, r, count * P, zcclSum), out(count * P * eb, 0xEE);
  EXPECT_EQ(zcclAllReduce(in.data(), out.data(), count * P, d, zcclSum, comm, nullptr), zcclSuccess)
      << zcclGetLastError(nullptr);
  wrong += out != expectedReduction(d, zcclSum, P, count * P);
  if (reductionsOnly) return wrong;
  std::vector<uint8_t> rs(count * eb, 0xEE);
  EXPECT_EQ(zcclReduceScatter(in.data(), rs.data(), count, d, zcclSum, comm, nullptr), zcclSuccess);
  wrong += rs != expectedReduction(d, zcclSum, P, count, r * count);
  std::vector<uint8_t> red(count * P * eb, 0xEE);
  EXPECT_EQ(zcclReduce(in.data(), red.data(), count * P, d, zcclSum, P - 1, comm, nullptr), zcclSuccess);
  if (r == P - 1) wrong += red != expectedReduction(d, zcclSum, P, count * P);
  // all-gather, broadcast, all-to-all of real data: the inputs, moved.
  const std::vector<uint8_t> mine = payload(count, r);
  std::vector<uint8_t> all(P * count * eb, 0xEE);
  EXPECT_EQ(zcclAllGather(mine.data(), all.data(), count, d, comm, nullptr), zcclSuccess);
  for (int q = 0; q < P; ++q) wrong += std::memcmp(all.data() + q * count * eb, payload(count, q).data(), count * eb) != 0;
  std::vector<uint8_t> b = r == 0 ? payload(count * P, 0) : std::vector<uint8_t>(count * P * eb, 0xEE);
  EXPECT_EQ(zcclBroadcast(b.data(), b.data(), count * P, d, 0, comm, nullptr), zcclSuccess);
  wrong += b != payload(count * P, 0);
  const std::vector<uint8_t> send = payload(count * P, 10 + r);
  std::vector<uint8_t> recv(count * P * eb, 0xEE);
  EXPECT_EQ(zcclAlltoAll(send.data(), recv.data(), count, d, comm, nullptr), zcclSuccess);
  for (int q = 0; q < P; ++q) {
    wrong += std::memcmp(recv.data() + q * count * eb, payload(count * P, 10 + q).data() + r * count * eb,
                         count * eb) != 0;
  }
  return wrong;
}

zcclCommStats_t statsOf(zcclComm_t comm) {
  zcclCommStats_t s{};
  EXPECT_EQ(zcclCommGetStats(comm, &s), zcclSuccess);
  return s;
}

std::shared_ptr<transport::LocalWorld> world(const Param& p) { return localWorld(p.ranks, p.perNode); }

class ScratchBudget : public ::testing::TestWithParam<Param> {};

// 640 Ki elements per rank block (1.25 MiB), with a remainder: uneven last windows.
constexpr size_t kCount = 640 * 1024 + 37;

TEST_P(ScratchBudget, WindowsKeepEveryCollectiveWithinTheBudget) {
  const Param p = GetParam();
  const bool reductionsOnly = p.algorithm == ZCCL_ALGO_HIER || p.algorithm == ZCCL_ALGO_DOUBLING;
  ScopedScratchBudget budget("1M");
  runRanks(
      p.ranks, localConfig(p.compression, p.algorithm, 64 * 1024),
      [&](zcclComm_t comm, int r) {
        EXPECT_EQ(runEveryCollective(comm, r, p.ranks, kCount, reductionsOnly), 0u) << "rank " << r;
        const zcclCommStats_t s = statsOf(comm);
        EXPECT_LE(s.scratchPeakBytes, kBudget) << "rank " << r << ", last plan " << s.lastPlan;
        EXPECT_GT(s.scratchPeakBytes, 0u) << "rank " << r;
        ASSERT_EQ(zcclCommReleaseScratch(comm), zcclSuccess);
        EXPECT_EQ(statsOf(comm).scratchBytes, 0u);
        // And it works again after the release.
        EXPECT_EQ(runEveryCollective(comm, r, p.ranks, kCount, true), 0u) << "rank " << r;
        EXPECT_LE(statsOf(comm).scratchPeakBytes, kBudget);
      },
      world(p));
}

// A call like the last one reuses its slots: nothing is freed or allocated again (an all-reduce
// near the budget once re-allocated all its scratch on every call).
TEST_P(ScratchBudget, RepeatedCallsAllocateNothingMore) {
  const Param p = GetParam();
  for (const char* budget : {"1M", "256M"}) {
    ScopedScratchBudget scoped(budget);
    runRanks(
        p.ranks, localConfig(p.compression, p.algorithm, 64 * 1024),
        [&](zcclComm_t comm, int r) {
          const algo::Engine& engine = *api::liveComm(comm)->engine;
          EXPECT_EQ(runEveryCollective(comm, r, p.ranks, kCount, true), 0u);
          const uint64_t after = engine.scratchAllocations();
          for (int i = 0; i < 3; ++i) EXPECT_EQ(runEveryCollective(comm, r, p.ranks, kCount, true), 0u);
          EXPECT_EQ(engine.scratchAllocations(), after) << "rank " << r << ", budget " << budget;
        },
        world(p));
  }
}

TEST_P(ScratchBudget, WithoutTheBoundTheSameCallsHoldMore) {
  const Param p = GetParam();
  runRanks(
      p.ranks, localConfig(p.compression, p.algorithm, 64 * 1024),
      [&](zcclComm_t comm, int r) {
        EXPECT_EQ(runEveryCollective(comm, r, p.ranks, kCount, true), 0u);
        EXPECT_GT(statsOf(comm).scratchPeakBytes, 2 * kBudget) << "rank " << r << ": the windowed test proves nothing";
      },
      world(p));
}

std::vector<Param> params() {
  std::vector<Param> v;
  for (int ranks : {2, 3, 4}) {
    for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
      v.push_back({ranks, compression, ZCCL_ALGO_DIRECT});
      v.push_back({ranks, compression, ZCCL_ALGO_RING});
    }
  }
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    v.push_back({4, compression, ZCCL_ALGO_HIER, 2});
    v.push_back({4, compression, ZCCL_ALGO_DOUBLING});
  }
  return v;
}

std::string name(const ::testing::TestParamInfo<Param>& info) {
  static const char* kAlgo[] = {"direct", "ring", "plain", "auto", "hier", "doubling"};
  return std::to_string(info.param.ranks) + "ranks_" + (info.param.compression == ZCCL_COMPRESSION_ON ? "on" : "off") +
         "_" + kAlgo[info.param.algorithm];
}

INSTANTIATE_TEST_SUITE_P(Local, ScratchBudget, ::testing::ValuesIn(params()), name);

// Point-to-point keeps a group's frames until the group completes, so an operation is compressed
// only where its frames fit 1/(2P) of the budget; larger ones travel raw (no scratch).
TEST(ScratchBudgetPointToPoint, LargeOperationsTravelRawSmallOnesCompressed) {
  ScopedScratchBudget budget("1M");
  runRanks(2, localConfig(ZCCL_COMPRESSION_ON), [&](zcclComm_t comm, int r) {
    for (size_t count : {size_t{16} << 10, kCount}) {  // 32 KiB of frames fit 256 KiB; 1.25 MiB do not
      const zcclCommStats_t before = statsOf(comm);
      const std::vector<uint8_t> mine = payload(count, r);
      std::vector<uint8_t> theirs(count * 2, 0xEE);
      ASSERT_EQ(zcclGroupStart(), zcclSuccess);
      EXPECT_EQ(zcclSend(mine.data(), count, zcclBfloat16, 1 - r, comm, nullptr), zcclSuccess);
      EXPECT_EQ(zcclRecv(theirs.data(), count, zcclBfloat16, 1 - r, comm, nullptr), zcclSuccess);
      ASSERT_EQ(zcclGroupEnd(), zcclSuccess) << zcclGetLastError(nullptr);
      EXPECT_EQ(theirs, payload(count, 1 - r)) << count;
      const zcclCommStats_t after = statsOf(comm);
      const bool compressed = after.compressedCalls > before.compressedCalls;
      EXPECT_EQ(compressed, count < kCount) << count << " elements";
      EXPECT_LE(after.scratchPeakBytes, kBudget);
    }
  });
}

TEST(ScratchBudgetSetting, AValueBelowTheMinimumWarnsAndKeepsTheDefault) {
  ScopedScratchBudget budget("4K");
  runRanks(2, localConfig(ZCCL_COMPRESSION_ON), [&](zcclComm_t comm, int r) {
    EXPECT_EQ(runEveryCollective(comm, r, 2, 64 * 1024, true), 0u);
    EXPECT_GT(statsOf(comm).scratchPeakBytes, size_t{64} << 10);  // 4K was not taken
  });
}

}  // namespace
}  // namespace zccl::test
