// Ring all-gather of P segments, compressed once at the source.
//
// Rank r compresses its own segment once (chunk by chunk: one frame per chunk). In step s
// (0..P-2) it sends to rank r+1 the frames of segment r-s (its own at s = 0, afterwards the ones it
// received in step s-1, forwarded unchanged) and receives from rank r-1 the frames of segment
// r-s-1. It decodes those frames one step later, while they are forwarded and the next segment
// arrives: Open MPI completes the messages of a step together at its end (docs/perf.md), so
// decoding as they complete would hold back the next step's sends by a block's decode time.
// Incoming frames alternate between two scratch slots: one receives while the other forwards
// and is decoded.
//
// Each step posts its sends before its receives: over Open MPI's TCP transport, receives posted
// first cut the throughput of a 1 Gbit/s link by 40% (measured, docs/perf.md), and the order is
// free: the two use different buffers.
//
// Cost for P ranks, n bytes per segment, size ratio rho: (P-1) (alpha + rho n beta) on the wire;
// codec: 1 compression of n, P-1 decompressions of n per rank. Compression off: the same with
// rho = 1 and no codec.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t ringAllGather(Context& ctx, uint8_t* base, const Segments& seg, const void* ownSrc) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes;
  uint8_t* own = base + seg.offset[r] * eb;
  if (ownSrc != own) ZCCL_CHECK(ctx.engine.copy(own, ownSrc, seg.count[r] * eb));
  if (P == 1) return zcclSuccess;
  const int right = (r + 1) % P, left = (r - 1 + P) % P;
  const size_t slotBytes = ctx.blockCapacity(seg.maxCount());
  uint8_t* slots[3] = {nullptr, nullptr, nullptr};
  if (ctx.compress) {
    for (int k = 0; k < 3; ++k) ZCCL_CHECK(ctx.engine.scratch(k, slotBytes, reinterpret_cast<void**>(&slots[k])));
  }
  OutgoingBlock out;
  prepareBlock(ctx, own, seg.count[r], slots[0], &out);
  passOnUnwritten(ctx, &out);     // all-reduce: chunks its reduce-scatter could not produce
  IncomingBlock in[2];            // step s receives into in[s % 2] while in[(s - 1) % 2] is forwarded and decoded
  uint8_t* pendingDst = nullptr;  // where the block received last step decodes to (nullptr: none)
  for (int s = 0; s < P - 1; ++s) {
    const int recvSeg = (r - s - 1 + 2 * P) % P;
    const size_t count = seg.count[recvSeg];
    uint8_t* dst = base + seg.offset[recvSeg] * eb;
    std::vector<uint64_t> exact;
    ZCCL_CHECK(exchangeMessageSizes(ctx, right, &out, left, ctx.chunks(count), &exact));
    std::vector<transport::Request> sends;  // sends before receives: see the top of this file
    ZCCL_CHECK(sendBlock(ctx, right, &out, &sends));
    IncomingBlock& cur = in[s % 2];
    ZCCL_CHECK(recvBlock(ctx, left, count, ctx.compress ? slots[1 + s % 2] : dst,
                         exact.empty() ? nullptr : exact.data(), &cur));
    if (pendingDst != nullptr) decodeBlock(ctx, in[(s + 1) % 2], pendingDst);  // while this step travels
    for (size_t c = 0; c < ctx.chunks(count); ++c) ZCCL_CHECK(waitChunk(ctx, &cur, c));
    ZCCL_CHECK(ctx.transport.waitAll(sends));
    forwardBlock(cur, &out);  // what arrived is what goes on, unchanged
    pendingDst = dst;
  }
  decodeBlock(ctx, in[(P - 2) % 2], pendingDst);
  return zcclSuccess;
}

}  // namespace zccl::algo
