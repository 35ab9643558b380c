// The cost model and the selector as pure functions: what they decide on links and codecs we
// state, so the decisions that matter (never compress over fast shared memory, compress over a
// slow network from where it pays, the transport's own collective for latency-bound messages)
// are pinned down without a network.
#include "tune/cost_model.h"

#include <gtest/gtest.h>

#include "tune/selector.h"
#include "tune/settings.h"

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;
using algo::Plan;

Settings autoSettings() {
  Settings s{};
  for (int c = 0; c < algo::kCollectives; ++c) {
    s.compressionFor[c] = ZCCL_COMPRESSION_AUTO;
    s.algorithmFor[c] = kAutoAlgorithm;
  }
  s.codecMode = zcclCodecModeWindow;
  s.minCompressBytes = 64 << 10;
  s.probe = 0;
  return s;
}

// 4 ranks, each on its own node, joined by `gbitPerSec` links; this machine's CPU codec.
Fabric network(double gbitPerSec, int ranks = 4, int nodes = 4) {
  Fabric f = hostDefaults(ranks, nodes, ranks / nodes);
  f.inter = Link{100e-6, gbitPerSec * 1e9 / 8};
  return f;
}

Fabric sharedMemory(int ranks = 4) {
  Fabric f = hostDefaults(ranks, 1, ranks);
  f.intra = Link{10e-6, 3e9};
  return f;
}

const Collective kAll[] = {Collective::kAllReduce, Collective::kBroadcast,     Collective::kReduce,
                           Collective::kAllGather, Collective::kReduceScatter, Collective::kAlltoAll};

TEST(CostModel, CompressedTimeOnASlowLinkApproachesTheSizeRatio) {
  const Fabric f = network(1);
  for (Collective c : {Collective::kAllGather, Collective::kAlltoAll, Collective::kReduceScatter}) {
    const Algorithm a = c == Collective::kAllGather  ? Algorithm::kRing
                        : c == Collective::kAlltoAll ? Algorithm::kPairwise
                                                     : Algorithm::kDirect;
    const double off = predictSeconds(c, Plan{a, false, 1 << 20}, 64 << 20, zcclBfloat16, f);
    const double on = predictSeconds(c, Plan{a, true, 1 << 20}, 64 << 20, zcclBfloat16, f);
    ASSERT_GT(off, 0);
    EXPECT_GT(off / on, 1.3) << algo::collectiveName(c);
    EXPECT_LT(off / on, 1.0 / f.codec[0].ratio + 1e-9) << algo::collectiveName(c) << ": never past 1/ratio";
  }
}

TEST(CostModel, PlansThatCannotRunAreNegative) {
  const Fabric f = network(1);
  EXPECT_LT(predictSeconds(Collective::kAllGather, Plan{Algorithm::kDirect, false, 1 << 20}, 1 << 20, zcclBfloat16, f),
            0);
  EXPECT_LT(predictSeconds(Collective::kBroadcast, Plan{Algorithm::kRing, true, 1 << 20}, 1 << 20, zcclBfloat16, f), 0);
}

TEST(CostModel, TimeGrowsWithTheMessageAndShrinksWithTheLink) {
  for (Collective c : kAll) {
    const Plan plain{Algorithm::kPlain, false, 0};
    double last = 0;
    for (size_t bytes = 4096; bytes <= (size_t{256} << 20); bytes *= 4) {
      const double t = predictSeconds(c, plain, bytes, zcclFloat32, network(1));
      EXPECT_GT(t, last) << algo::collectiveName(c) << " " << bytes;
      EXPECT_LT(predictSeconds(c, plain, bytes, zcclFloat32, network(10)), t) << algo::collectiveName(c);
      last = t;
    }
  }
}

TEST(Selector, NeverCompressesOverSharedMemory) {
  const Settings s = autoSettings();
  for (Collective c : kAll) {
    for (size_t bytes = 4096; bytes <= (size_t{256} << 20); bytes *= 4) {
      for (bool plain : {false, true}) {
        const Choice ch = select(Query{c, zcclBfloat16, bytes, plain}, s, sharedMemory());
        EXPECT_FALSE(ch.plan.compress) << algo::collectiveName(c) << " " << bytes << " " << describe(ch.plan);
        if (plain && bytes <= 4096) {
          EXPECT_EQ(ch.plan.algorithm, Algorithm::kPlain) << algo::collectiveName(c);
        }
      }
    }
  }
}

