// The site rules file: parsing (wildcards, suffixes, comments, malformed lines reported and
// skipped), first-match order, and its place in the precedence (config > environment > rules >
// model) as the selector applies it.
#include "tune/rules.h"

#include <gtest/gtest.h>

#include "tune/selector.h"

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;

const char* kFile = R"(# site rules
allreduce, 1M, -1, -1, -1, bf16, -1, 10, 1, hier, 4M   # slow networks: compress, hierarchical
allreduce, *, *, *, *, *, *, *, 0, plain, -1
alltoall, 0, 64K, 2, 8, fp32, 1.5, 100, auto, auto, 256K
allgather, 1M, -1, -1, -1, bf16, -1, -1, on, direct, -1
broadcast, 1M
reduce, 1X, -1, -1, -1, bf16, -1, -1, 1, ring, -1
bogus, -1, -1, -1, -1, bf16, -1, -1, 1, ring, -1
)";

TEST(Rules, ParsesAndSkipsMalformedLines) {
  std::vector<std::string> problems;
  const std::vector<Rule> rules = parseRules(kFile, &problems);
  ASSERT_EQ(rules.size(), 3u);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_NE(problems[0].find("line 5"), std::string::npos) << problems[0] << ": direct cannot run an all-gather";
  EXPECT_NE(problems[1].find("line 6"), std::string::npos) << problems[1] << ": 2 fields";
  EXPECT_NE(problems[2].find("line 7"), std::string::npos) << problems[2] << ": 1X";
  EXPECT_NE(problems[3].find("line 8"), std::string::npos) << problems[3];
  EXPECT_EQ(rules[0].coll, static_cast<int>(Collective::kAllReduce));
  EXPECT_EQ(rules[0].minBytes, 1 << 20);
  EXPECT_EQ(rules[0].maxBytes, -1);
  EXPECT_EQ(rules[0].dtype, zcclBfloat16);
  EXPECT_EQ(rules[0].maxGbit, 10);
  EXPECT_EQ(rules[0].compress, ZCCL_COMPRESSION_ON);
  EXPECT_EQ(rules[0].algorithm, static_cast<int>(Algorithm::kHierarchical));
  EXPECT_EQ(rules[0].chunk, 4 << 20);
  EXPECT_EQ(rules[2].algorithm, kAutoAlgorithm);
  EXPECT_EQ(rules[2].chunk, 256 << 10);
}

TEST(Rules, FirstMatchWins) {
  std::vector<std::string> problems;
  const std::vector<Rule> rules = parseRules(kFile, &problems);
  const Rule* r = matchRule(rules, Collective::kAllReduce, 64 << 20, 2, 4, zcclBfloat16, 1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r, &rules[0]);
  EXPECT_EQ(matchRule(rules, Collective::kAllReduce, 64 << 20, 2, 4, zcclBfloat16, 100), &rules[1]) << "too fast";
  EXPECT_EQ(matchRule(rules, Collective::kAllReduce, 4096, 2, 4, zcclBfloat16, 1), &rules[1]) << "too small";
  EXPECT_EQ(matchRule(rules, Collective::kAlltoAll, 4096, 2, 8, zcclFloat32, 2), &rules[2]);
  EXPECT_EQ(matchRule(rules, Collective::kAlltoAll, 4096, 2, 4, zcclFloat32, 2), nullptr) << "8 ranks only";
  EXPECT_EQ(matchRule(rules, Collective::kAllGather, 64 << 20, 2, 4, zcclBfloat16, 1), nullptr);
}

TEST(Rules, DecideOnlyWhatTheModelWould) {
  Settings s{};
  for (int c = 0; c < algo::kCollectives; ++c) {
    s.compressionFor[c] = ZCCL_COMPRESSION_AUTO;
    s.algorithmFor[c] = kAutoAlgorithm;
  }
  s.minCompressBytes = 64 << 10;
  std::vector<std::string> problems;
  s.rules = parseRules("allreduce, *, *, *, *, *, *, *, 0, ring, 64K\n", &problems);
  Fabric f = hostDefaults(4, 4, 1);
  f.inter = Link{100e-6, 0.125e9};  // 1 Gbit/s: the model alone would compress
  const Query q{Collective::kAllReduce, zcclBfloat16, 64 << 20, false};
  Choice ch = select(q, s, f);
  EXPECT_EQ(describe(ch.plan), "ring/off/64K") << "the rule's compression, algorithm and chunk";
  s.compressionFor[static_cast<int>(Collective::kAllReduce)] = ZCCL_COMPRESSION_ON;  // as the variable says
  s.algorithmFor[static_cast<int>(Collective::kAllReduce)] = static_cast<int>(Algorithm::kDirect);
  ch = select(q, s, f);
  EXPECT_EQ(describe(ch.plan), "direct/on/64K") << "settings win where they are not auto; the chunk stays the rule's";
  s = Settings{s};
  s.rules = parseRules("allreduce, *, *, *, *, *, *, *, -1, hier, -1\n", &problems);
  s.compressionFor[static_cast<int>(Collective::kAllReduce)] = ZCCL_COMPRESSION_AUTO;
  s.algorithmFor[static_cast<int>(Collective::kAllReduce)] = kAutoAlgorithm;
  ch = select(q, s, f);
  EXPECT_TRUE(ch.forcedFellBack) << "hier needs nodes of several ranks: the model decides";
  EXPECT_TRUE(ch.plan.compress);
}

}  // namespace
}  // namespace zccl::tune
