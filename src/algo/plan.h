// What the selector hands the algorithm layer for one call: which algorithm runs it, whether its
// frames are compressed, and the pipeline chunk. Plans are plain values: every rank of a
// communicator computes the same plan for the same call (src/tune/selector.h), so no plan ever
// travels between ranks.
#pragma once

#include <cstddef>

namespace zccl::algo {

// The collectives, in the order of the public API's entry points.
enum class Collective { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAlltoAll };
constexpr int kCollectives = 6;

// kPlain is the transport's own collective (MPI's, NCCL's); the others are ZipCCL's algorithms
// (docs/algorithms.md). Which ones can run a collective: algorithmRuns().
enum class Algorithm { kPlain, kDirect, kRing, kChain, kPairwise, kHierarchical, kDoubling };
constexpr int kAlgorithms = 7;

struct Plan {
  Algorithm algorithm = Algorithm::kPlain;
  bool compress = false;  // ZipCCL's algorithms only: frames coded (else raw chunks); hierarchical:
                          // between nodes (inside a node chunks always travel raw)
  size_t chunkBytes = 0;  // ZipCCL's algorithms only: uncompressed bytes per message
};

// all-reduce: plain, direct, ring, hierarchical, doubling; reduce-scatter, reduce: plain, direct, ring;
// all-gather: plain, ring; broadcast: plain, chain; all-to-all: plain, pairwise. (Hierarchical
// also needs a communicator whose nodes hold the same number of ranks: algo/execute.h's Levels;
// doubling a power-of-two rank count.)
constexpr bool algorithmRuns(Collective c, Algorithm a) {
  if (a == Algorithm::kPlain) return true;
  switch (c) {
    case Collective::kAllReduce:
      return a == Algorithm::kDirect || a == Algorithm::kRing || a == Algorithm::kHierarchical ||
             a == Algorithm::kDoubling;
    case Collective::kReduceScatter:
    case Collective::kReduce:
      return a == Algorithm::kDirect || a == Algorithm::kRing;
    case Collective::kAllGather:
      return a == Algorithm::kRing;
    case Collective::kBroadcast:
      return a == Algorithm::kChain;
    case Collective::kAlltoAll:
      return a == Algorithm::kPairwise;
  }
  return false;
}

const char* collectiveName(Collective c);  // "allreduce", "broadcast", ... (NCCL_ALGO's spelling)
const char* algorithmName(Algorithm a);    // "plain", "direct", "ring", "chain", "pairwise", "hier", "doubling"

}  // namespace zccl::algo
