// ZCCL_ALGO and ZCCL_COMPRESSION's grammar (one value, or NCCL 2.24-style per-collective entries),
// the precedence of zcclConfig_t over the variables, and malformed values: a warning and the
// default, never a failure.
#include "tune/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;

constexpr int kAR = static_cast<int>(Collective::kAllReduce), kAG = static_cast<int>(Collective::kAllGather),
              kRS = static_cast<int>(Collective::kReduceScatter), kA2A = static_cast<int>(Collective::kAlltoAll),
              kBC = static_cast<int>(Collective::kBroadcast), kRed = static_cast<int>(Collective::kReduce);

struct Algorithms {
  int a[algo::kCollectives];
  Algorithms() {
    for (int& x : a) x = kAutoAlgorithm;
  }
};

TEST(AlgorithmSpec, OneValueMeansTheReductionsForDirectAndRing) {
  Algorithms v;
  std::vector<std::string> problems;
  applyAlgorithmSpec("ring", v.a, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(v.a[kAR], static_cast<int>(Algorithm::kRing));
  EXPECT_EQ(v.a[kRS], static_cast<int>(Algorithm::kRing));
  EXPECT_EQ(v.a[kRed], static_cast<int>(Algorithm::kRing));
  EXPECT_EQ(v.a[kAG], kAutoAlgorithm);
  EXPECT_EQ(v.a[kA2A], kAutoAlgorithm);
  applyAlgorithmSpec("plain", v.a, &problems);
  for (int x : v.a) EXPECT_EQ(x, static_cast<int>(Algorithm::kPlain));
}

TEST(AlgorithmSpec, PerCollectiveEntriesApplyInOrder) {
  Algorithms v;
  std::vector<std::string> problems;
  applyAlgorithmSpec(" Direct ; allgather:plain;ALLREDUCE:ring; broadcast:chain", v.a, &problems);
  EXPECT_TRUE(problems.empty()) << problems[0];
  EXPECT_EQ(v.a[kAR], static_cast<int>(Algorithm::kRing));
  EXPECT_EQ(v.a[kRS], static_cast<int>(Algorithm::kDirect));
  EXPECT_EQ(v.a[kAG], static_cast<int>(Algorithm::kPlain));
  EXPECT_EQ(v.a[kBC], static_cast<int>(Algorithm::kChain));
}

TEST(AlgorithmSpec, MalformedOrImpossibleEntriesAreReportedAndIgnored) {
  Algorithms v;
  std::vector<std::string> problems;
  applyAlgorithmSpec("allgather:direct;tree;foo:ring;alltoall:pairwise;;", v.a, &problems);
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_EQ(v.a[kAG], kAutoAlgorithm) << "direct cannot run an all-gather";
  EXPECT_EQ(v.a[kA2A], static_cast<int>(Algorithm::kPairwise));
  EXPECT_EQ(v.a[kAR], kAutoAlgorithm);
}

TEST(CompressionSpec, GlobalAndPerCollective) {
  int v[algo::kCollectives];
  for (int& x : v) x = ZCCL_COMPRESSION_AUTO;
  std::vector<std::string> problems;
  applyCompressionSpec("on;alltoall:off;allgather:auto;reduce:maybe", v, &problems);
  EXPECT_EQ(problems.size(), 1u);
  EXPECT_EQ(v[kAR], ZCCL_COMPRESSION_ON);
  EXPECT_EQ(v[kA2A], ZCCL_COMPRESSION_OFF);
  EXPECT_EQ(v[kAG], ZCCL_COMPRESSION_AUTO);
  EXPECT_EQ(v[kRed], ZCCL_COMPRESSION_ON);
}

TEST(ResolveSettings, ConfigWinsOverTheEnvironment) {
  setenv("ZCCL_ALGO", "allreduce:ring;allgather:plain", 1);
  setenv("ZCCL_COMPRESSION", "off", 1);
  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;
  config.algorithm = ZCCL_ALGO_DIRECT;
  config.compression = ZCCL_COMPRESSION_ON;
  Settings s{};
  ASSERT_EQ(resolveSettings(&config, &s), zcclSuccess);
  EXPECT_EQ(s.algorithmFor[kAR], static_cast<int>(Algorithm::kDirect)) << "the config's algorithm wins";
  EXPECT_EQ(s.algorithmFor[kAG], static_cast<int>(Algorithm::kPlain)) << "entries the config does not touch stay";
  for (int m : s.compressionFor) EXPECT_EQ(m, ZCCL_COMPRESSION_ON);
  ASSERT_EQ(resolveSettings(nullptr, &s), zcclSuccess);
  EXPECT_EQ(s.algorithmFor[kAR], static_cast<int>(Algorithm::kRing));
  for (int m : s.compressionFor) EXPECT_EQ(m, ZCCL_COMPRESSION_OFF);
  unsetenv("ZCCL_ALGO");
  unsetenv("ZCCL_COMPRESSION");
}

TEST(ResolveSettings, MalformedVariablesWarnAndTakeTheDefault) {
  for (const char* bad : {"0", "-5", "2G", "lots"}) {
    setenv("ZCCL_CHUNK_BYTES", bad, 1);
    Settings s{};
    EXPECT_EQ(resolveSettings(nullptr, &s), zcclSuccess) << bad;
    EXPECT_EQ(s.chunkBytes, size_t{1} << 20) << bad << ": the default 1M";
  }
  unsetenv("ZCCL_CHUNK_BYTES");
  setenv("ZCCL_NET_BW", "fast", 1);
  setenv("ZCCL_ALGO", "bogus", 1);
  Settings s{};
  EXPECT_EQ(resolveSettings(nullptr, &s), zcclSuccess);
  EXPECT_EQ(s.interGiven.bandwidth, 0.0) << "a malformed bandwidth is not given";
  for (int a : s.algorithmFor) EXPECT_EQ(a, kAutoAlgorithm);
  unsetenv("ZCCL_NET_BW");
  unsetenv("ZCCL_ALGO");
  setenv("ZCCL_NET_BW", "0.125", 1);
  setenv("ZCCL_NET_LAT_US", "50", 1);
  EXPECT_EQ(resolveSettings(nullptr, &s), zcclSuccess);
  EXPECT_DOUBLE_EQ(s.interGiven.bandwidth, 0.125e9);
  EXPECT_DOUBLE_EQ(s.interGiven.latency, 50e-6);
  unsetenv("ZCCL_NET_BW");
  unsetenv("ZCCL_NET_LAT_US");
}

TEST(ResolveSettings, BadConfigFieldsAreErrors) {
  Settings s{};
  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;
  config.algorithm = 7;
  EXPECT_EQ(resolveSettings(&config, &s), zcclInvalidArgument);
  config = ZCCL_CONFIG_INITIALIZER;
  config.chunkBytes = 10;
  EXPECT_EQ(resolveSettings(&config, &s), zcclInvalidArgument);
  config = ZCCL_CONFIG_INITIALIZER;
  config.magic = 0;
  EXPECT_EQ(resolveSettings(&config, &s), zcclInvalidArgument);
}

}  // namespace
}  // namespace zccl::tune
