// ZipCCL's collective algorithms, each written against the Transport and Engine interfaces
// (docs/algorithms.md explains each with its alpha-beta cost). All ranks call an algorithm with
// the same arguments (but their own buffers); buffers are in the engine's memory space.
#pragma once

#include "algo/context.h"

namespace zccl::algo {

// Ring all-gather: segment p of `base` comes from rank p (rank r's from ownSrc, copied in place
// if elsewhere). Each segment is compressed once by its owner, forwarded unchanged around the
// ring and decoded once by every other rank.
zcclResult_t ringAllGather(Context& ctx, uint8_t* base, const Segments& seg, const void* ownSrc);

// Chain broadcast from root: chunks are compressed once by the root, forwarded unchanged along
// root, root+1, ..., and decoded once per rank.
zcclResult_t chainBroadcast(Context& ctx, const void* send, void* recv, size_t count, int root);

// Pairwise all-to-all: block p of send goes to rank p, compressed by the sender, decoded by the
// receiver; step s exchanges with ranks r+s and r-s. Blocks hold `count` elements and start
// `stride` elements apart in both buffers (count itself, or the whole block of a windowed call).
zcclResult_t pairwiseAlltoAll(Context& ctx, const void* send, void* recv, size_t count, size_t stride);

// Direct reduce-scatter: segment r of every rank's `send` goes (compressed) to rank r, which
// reduces the P contributions element by element in rank order in fp32 and rounds once into out.
zcclResult_t directReduceScatter(Context& ctx, const void* send, const Segments& seg, void* out, zcclRedOp_t op);

// Ring reduce-scatter: partial results travel around the ring, decoded, reduced with the local
// contribution, rounded and re-encoded at every hop (NCCL's ring, kept for comparison).
zcclResult_t ringReduceScatter(Context& ctx, const void* send, const Segments& seg, void* out, zcclRedOp_t op);

// Hierarchical all-reduce on a communicator of N nodes of L ranks: reduce-scatter inside each node
// (raw), all-reduce of each rank's segment among the ranks of the same local index on every node
// (compressed as `inter` says), all-gather inside each node (raw). `intra` and `inter` are
// contexts on the two views of the communicator (algo/execute.h, Levels).
zcclResult_t hierarchicalAllReduce(Context& intra, Context& inter, const void* send, void* recv, size_t count,
                                   zcclRedOp_t op);

// Recursive-doubling all-reduce (P a power of two): log2(P) exchanges of the whole running
// result with rank r XOR d, combined lower rank first; for latency-bound messages.
bool isPowerOfTwo(int p);
zcclResult_t recursiveDoublingAllReduce(Context& ctx, const void* send, void* recv, size_t count, zcclRedOp_t op);

// Gather to root: every rank's `own` segment (compressed) lands at recv + offset on the root.
zcclResult_t gatherToRoot(Context& ctx, const void* own, const Segments& seg, void* recv, int root);

}  // namespace zccl::algo
