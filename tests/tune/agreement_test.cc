// Every rank must take the same decision for the same call. The probe's figures are each rank's
// own measurements, so they differ (here deliberately, by rank); after the agreement every rank
// holds the same figures and derives the same plan for every collective, size and dtype. Also:
// the probe itself over ranks that are threads (nodes faked by the test transport), its shape,
// and the per-process cache a second communicator of the same shape reuses.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/local/local_transport.h"
#include "tune/probe.h"
#include "tune/selector.h"

namespace zccl::test {
namespace {

using tune::Fabric;

// Runs body(transport, rank) on P threads of one local world.
void onRanks(int P, const std::vector<int>& nodes, const std::function<void(transport::LocalTransport&, int)>& body) {
  auto world = std::make_shared<transport::LocalWorld>(P);
  world->setNodes(nodes);
  std::vector<std::thread> threads;
  for (int r = 0; r < P; ++r) {
    threads.emplace_back([&, r] {
      transport::LocalTransport t(world, r);
      body(t, r);
    });
  }
  for (std::thread& t : threads) t.join();
}

tune::Settings autoSettings() {
  tune::Settings s{};
  for (int c = 0; c < algo::kCollectives; ++c) {
    s.compressionFor[c] = ZCCL_COMPRESSION_AUTO;
    s.algorithmFor[c] = tune::kAutoAlgorithm;
  }
  s.minCompressBytes = 64 << 10;
  return s;
}

// Every plan the selector makes for a sweep of calls, as text.
std::string decisionTable(const Fabric& f) {
  std::string out;
  for (int c = 0; c < algo::kCollectives; ++c) {
    for (int d : {zcclBfloat16, zcclFloat16, zcclFloat32}) {
      for (size_t bytes = 1024; bytes <= (size_t{1} << 30); bytes *= 2) {
        const tune::Query q{static_cast<algo::Collective>(c), d, bytes, d == zcclFloat32};
        out += tune::describe(tune::select(q, autoSettings(), f).plan) + ";";
      }
    }
  }
  return out;
}

TEST(Agreement, SkewedLocalFiguresGiveOneDecisionTable) {
  const int P = 4;
  std::vector<std::string> tables(P), skewed(P);
  std::vector<Fabric> agreed(P);
  onRanks(P, {0, 1, 2, 3}, [&](transport::LocalTransport& t, int r) {
    // What rank r "measured": links and codec off by up to 4x from rank to rank, straddling the
    // point where compression starts to pay.
    Fabric f = tune::hostDefaults(P, P, 1);
    f.inter = tune::Link{(20 + 30 * r) * 1e-6, 0.06e9 * (1 + r)};
    for (tune::CodecSpeed& c : f.codec) c.compress /= (1 + r), c.decompress /= (4 - r);
    skewed[r] = decisionTable(f);
    ASSERT_EQ(tune::agreeFigures(t, &f), zcclSuccess);
    agreed[r] = f;
    tables[r] = decisionTable(f);
  });
  EXPECT_NE(skewed[0], skewed[3]) << "the skew must change decisions, or this test proves nothing";
  for (int r = 1; r < P; ++r) {
    EXPECT_EQ(tables[r], tables[0]) << "rank " << r << " decides differently from rank 0";
    EXPECT_EQ(agreed[r].inter.bandwidth, agreed[0].inter.bandwidth);
    EXPECT_EQ(agreed[r].codec[0].compress, agreed[0].codec[0].compress);
  }
  EXPECT_DOUBLE_EQ(agreed[0].inter.bandwidth, 0.06e9) << "the slowest link is what all assume";
  EXPECT_DOUBLE_EQ(agreed[0].inter.latency, 110e-6);
}

TEST(Probe, FindsTheNodesMeasuresBothLevelsAndAgrees) {
  const int P = 4;
  std::vector<Fabric> got(P), again(P);
  std::vector<tune::NodeMap> maps(P);
  onRanks(P, {7, 7, 9, 9}, [&](transport::LocalTransport& t, int r) {
    ASSERT_EQ(tune::discoverNodes(t, "", &maps[r]), zcclSuccess);
    ASSERT_EQ(tune::probeFabric(t, maps[r], &got[r]), zcclSuccess);
    ASSERT_EQ(tune::probeFabric(t, maps[r], &again[r]), zcclSuccess);
  });
  for (int r = 0; r < P; ++r) {
    EXPECT_EQ(maps[r].nodeOf, (std::vector<int>{0, 0, 1, 1}));
    EXPECT_EQ(got[r].nodes, 2);
    EXPECT_EQ(got[r].localRanks, 2);
    EXPECT_GT(got[r].inter.bandwidth, 0) << "the node leaders' ring was measured";
    EXPECT_GT(got[r].intra.bandwidth, 0) << "a pair inside each node was measured";
    EXPECT_GT(got[r].codec[0].compress, 0);
    EXPECT_GT(got[r].codec[2].ratio, 0.5);
    EXPECT_LT(got[r].codec[0].ratio, 0.75) << "bf16 Gaussian codes to about 0.69";
    EXPECT_EQ(std::string(got[r].source), "probe");
    EXPECT_EQ(decisionTable(got[r]), decisionTable(got[0]));
    EXPECT_EQ(std::string(again[r].source), "cache") << "a second communicator of the same shape reuses it";
    EXPECT_EQ(again[r].inter.bandwidth, got[r].inter.bandwidth);
  }
}

// The codec is timed at its best repetition (a rank the scheduler parks measures the wait), and
// what ranks on one machine take from each other's cores is counted by their number against the
// cores: four ranks on two cores each get half of a core's speed.
TEST(Probe, RanksBeyondTheMachinesCoresShareThem) {
  EXPECT_DOUBLE_EQ(tune::coreShare(1, 16), 1.0);
  EXPECT_DOUBLE_EQ(tune::coreShare(2, 2), 1.0) << "a core each: nothing shared";
  EXPECT_DOUBLE_EQ(tune::coreShare(4, 2), 0.5);
  EXPECT_DOUBLE_EQ(tune::coreShare(3, 2), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(tune::coreShare(8, 1), 0.125);
  EXPECT_DOUBLE_EQ(tune::coreShare(0, 2), 1.0) << "unknown: no scaling";
  EXPECT_DOUBLE_EQ(tune::coreShare(4, 0), 0.25) << "an unreadable core count counts as one core";
}

TEST(Probe, HostIdOverridesTheTransportsNodes) {
  const int P = 3;
  std::vector<tune::NodeMap> maps(P);
  onRanks(P, {0, 1, 2}, [&](transport::LocalTransport& t, int r) {
    ASSERT_EQ(tune::discoverNodes(t, "same-box", &maps[r]), zcclSuccess);
  });
  for (const tune::NodeMap& m : maps) {
    EXPECT_EQ(m.nodes, 1);
    EXPECT_EQ(m.localRanks, 3);
  }
}

}  // namespace
}  // namespace zccl::test
