// What a run in which one frame was damaged in flight must show, compared with the same run
// undamaged (tests/collectives/errors_test.cc on the local transport, tests/emulated on the GPU
// path): the receiver of the damaged frame (`damagedRank`) reports zcclCorruptFrame, every rank
// reports success or zcclCorruptFrame (a rank that stopped sending would time its peers out), every output
// element is either what the undamaged run computed or the rank's own sentinel (unwritten), a
// rank with unwritten elements reports an error (no silent loss), and `gapRank` does have some.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "zccl/zccl.h"

namespace zccl::test {

// sentinel(r): the value rank r's output was filled with before the run.
template <class Sentinel>
void expectDamageContained(const std::vector<std::vector<uint16_t>>& expected,
                           const std::vector<std::vector<uint16_t>>& got, const std::vector<zcclResult_t>& damaged,
                           int gapRank, Sentinel sentinel, int damagedRank = 1) {
  EXPECT_EQ(damaged[damagedRank], zcclCorruptFrame);
  for (size_t r = 0; r < damaged.size(); ++r) {
    EXPECT_TRUE(damaged[r] == zcclSuccess || damaged[r] == zcclCorruptFrame) << "rank " << r << ": " << damaged[r];
  }
  for (size_t r = 0; r < got.size(); ++r) {
    size_t wrong = 0, unwritten = 0;
    for (size_t i = 0; i < got[r].size(); ++i) {
      if (got[r][i] == expected[r][i]) continue;
      ++(got[r][i] == sentinel(static_cast<int>(r)) ? unwritten : wrong);
    }
    EXPECT_EQ(wrong, 0u) << "rank " << r;
    if (unwritten != 0) {
      EXPECT_NE(damaged[r], zcclSuccess) << "rank " << r << " lost " << unwritten << " elements silently";
    }
    if (static_cast<int>(r) == gapRank) {
      EXPECT_GT(unwritten, 0u) << "rank " << r;
    }
  }
}

}  // namespace zccl::test
