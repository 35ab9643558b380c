// Hierarchical all-reduce: inside a node uncompressed, between nodes compressed, one flow per
// local rank, as NCCL's rings cross nodes once per channel.
//
// A communicator of N nodes with L ranks each (local rank l of node k). With n bytes in total:
//   1. inside each node, a direct reduce-scatter of the whole buffer into L segments of n/L: local
//      rank l holds its node's partial result for segment l (raw frames: shared memory or NVLink
//      is faster than the codec);
//   2. between nodes, the L ranks of local index l (one per node) all-reduce segment l among
//      themselves: direct reduce-scatter of compressed sub-segments, then the ring all-gather of
//      compressed reduced sub-segments. The L groups run at the same time, so a node's link
//      carries L flows of 2 (N-1)/N rho n/L bytes: 2 (N-1)/N rho n in all, against
//      L x 2 (P-1)/P rho n for a flat all-reduce over the same link;
//   3. inside each node, the ring all-gather of the L reduced segments (raw).
// Sum, min, max and product combine level by level; avg is a sum at both levels, divided by P
// once, on each rank's reduced sub-segment. Results are deterministic (fixed orders at both
// levels) and identical with compression on and off between nodes, but not the bytes of the flat
// algorithms: a node's partial sums are rounded to the dtype before they cross (as NCCL's
// hierarchical algorithms round per hop).
//
// Errors: the node's partial segment is kept in scratch (n/L bytes) until the level between nodes
// has completed it. A rank whose level between nodes failed (a frame it could not decode, or a
// peer's lost marker) writes none of its segment and sends it as lost markers in step 3, so every
// rank whose output misses it returns zcclCorruptFrame and no output holds a partial sum
// (context.h).
//
// Cost: 2 (L-1) intra steps of n/L raw bytes + (N-1) (RS) + (N-1) (AG) inter steps of n/(L N)
// coded bytes per flow, L flows per node link; codec on n/L per rank (tune/cost_model.cc).
#include <algorithm>

#include "algo/algorithms.h"

namespace zccl::algo {

constexpr int kNodePartialSlot = 7;  // scratch of the node's partial segment (algorithms use 0-3, reduce 6)

zcclResult_t hierarchicalAllReduce(Context& intra, Context& inter, const void* send, void* recv, size_t count,
                                   zcclRedOp_t op) {
  const size_t eb = intra.elemBytes;
  const zcclRedOp_t levelOp = op == zcclAvg ? zcclSum : op;
  const Segments node = Segments::even(count, intra.size());
  uint8_t* own = static_cast<uint8_t*>(recv) + node.offset[intra.rank()] * eb;
  const size_t ownCount = node.count[intra.rank()];
  // The node's partial result lives in scratch until the level between nodes has completed it: a
  // failure there must leave the output untouched, not holding a partial sum.
  uint8_t* partial = nullptr;
  ZCCL_CHECK(
      intra.engine.scratch(kNodePartialSlot, std::max<size_t>(1, ownCount * eb), reinterpret_cast<void**>(&partial)));
  ZCCL_CHECK(directReduceScatter(intra, send, node, partial, levelOp));
  std::vector<bool> lost = intra.unwritten;  // raw level: only a peer's lost marker leaves a chunk

  const Segments across = Segments::even(ownCount, inter.size());
  uint8_t* mine = partial + across.offset[inter.rank()] * eb;
  ZCCL_CHECK(directReduceScatter(inter, partial, across, mine, levelOp));
  if (op == zcclAvg && across.count[inter.rank()] != 0) {
    const ReduceInput sum{mine, 0};
    const int ranks = intra.size() * inter.size();
    ZCCL_CHECK(inter.engine.reduce(&sum, 1, across.count[inter.rank()], inter.dtype, zcclAvg, ranks, false, mine));
  }
  ZCCL_CHECK(ringAllGather(inter, partial, across, mine));

  const size_t chunks = intra.chunks(ownCount);
  lost.resize(chunks, false);
  if (inter.decodeError != zcclSuccess) lost.assign(chunks, true);
  for (size_t c = 0; c < chunks; ++c) {  // the complete chunks become this rank's output
    if (lost[c]) continue;
    const size_t at = c * intra.chunkElems * eb;
    ZCCL_CHECK(intra.engine.copy(own + at, partial + at, intra.chunkCount(ownCount, c) * eb));
  }
  intra.unwritten = lost;
  return ringAllGather(intra, static_cast<uint8_t*>(recv), node, own);
}

}  // namespace zccl::algo
