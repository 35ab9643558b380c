// Bad arguments and bad data: every invalid call returns zcclInvalidArgument or zcclInvalidUsage
// with a message and does nothing; a corrupted frame received from a peer is reported as
// zcclCorruptFrame on the receiving rank (structural damage always, payload damage with
// checksums), the other ranks do not hang, and no wrong element reaches the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include "collectives/damage_checks.h"
#include "collectives/local_harness.h"
#include "synthetic.h"
#include "transport/transport.h"

namespace zccl::test {
namespace {

TEST(Errors, BadArgumentsAreRefusedWithAMessage) {
  runRanks(2, localConfig(ZCCL_COMPRESSION_ON), [](zcclComm_t comm, int rank) {
    std::vector<float> a(64, 1.0f), b(128);
    auto expectError = [](zcclResult_t res, zcclResult_t want, const char* words) {
      EXPECT_EQ(res, want) << words;
      EXPECT_NE(std::string(zcclGetLastError(nullptr)).find(words), std::string::npos) << zcclGetLastError(nullptr);
    };
    expectError(zcclAllReduce(nullptr, b.data(), 8, zcclFloat32, zcclSum, comm, nullptr), zcclInvalidArgument,
                "sendbuff is NULL");
    expectError(zcclAllReduce(a.data(), nullptr, 8, zcclFloat32, zcclSum, comm, nullptr), zcclInvalidArgument,
                "recvbuff is NULL");
    expectError(zcclAllReduce(a.data(), b.data(), 8, static_cast<zcclDataType_t>(12), zcclSum, comm, nullptr),
                zcclInvalidArgument, "invalid dtype");
    expectError(zcclAllReduce(a.data(), b.data(), 8, zcclFloat32, static_cast<zcclRedOp_t>(5), comm, nullptr),
                zcclInvalidArgument, "invalid op");
    expectError(zcclBroadcast(a.data(), b.data(), 8, zcclFloat32, 2, comm, nullptr), zcclInvalidArgument,
                "root 2 is not a rank");
    expectError(zcclReduce(a.data(), b.data(), 8, zcclFloat32, zcclSum, -1, comm, nullptr), zcclInvalidArgument,
                "root -1");
    expectError(zcclSend(a.data(), 8, zcclFloat32, 5, comm, nullptr), zcclInvalidArgument, "peer 5");
    expectError(zcclAlltoAll(b.data(), b.data(), 8, zcclFloat32, comm, nullptr), zcclInvalidArgument, "in-place");
    expectError(zcclAllGather(a.data(), b.data(), SIZE_MAX / 4, zcclFloat32, comm, nullptr), zcclInvalidArgument,
                "too large");
    expectError(zcclAllReduce(a.data(), b.data(), 8, zcclFloat32, zcclSum, nullptr, nullptr), zcclInvalidUsage,
                "invalid or destroyed communicator");
    // Count 0 is a valid no-op, with or without buffers.
    EXPECT_EQ(zcclAllReduce(nullptr, nullptr, 0, zcclFloat32, zcclSum, comm, nullptr), zcclSuccess);
    EXPECT_EQ(zcclAllGather(nullptr, nullptr, 0, zcclBfloat16, comm, nullptr), zcclSuccess);
    int n = 0, r = -1;
    EXPECT_EQ(zcclCommCount(comm, &n), zcclSuccess);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(zcclCommUserRank(comm, &r), zcclSuccess);
    EXPECT_EQ(r, rank);
    EXPECT_EQ(zcclCommCount(comm, nullptr), zcclInvalidArgument);
  });
  EXPECT_EQ(zcclGroupEnd(), zcclInvalidUsage);
  zcclConfig_t bad = ZCCL_CONFIG_INITIALIZER;
  bad.chunkBytes = 10;
  zcclComm_t comm = nullptr;
  EXPECT_EQ(api::commInitLocal(&comm, std::make_shared<transport::LocalWorld>(1), 0, &bad), zcclInvalidArgument);
  zcclConfig_t raw{};
  EXPECT_EQ(api::commInitLocal(&comm, std::make_shared<transport::LocalWorld>(1), 0, &raw), zcclInvalidArgument);
}

TEST(Errors, DestroyedCommunicatorsAreRefused) {
  zcclComm_t comm = nullptr;
  const zcclConfig_t config = localConfig(ZCCL_COMPRESSION_ON);
  ASSERT_EQ(api::commInitLocal(&comm, std::make_shared<transport::LocalWorld>(1), 0, &config), zcclSuccess);
  ASSERT_EQ(zcclCommDestroy(comm), zcclSuccess);
  float x = 1, y = 0;
  EXPECT_EQ(zcclAllReduce(&x, &y, 1, zcclFloat32, zcclSum, comm, nullptr), zcclInvalidUsage);
  EXPECT_EQ(zcclCommDestroy(comm), zcclInvalidUsage);
  EXPECT_EQ(zcclCommAbort(comm), zcclInvalidUsage);
  int n = 0;
  EXPECT_EQ(zcclCommCount(comm, &n), zcclInvalidUsage);
}

// Runs an all-gather of Gaussian bf16 on 3 ranks where the first message from rank 0 to rank 1
// is damaged by `damage`; returns each rank's result and output.
struct CorruptionRun {
  std::vector<zcclResult_t> results;
  std::vector<std::vector<uint16_t>> outputs;
  std::vector<std::vector<uint16_t>> inputs;
};

CorruptionRun runWithDamage(int checksum, const std::function<void(std::vector<uint8_t>&)>& damage) {
  const int P = 3;
  const size_t count = 20000;
  CorruptionRun run;
  run.results.assign(P, zcclSuccess);
  run.outputs.assign(P, std::vector<uint16_t>(P * count, 0xDEAD));
  data::SyntheticSpec spec;
  for (int r = 0; r < P; ++r) {
    std::vector<uint8_t> b = data::makeSynthetic(spec, zcclBfloat16, count, 40 + r);
    run.inputs.emplace_back(reinterpret_cast<uint16_t*>(b.data()), reinterpret_cast<uint16_t*>(b.data()) + count);
  }
  auto world = std::make_shared<transport::LocalWorld>(P);
  std::atomic<bool> done{false};
  world->setTamper([&](int from, int to, int tag, std::vector<uint8_t>& msg) {
    if (from == 0 && to == 1 && tag == transport::kTagCollective && !done.exchange(true)) damage(msg);
  });
  runRanks(
      P, localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 16384, checksum),
      [&](zcclComm_t comm, int r) {
        run.results[r] = zcclAllGather(run.inputs[r].data(), run.outputs[r].data(), count, zcclBfloat16, comm, nullptr);
      },
      world);
  return run;
}

void expectNoWrongElement(const CorruptionRun& run) {
  for (size_t r = 0; r < run.outputs.size(); ++r) {
    for (size_t q = 0; q < run.inputs.size(); ++q) {
      for (size_t i = 0; i < run.inputs[q].size(); ++i) {
        const uint16_t got = run.outputs[r][q * run.inputs[q].size() + i];
        if (got != run.inputs[q][i] && got != 0xDEAD) {
          ADD_FAILURE() << "rank " << r << " holds a wrong element from rank " << q << " at " << i;
          return;
        }
      }
    }
  }
}

TEST(Errors, DamagedFrameHeaderIsReportedWithoutHangOrWrongData) {
  const CorruptionRun run = runWithDamage(0, [](std::vector<uint8_t>& m) { m[10] ^= 0x40; });  // frame count
  EXPECT_EQ(run.results[1], zcclCorruptFrame);
  expectNoWrongElement(run);
}

TEST(Errors, DamagedPayloadIsCaughtByTheChecksum) {
  const CorruptionRun run =
      runWithDamage(1, [](std::vector<uint8_t>& m) { m[m.size() / 2] ^= 0x01; });  // one mantissa-ish bit
  EXPECT_EQ(run.results[1], zcclCorruptFrame);
  expectNoWrongElement(run);
  // Rank 1 forwards what it received (the ring), so rank 2 may see the damage as well; rank 0
  // receives only intact frames.
  EXPECT_EQ(run.results[0], zcclSuccess);
}

TEST(Errors, UndamagedRunsSucceedEverywhere) {
  const CorruptionRun run = runWithDamage(1, [](std::vector<uint8_t>&) {});
  for (zcclResult_t r : run.results) EXPECT_EQ(r, zcclSuccess);
  expectNoWrongElement(run);
  for (size_t r = 0; r < run.outputs.size(); ++r) {
    EXPECT_EQ(std::count(run.outputs[r].begin(), run.outputs[r].end(), 0xDEAD),
              std::count(run.inputs[0].begin(), run.inputs[0].end(), 0xDEAD) +
                  std::count(run.inputs[1].begin(), run.inputs[1].end(), 0xDEAD) +
                  std::count(run.inputs[2].begin(), run.inputs[2].end(), 0xDEAD));
  }
}

// The same damage (rank 0's first message to rank 1 loses a header bit) in every collective that
// decodes received frames, with both reduce-scatter algorithms: rank 1 reports it, nobody hangs,
// each output element is either what the undamaged run computed or left unwritten (each rank's
// own sentinel, so a rank that stored another rank's unwritten bytes is caught), and a rank whose
// output is incomplete says so (no silent loss: the ring reduce-scatter and all-reduce must pass
// the gap on as a lost marker, context.h). Direct reduce-scatter, all-to-all and all-gather decode
// a block one step after it arrives: the unwritten chunk must survive that too. Each case runs
// on a world with receive capacities (Open MPI's schedules) and one with exact sizes (NCCL's).
struct CollectiveCase {
  const char* name;
  int algorithm;
  size_t outPerRank;  // output elements per rank, in units of count
  int gapRank;        // a rank whose output must show the damaged chunk as unwritten
  std::function<zcclResult_t(const uint16_t*, uint16_t*, size_t, zcclComm_t)> run;
  int perNode = 0;   // > 0: ranks form nodes of this many (hierarchical plans)
  int damageTo = 1;  // the receiver of rank 0's damaged message (a rank on another node, for hier)
};

void PrintTo(const CollectiveCase& c, std::ostream* os) { *os << c.name; }

class DamageInEveryCollective : public ::testing::TestWithParam<CollectiveCase> {};

uint16_t sentinel(int rank) { return static_cast<uint16_t>(0xDEA0 + rank); }

void checkDamage(const CollectiveCase& cc, bool exactSizes);

std::vector<std::vector<uint16_t>> runCase(const CollectiveCase& cc, bool damage, bool exactSizes,
                                           std::vector<zcclResult_t>* results) {
  const int P = 4;
  const size_t count = 20000;  // per rank block: 3 chunks of 16 KiB
  data::SyntheticSpec spec;
  std::vector<std::vector<uint16_t>> inputs, outputs;
  for (int r = 0; r < P; ++r) {
    outputs.emplace_back(cc.outPerRank * count, sentinel(r));
    std::vector<uint8_t> b = data::makeSynthetic(spec, zcclBfloat16, P * count, 70 + r);
    inputs.emplace_back(reinterpret_cast<uint16_t*>(b.data()), reinterpret_cast<uint16_t*>(b.data()) + P * count);
  }
  auto world = std::make_shared<transport::LocalWorld>(P, exactSizes);
  std::atomic<bool> done{false};
  world->setTamper([&](int from, int to, int tag, std::vector<uint8_t>& msg) {
    if (damage && from == 0 && to == cc.damageTo && tag == transport::kTagCollective && !done.exchange(true)) {
      msg[10] ^= 0x40;
    }
  });
  if (cc.perNode > 0) world->setNodes({0, 0, 1, 1});
  results->assign(P, zcclSuccess);
  runRanks(
      P, localConfig(ZCCL_COMPRESSION_ON, cc.algorithm, 16384, 0),
      [&](zcclComm_t comm, int r) { (*results)[r] = cc.run(inputs[r].data(), outputs[r].data(), count, comm); }, world);
  return outputs;
}

TEST_P(DamageInEveryCollective, IsReportedAndNoWrongElementIsWritten) {
  const CollectiveCase& cc = GetParam();
  for (bool exactSizes : {false, true}) {  // Open MPI's schedules, then NCCL's (sizes exchanged first)
    SCOPED_TRACE(exactSizes ? "exact receive sizes" : "receive capacities");
    checkDamage(cc, exactSizes);
  }
}

void checkDamage(const CollectiveCase& cc, bool exactSizes) {
  std::vector<zcclResult_t> clean, damaged;
  const auto expected = runCase(cc, false, exactSizes, &clean);
  const auto got = runCase(cc, true, exactSizes, &damaged);
  for (zcclResult_t r : clean) ASSERT_EQ(r, zcclSuccess);
  expectDamageContained(expected, got, damaged, cc.gapRank, sentinel, cc.damageTo);
}

// An all-reduce of 4 blocks that checks it ran the plan it was meant to test.
std::function<zcclResult_t(const uint16_t*, uint16_t*, size_t, zcclComm_t)> allReduceExpectingPlan(const char* plan) {
  return [plan](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
    const zcclResult_t r = zcclAllReduce(s, d, 4 * n, zcclBfloat16, zcclSum, c, nullptr);
    zcclCommStats_t st{};
    zcclCommGetStats(c, &st);
    EXPECT_EQ(std::string(st.lastPlan).rfind(plan, 0), 0u) << st.lastPlan;
    return r;
  };
}

INSTANTIATE_TEST_SUITE_P(
    Collectives, DamageInEveryCollective,
    ::testing::Values(
        CollectiveCase{"AllGather", ZCCL_ALGO_DIRECT, 4, 1,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclAllGather(s, d, n, zcclBfloat16, c, nullptr);
                       }},
        CollectiveCase{"AlltoAll", ZCCL_ALGO_DIRECT, 4, 1,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclAlltoAll(s, d, n, zcclBfloat16, c, nullptr);
                       }},
        CollectiveCase{"ReduceScatterDirect", ZCCL_ALGO_DIRECT, 1, 1,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclReduceScatter(s, d, n, zcclBfloat16, zcclSum, c, nullptr);
                       }},
        CollectiveCase{"ReduceScatterRing", ZCCL_ALGO_RING, 1, 3,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclReduceScatter(s, d, n, zcclBfloat16, zcclSum, c, nullptr);
                       }},
        CollectiveCase{"AllReduce", ZCCL_ALGO_DIRECT, 4, 1,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclAllReduce(s, d, 4 * n, zcclBfloat16, zcclSum, c, nullptr);
                       }},
        CollectiveCase{"ReduceToRank2", ZCCL_ALGO_DIRECT, 4, 2,
                       [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c) {
                         return zcclReduce(s, d, 4 * n, zcclBfloat16, zcclSum, 2, c, nullptr);
                       }},
        CollectiveCase{"AllReduceDoubling", ZCCL_ALGO_DOUBLING, 4, 3, allReduceExpectingPlan("doubling/on/")},
        // 2 nodes of 2: rank 0's message to rank 2 crosses nodes (compressed); the gap
        // reaches rank 3 through rank 2's node all-gather.
        CollectiveCase{"AllReduceHierarchical", ZCCL_ALGO_HIER, 4, 3, allReduceExpectingPlan("hier/on/"), 2, 2}),
    [](const ::testing::TestParamInfo<CollectiveCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace zccl::test