TEST(Selector, CompressesLargeMessagesOnASlowNetworkAndSmallOnesNot) {
  const Settings s = autoSettings();
  for (Collective c : kAll) {
    const Choice big = select(Query{c, zcclBfloat16, 64 << 20, true}, s, network(1));
    EXPECT_TRUE(big.plan.compress) << algo::collectiveName(c) << ": " << describe(big.plan);
    EXPECT_LT(big.seconds, big.bestRaw) << algo::collectiveName(c);
    const Choice tiny = select(Query{c, zcclBfloat16, 4096, true}, s, network(1));
    EXPECT_FALSE(tiny.plan.compress) << algo::collectiveName(c) << ": under minCompressBytes";
    EXPECT_EQ(tiny.plan.algorithm, Algorithm::kPlain) << algo::collectiveName(c) << ": latency-bound";
  }
}

TEST(Selector, TheCrossoverMovesUpAsTheLinkGetsFaster) {
  const Settings s = autoSettings();
  size_t previous = 0;
  for (double gbit : {0.5, 1.0, 2.0, 4.0}) {
    size_t crossover = 0;
    for (size_t bytes = 4096; bytes <= (size_t{1} << 30) && crossover == 0; bytes *= 2) {
      if (select(Query{Collective::kAllGather, zcclBfloat16, bytes, true}, s, network(gbit)).plan.compress) {
        crossover = bytes;
      }
    }
    ASSERT_NE(crossover, 0u) << gbit << " Gbit/s: compression should pay for large messages";
    EXPECT_GE(crossover, previous) << gbit << " Gbit/s";
    previous = crossover;
  }
  const Choice fast = select(Query{Collective::kAllGather, zcclBfloat16, 256 << 20, true}, s, network(400));
  EXPECT_FALSE(fast.plan.compress) << "400 Gbit/s is faster than a CPU codec";
}

TEST(Selector, ForcedChoicesWinAndOffAndOnShareTheAlgorithm) {
  Settings s = autoSettings();
  s.compressionFor[static_cast<int>(Collective::kAllReduce)] = ZCCL_COMPRESSION_ON;
  const Choice on = select(Query{Collective::kAllReduce, zcclBfloat16, 4096, true}, s, sharedMemory());
  EXPECT_TRUE(on.plan.compress);
  s.compressionFor[static_cast<int>(Collective::kAllReduce)] = ZCCL_COMPRESSION_OFF;
  const Choice off = select(Query{Collective::kAllReduce, zcclBfloat16, 4096, true}, s, sharedMemory());
  EXPECT_FALSE(off.plan.compress);
  EXPECT_EQ(on.plan.algorithm, off.plan.algorithm) << "off and on differ only in the frames";
  EXPECT_EQ(on.plan.chunkBytes, off.plan.chunkBytes);

  s = autoSettings();
  s.algorithmFor[static_cast<int>(Collective::kAllGather)] = static_cast<int>(Algorithm::kPlain);
  EXPECT_EQ(select(Query{Collective::kAllGather, zcclBfloat16, 64 << 20, true}, s, network(1)).plan.algorithm,
            Algorithm::kPlain);
  const Choice fell = select(Query{Collective::kAllGather, zcclBfloat16, 64 << 20, false}, s, network(1));
  EXPECT_TRUE(fell.forcedFellBack) << "plain without a transport collective falls back to the model";
  EXPECT_NE(fell.plan.algorithm, Algorithm::kPlain);

  s = autoSettings();
  s.chunkBytes = 64 << 10;
  EXPECT_EQ(select(Query{Collective::kAlltoAll, zcclBfloat16, 64 << 20, true}, s, network(1)).plan.chunkBytes,
            size_t{64} << 10);
}

TEST(Selector, LatencyBoundMessagesTakeRecursiveDoublingWhereThereIsNoPlainPath) {
  const Settings s = autoSettings();
  const Choice small = select(Query{Collective::kAllReduce, zcclBfloat16, 4096, false}, s, network(1));
  EXPECT_EQ(small.plan.algorithm, Algorithm::kDoubling) << describe(small.plan);
  const Choice three = select(Query{Collective::kAllReduce, zcclBfloat16, 4096, false}, s, network(1, 3, 3));
  EXPECT_NE(three.plan.algorithm, Algorithm::kDoubling) << "3 ranks: not a power of two";
  const Choice big = select(Query{Collective::kAllReduce, zcclBfloat16, 64 << 20, false}, s, network(1));
  EXPECT_NE(big.plan.algorithm, Algorithm::kDoubling) << "bandwidth-bound: " << describe(big.plan);
  // Never compressed under auto: at every size it either stays raw or leaves doubling.
  for (size_t bytes = 4096; bytes <= (size_t{64} << 20); bytes *= 4) {
    const Choice c = select(Query{Collective::kAllReduce, zcclBfloat16, bytes, false}, s, network(1));
    EXPECT_FALSE(c.plan.algorithm == Algorithm::kDoubling && c.plan.compress) << bytes << ": " << describe(c.plan);
  }
}

