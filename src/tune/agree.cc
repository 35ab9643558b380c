#include "tune/agree.h"

#include <algorithm>
#include <cstring>

namespace zccl::tune {

zcclResult_t allGatherWords(transport::Transport& t, const std::vector<uint64_t>& mine, std::vector<uint64_t>* all) {
  const int P = t.size(), r = t.rank();
  const size_t n = mine.size();
  all->assign(static_cast<size_t>(P) * n, 0);
  std::copy(mine.begin(), mine.end(), all->begin() + static_cast<size_t>(r) * n);
  // Step s: pass on block r - s to r + 1, take block r - s - 1 from r - 1.
  for (int s = 0; s + 1 < P; ++s) {
    const size_t out = static_cast<size_t>((r - s + P) % P), in = static_cast<size_t>((r - s - 1 + P) % P);
    ZCCL_CHECK(t.exchangeSizes((r + 1) % P, all->data() + out * n, n, (r - 1 + P) % P, all->data() + in * n, n));
  }
  return zcclSuccess;
}

zcclResult_t agreeMax(transport::Transport& t, std::vector<double>* values) {
  std::vector<uint64_t> mine(values->size()), all;
  std::memcpy(mine.data(), values->data(), values->size() * sizeof(double));
  ZCCL_CHECK(allGatherWords(t, mine, &all));
  for (size_t p = 0; p < all.size() / std::max<size_t>(1, values->size()); ++p) {
    for (size_t i = 0; i < values->size(); ++i) {
      double v;
      std::memcpy(&v, &all[p * values->size() + i], sizeof(v));
      (*values)[i] = std::max((*values)[i], v);
    }
  }
  return zcclSuccess;
}

}  // namespace zccl::tune
