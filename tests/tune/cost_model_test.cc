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
    // A broadcast's chain sends one eager message per rank and call, as few as any tree, and
    // back-to-back calls overlap it (EagerChainPiecesOverlapBackToBackBroadcasts).
    const Algorithm latencyBound = c == Collective::kBroadcast ? Algorithm::kChain : Algorithm::kPlain;
    EXPECT_EQ(tiny.plan.algorithm, latencyBound) << algo::collectiveName(c) << ": latency-bound";
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

// A chain whose pieces the transport sends eagerly overlaps the calls before and after it (each
// rank forwards and returns): one stage per call instead of P-1, so a small broadcast on a slow
// network takes the chain, not Open MPI's binomial tree (measured 133 against 304 us at 16 KiB,
// docs/perf.md section 10). Past the eager limit the chain fills every call again.
TEST(CostModel, EagerChainPiecesOverlapBackToBackBroadcasts) {
  Fabric f = network(1);
  f.inter.latency = 15e-6;
  const Plan chain{Algorithm::kChain, false, 1 << 20};
  const double stage16k = f.inter.latency + (16 << 10) / f.inter.bandwidth;
  EXPECT_NEAR(predictSeconds(Collective::kBroadcast, chain, 16 << 10, zcclBfloat16, f), stage16k, 1e-9);
  const double stage256k = f.inter.latency + (256 << 10) / f.inter.bandwidth;
  EXPECT_NEAR(predictSeconds(Collective::kBroadcast, chain, 256 << 10, zcclBfloat16, f), 3 * stage256k, 1e-9)
      << "past the 64 KiB eager limit every call fills the chain";
  const Choice small = select(Query{Collective::kBroadcast, zcclBfloat16, 16 << 10, true}, autoSettings(), f);
  EXPECT_EQ(small.plan.algorithm, Algorithm::kChain) << describe(small.plan);
  Fabric noEager = f;
  noEager.interEagerBytes = 0;
  EXPECT_NEAR(predictSeconds(Collective::kBroadcast, chain, 16 << 10, zcclBfloat16, noEager), 3 * stage16k, 1e-9)
      << "a transport without an eager protocol (NCCL's defaults) keeps the P-1 stages";
  EXPECT_EQ(deviceDefaults(4, 4, 1).interEagerBytes, 0);
}

// Over TCP the ranks' cores copy every byte through the kernel. Where they copy no faster than
// the link carries (unshaped TCP between namespaces, four ranks on two cores: 0.8 GB/s each),
// the codec's time adds to copies that already fill the step, and compression loses (measured
// 0.6-0.9x of off, docs/perf.md section 10); with the same link and no copies (a NIC's DMA) the
// codec overlaps the wire and pays.
TEST(Selector, CompressionDoesNotPayWhereTheCoresCopyNoFasterThanTheLink) {
  Fabric tcp = network(6.4);
  tcp.codec[0] = CodecSpeed{1.43e9, 2.86e9, 0.688};  // probed: four ranks on two cores
  tcp.interCopySecondsPerByte = 1 / 0.8e9;
  Fabric dma = tcp;
  dma.interCopySecondsPerByte = 0;
  const Settings s = autoSettings();
  for (Collective c : {Collective::kAllReduce, Collective::kAllGather}) {
    const Choice copying = select(Query{c, zcclBfloat16, 64 << 20, true}, s, tcp);
    EXPECT_FALSE(copying.plan.compress) << algo::collectiveName(c) << ": " << describe(copying.plan);
    const Choice offloaded = select(Query{c, zcclBfloat16, 64 << 20, true}, s, dma);
    EXPECT_TRUE(offloaded.plan.compress) << algo::collectiveName(c) << ": " << describe(offloaded.plan);
  }
  // Copies slower than the link set the pace of every step, the ring reduce-scatter's too (else
  // the ring would look cheaper than the direct one, which carries the same copies).
  Fabric slowCopies = tcp;
  slowCopies.interCopySecondsPerByte = 2 / 0.8e9;
  for (Algorithm a : {Algorithm::kRing, Algorithm::kDirect}) {
    const Plan raw{a, false, 1 << 20};
    EXPECT_GT(predictSeconds(Collective::kReduceScatter, raw, 16 << 20, zcclBfloat16, slowCopies),
              1.5 * predictSeconds(Collective::kReduceScatter, raw, 16 << 20, zcclBfloat16, dma))
        << algo::algorithmName(a);
  }
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