TEST(CostModel, RecursiveDoublingStepsDoNotOverlapEachOther) {
  // One chunk per step (64 KiB, 1 MiB chunks): wire and codec add up, twice (4 ranks).
  const Fabric f = network(1);
  const size_t n = 64 << 10;
  const CodecSpeed& c = f.codec[codecIndex(zcclBfloat16)];
  const double wire = n * c.ratio / f.inter.bandwidth, work = n / c.compress + n / c.decompress;
  const double t = predictSeconds(Collective::kAllReduce, Plan{Algorithm::kDoubling, true, size_t{1} << 20}, n,
                                  zcclBfloat16, f);
  EXPECT_GE(t, 2 * (wire + work)) << "steps overlapped";
  EXPECT_LT(t, 2 * (wire + work) + 4 * f.inter.latency + 1e-3);
}

// Open MPI's own collectives reach a fraction of the textbook bandwidth (Fabric::plainEfficiency,
// measured: MPI_Reduce_scatter_block 0.15, MPI_Allreduce 0.35 of ZipCCL's uncompressed speed at
// 64 MiB over shared memory): large messages stay on ZipCCL's raw algorithms, small ones (latency)
// may take MPI's.
TEST(Selector, OpenMpisOwnCollectivesAreNotTakenWhereTheyAreSlow) {
  const Settings s = autoSettings();
  for (Collective c : {Collective::kAllReduce, Collective::kReduceScatter}) {
    const Choice big = select(Query{c, zcclFloat32, 64 << 20, true}, s, sharedMemory());
    EXPECT_NE(big.plan.algorithm, Algorithm::kPlain) << algo::collectiveName(c) << ": " << describe(big.plan);
  }
  // Open MPI's reduce-scatter is the slower from 64 KiB of buffer (measured, docs/perf.md section
  // 10), the faster below: 4 ranks, blocks of 64 KiB (256 KiB of buffer) and of 2 KiB.
  const Choice mid = select(Query{Collective::kReduceScatter, zcclFloat32, 64 << 10, true}, s, sharedMemory());
  EXPECT_NE(mid.plan.algorithm, Algorithm::kPlain) << describe(mid.plan);
  const Choice tiny = select(Query{Collective::kReduceScatter, zcclFloat32, 2 << 10, true}, s, sharedMemory());
  EXPECT_EQ(tiny.plan.algorithm, Algorithm::kPlain) << describe(tiny.plan);
  Fabric nccl = deviceDefaults(4, 1, 4);
  const Choice gpu = select(Query{Collective::kAllReduce, zcclFloat32, 64 << 20, true}, s, nccl);
  EXPECT_EQ(gpu.plan.algorithm, Algorithm::kPlain) << "NCCL's own is the reference: " << describe(gpu.plan);
}

TEST(Selector, NodesOfSeveralRanksOnASlowNetworkTakeTheHierarchicalAllReduce) {
  const Settings s = autoSettings();
  Fabric f = network(1, 4, 2);  // 2 nodes of 2
  f.intra = Link{10e-6, 3e9};
  for (zcclDataType_t d : {zcclBfloat16, zcclFloat32}) {
    const Choice ch = select(Query{Collective::kAllReduce, d, 64 << 20, d == zcclFloat32}, s, f);
    EXPECT_EQ(ch.plan.algorithm, Algorithm::kHierarchical) << describe(ch.plan);
    EXPECT_TRUE(ch.plan.compress);
  }
  f.uniformNodes = false;
  EXPECT_NE(select(Query{Collective::kAllReduce, zcclBfloat16, 64 << 20, false}, s, f).plan.algorithm,
            Algorithm::kHierarchical)
      << "nodes of unequal size";
}

TEST(Selector, TypesTheCodecDoesNotCodeAreNeverCompressed) {
  const Settings s = autoSettings();
  for (zcclDataType_t d : {zcclInt32, zcclFloat64, zcclUint8}) {
    const Choice ch = select(Query{Collective::kAllReduce, d, 64 << 20, true}, s, network(0.1));
    EXPECT_FALSE(ch.plan.compress);
    EXPECT_EQ(ch.plan.algorithm, Algorithm::kPlain);
    EXPECT_FALSE(select(Query{Collective::kAllReduce, d, 64 << 20, false}, s, network(0.1)).plan.compress);
  }
}

}  // namespace
}  // namespace zccl::tune
