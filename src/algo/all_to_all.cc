// Pairwise all-to-all.
//
// Block p of a rank's send buffer goes to rank p. In step s (1..P-1) rank r sends its block for
// rank r+s and receives the block of rank r-s, decoding its frames into place as they complete
// and, between them, compressing the block of step s+1; the step ends when both transfers are
// done. One flow per link and direction at a time, so that P-1 senders never converge on one
// receiver's link (incast, which switches with shallow buffers punish); on the shaped test network
// this and posting every block at once measured the same (docs/perf.md). Transports that need
// message sizes up front (NCCL, which schedules its own transfers) get all blocks compressed
// first, the sizes exchanged step by step, and every transfer queued at once.
//
// Cost (n bytes per block, ratio rho): (P-1) (alpha + rho n beta); codec: P-1 compressions and
// P-1 decompressions of n per rank.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t pairwiseAlltoAll(Context& ctx, const void* send, void* recv, size_t count) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes, blockBytes = count * eb, n = ctx.chunks(count);
  const uint8_t* s = static_cast<const uint8_t*>(send);
  uint8_t* d = static_cast<uint8_t*>(recv);
  ZCCL_CHECK(ctx.engine.copy(d + r * blockBytes, s + r * blockBytes, blockBytes));
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
    return recvBlock(ctx, p, count, ctx.compress ? inSlots + cap * p : d + p * blockBytes, exact, &in[p]);
  };
  if (ctx.transport.exactReceiveSizes()) {
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step);
      prepareBlock(ctx, s + p * blockBytes, count, outSlots + cap * p, &out[p]);
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
      prepareBlock(ctx, s + p * blockBytes, count, ctx.compress ? outSlots + cap * p : nullptr, &out[p]);
    };
    prepareFor(1);
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step), q = peerIn(step);
      std::vector<transport::Request> stepSends;
      ZCCL_CHECK(sendBlock(ctx, p, &out[p], &stepSends));
      ZCCL_CHECK(postRecv(q, nullptr));  // after the sends: see all_gather.cc
      // While this step's chunks arrive, code the next step's block, so its sends start at once.
      if (step + 1 < P) prepareFor(step + 1);
      OutgoingBlock* next = step + 1 < P ? &out[peerOut(step + 1)] : nullptr;
      for (size_t c = 0; c < n; ++c) {
        if (next != nullptr) ZCCL_CHECK(encodeMessage(ctx, next, c));
        ZCCL_CHECK(waitChunk(ctx, &in[q], c));
        decodeChunk(ctx, in[q], c, d + q * blockBytes);
      }
      ZCCL_CHECK(ctx.transport.waitAll(stepSends));
    }
    return zcclSuccess;
  }
  for (int step = 1; step < P; ++step) {
    const int p = peerIn(step);
    for (size_t c = 0; c < n; ++c) {
      ZCCL_CHECK(waitChunk(ctx, &in[p], c));
      decodeChunk(ctx, in[p], c, d + p * blockBytes);
    }
  }
  return ctx.transport.waitAll(sends);
}

}  // namespace zccl::algo
