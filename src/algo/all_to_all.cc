// Pairwise all-to-all.
//
// Block p of a rank's send buffer goes to rank p. Every rank posts the receives of its P-1
// incoming blocks first, then in step s (1..P-1) compresses the block for rank r+s and sends it
// while earlier blocks are in flight; incoming frames are decoded into place as they complete.
// (Transports that need message sizes up front get all blocks compressed first, then the sizes
// exchanged step by step.)
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
    for (int step = 1; step < P; ++step) ZCCL_CHECK(postRecv(peerIn(step), nullptr));
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step);
      prepareBlock(ctx, s + p * blockBytes, count, ctx.compress ? outSlots + cap * p : nullptr, &out[p]);
      ZCCL_CHECK(sendBlock(ctx, p, &out[p], &sends));
    }
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
