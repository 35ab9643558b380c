// Pairwise all-to-all.
//
// Block p of a rank's send buffer goes to rank p. In step s (1..P-1) rank r sends its block for
// rank r+s and receives the block of rank r-s; while they travel it decodes the block of step s-1
// and compresses the block of step s+1, chunk by chunk with the transport progressing in between
// (Open MPI moves data only inside its calls); the step ends when both transfers are done.
// Decoding one step late is what lets the next step's sends start at once: Open MPI completes a
// step's messages together at its end, so decoding as they complete put a block's decode between
// every two steps (with the progress calls, 1.22x -> 1.34x at 4 ranks, docs/perf.md). One flow per
// link and direction at a time, so that P-1 senders never converge on one receiver's link (incast,
// which switches with shallow buffers punish). Transports that need
// message sizes up front (NCCL, which schedules its own transfers) get all blocks compressed
// first, the sizes exchanged step by step, and every transfer queued at once.
//
// Cost (n bytes per block, ratio rho): (P-1) (alpha + rho n beta); codec: P-1 compressions and
// P-1 decompressions of n per rank.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t pairwiseAlltoAll(Context& ctx, const void* send, void* recv, size_t count, size_t stride) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes, blockBytes = count * eb, n = ctx.chunks(count);
  const size_t strideBytes = stride * eb;  // block p starts at p * stride elements
  const uint8_t* s = static_cast<const uint8_t*>(send);
  uint8_t* d = static_cast<uint8_t*>(recv);
  ZCCL_CHECK(ctx.engine.copy(d + r * strideBytes, s + r * strideBytes, blockBytes));
  if (P == 1) return zcclSuccess;
  const size_t cap = ctx.blockCapacity(count);
  uint8_t *inSlots = nullptr, *outSlots = nullptr;
  if (ctx.compress) {
    ZCCL_CHECK(ctx.engine.scratch(0, cap * P, reinterpret_cast<void**>(&outSlots)));
    ZCCL_CHECK(ctx.engine.scratch(1, cap * P, reinterpret_cast<void**>(&inSlots)));
  }
  std::vector<OutgoingBlock> out(P);
  std::vector<IncomingBlock> in(P);
  std::vector<transport::Request> sends;
  auto peerOut = [&](int step) { return (r + step) % P; };
  auto peerIn = [&](int step) { return (r - step + P) % P; };
  auto postRecv = [&](int p, const uint64_t* exact) {
    return recvBlock(ctx, p, count, ctx.compress ? inSlots + cap * p : d + p * strideBytes, exact, &in[p]);
  };
  if (ctx.transport.exactReceiveSizes()) {
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step);
      prepareBlock(ctx, s + p * strideBytes, count, outSlots + cap * p, &out[p]);
    }
    for (int step = 1; step < P; ++step) {
      std::vector<uint64_t> exact;
      ZCCL_CHECK(exchangeMessageSizes(ctx, peerOut(step), &out[peerOut(step)], peerIn(step), n, &exact));
      ZCCL_CHECK(postRecv(peerIn(step), exact.data()));
      ZCCL_CHECK(sendBlock(ctx, peerOut(step), &out[peerOut(step)], &sends));
    }
  } else {
    auto prepareFor = [&](int step) {
      const int p = peerOut(step);
      prepareBlock(ctx, s + p * strideBytes, count, ctx.compress ? outSlots + cap * p : nullptr, &out[p]);
    };
    prepareFor(1);
    int arrived = -1;  // the peer whose block arrived last step and is still to be decoded
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step), q = peerIn(step);
      std::vector<transport::Request> stepSends;
      ZCCL_CHECK(sendBlock(ctx, p, &out[p], &stepSends));
      ZCCL_CHECK(postRecv(q, nullptr));  // after the sends: see all_gather.cc
      // While this step's block travels: decode the previous step's block and code the next
      // step's, chunk by chunk, letting the transport progress in between (context.cc).
      if (arrived >= 0) decodeBlock(ctx, in[arrived], d + arrived * strideBytes);
      if (step + 1 < P) {
        prepareFor(step + 1);
        ZCCL_CHECK(encodeAll(ctx, &out[peerOut(step + 1)]));
      }
      for (size_t c = 0; c < n; ++c) ZCCL_CHECK(waitChunk(ctx, &in[q], c));
      ZCCL_CHECK(ctx.transport.waitAll(stepSends));
      arrived = q;
    }
    decodeBlock(ctx, in[arrived], d + arrived * strideBytes);
    return zcclSuccess;
  }
  for (int step = 1; step < P; ++step) {
    const int p = peerIn(step);
    for (size_t c = 0; c < n; ++c) {
      ZCCL_CHECK(waitChunk(ctx, &in[p], c));
      decodeChunk(ctx, in[p], c, d + p * strideBytes);
    }
  }
  return ctx.transport.waitAll(sends);
}

}  // namespace zccl::algo
