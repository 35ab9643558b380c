// Collective semantics on the local transport (ranks as threads): every collective, every NCCL
// dtype, every reduction op, 1 to 8 ranks, counts 0, 1, prime and not divisible by the rank count,
// in place and out of place, both reduction algorithms, compression off, on and auto, and the
// schedules for transports that need exact receive sizes (NCCL's) on a local world that demands
// them. Inputs are
// verifiable (small integers), so every result is compared with an exact value computed here.
#include <gtest/gtest.h>

#include "collectives/semantics_checks.h"

namespace zccl::test {
namespace {

struct Param {
  int ranks;
  int compression;
  int algorithm;
  bool exactSizes = false;  // the local world demands exact receive sizes, as NCCL does
  int perNode = 0;          // > 0: the ranks form nodes of this many (rank / perNode), for hierarchical plans
};

std::shared_ptr<transport::LocalWorld> world(const Param& p) { return localWorld(p.ranks, p.perNode, p.exactSizes); }

class Semantics : public ::testing::TestWithParam<Param> {};

TEST_P(Semantics, ReductionsAreExact) {
  const Param p = GetParam();
  runRanks(
      p.ranks, localConfig(p.compression, p.algorithm),
      [&](zcclComm_t comm, int r) { EXPECT_EQ(checkReductions(comm, r, p.ranks), 0u) << "rank " << r; }, world(p));
}

TEST_P(Semantics, DataMovementIsExact) {
  const Param p = GetParam();
  runRanks(
      p.ranks, localConfig(p.compression, p.algorithm),
      [&](zcclComm_t comm, int r) { EXPECT_EQ(checkDataMovement(comm, r, p.ranks), 0u) << "rank " << r; }, world(p));
}

std::vector<Param> params() {
  std::vector<Param> v;
  for (int ranks : {1, 2, 3, 4, 5, 8}) {
    for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON, ZCCL_COMPRESSION_AUTO}) {
      v.push_back({ranks, compression, ZCCL_ALGO_DIRECT});
    }
    v.push_back({ranks, ZCCL_COMPRESSION_ON, ZCCL_ALGO_RING});
  }
  for (auto [ranks, perNode] : {std::pair{4, 2}, {6, 3}, {6, 2}, {8, 4}}) {  // nodes x ranks, hierarchical
    v.push_back({ranks, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_HIER, false, perNode});
    v.push_back({ranks, ZCCL_COMPRESSION_ON, ZCCL_ALGO_HIER, false, perNode});
  }
  v.push_back({4, ZCCL_COMPRESSION_ON, ZCCL_ALGO_HIER, true, 2});
  for (int ranks : {1, 2, 4, 8}) {  // recursive doubling
    v.push_back({ranks, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DOUBLING});
    v.push_back({ranks, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DOUBLING});
  }
  v.push_back({4, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DOUBLING, true});
  v.push_back({3, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DOUBLING});        // not a power of two: falls back
  v.push_back({5, ZCCL_COMPRESSION_ON, ZCCL_ALGO_HIER, false, 2});  // nodes of 2, 2, 1: falls back
  for (int ranks : {2, 3, 4}) {  // the NCCL-style schedules (frame sizes exchanged first)
    v.push_back({ranks, ZCCL_COMPRESSION_OFF, ZCCL_ALGO_DIRECT, true});
    v.push_back({ranks, ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, true});
    v.push_back({ranks, ZCCL_COMPRESSION_ON, ZCCL_ALGO_RING, true});
  }
  return v;
}

std::string paramName(const ::testing::TestParamInfo<Param>& info) {
  static const char* kCompression[] = {"off", "on", "auto"};
  const int a = info.param.algorithm;
  return std::to_string(info.param.ranks) + "ranks_" + kCompression[info.param.compression] + "_" +
         (a == ZCCL_ALGO_RING       ? "ring"
          : a == ZCCL_ALGO_HIER     ? "hier"
          : a == ZCCL_ALGO_DOUBLING ? "doubling"
                                    : "direct") +
         (info.param.perNode > 0 ? "_" + std::to_string(info.param.perNode) + "pernode" : "") +
         (info.param.exactSizes ? "_exactsizes" : "");
}

INSTANTIATE_TEST_SUITE_P(Local, Semantics, ::testing::ValuesIn(params()), paramName);

}  // namespace
}  // namespace zccl::test
