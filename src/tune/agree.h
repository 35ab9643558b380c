// Values every rank of a communicator must hold identically (node keys, probe figures), made so by
// exchanging them over the transport's size exchange (host arrays on every transport): a ring
// all-gather of a few words per rank, P-1 steps. Collective: every rank calls it with the same n.
#pragma once

#include <cstdint>
#include <vector>

#include "transport/transport.h"

namespace zccl::tune {

// *all = the n words of rank 0, then rank 1's, ... (P * n words).
zcclResult_t allGatherWords(transport::Transport& t, const std::vector<uint64_t>& mine, std::vector<uint64_t>* all);

// values[i] = the largest values[i] of any rank (on every rank).
zcclResult_t agreeMax(transport::Transport& t, std::vector<double>* values);

}  // namespace zccl::tune
