// Direct reduce-scatter: an all-to-all of compressed segments, then one reduction per element.
//
// Rank r needs segment r of every rank's buffer. It posts the receives of those P-1 segments,
// then in step s (1..P-1) compresses segment r+s of its own buffer and sends it to rank r+s. Once
// everything has arrived, each chunk of the output is the reduction of the P contributions in
// rank order 0..P-1 (its own raw, the others decoded), accumulated in fp32 for the 16-bit and
// fp32 types and rounded once: deterministic, and more accurate than a ring that rounds at every
// hop.
//
// Cost (segment of n bytes, ratio rho): (P-1) (alpha + rho n beta) on the wire, like a ring
// reduce-scatter, but every byte crosses one link once; codec: P-1 compressions and P-1
// decompressions of n per rank, no recompression.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t directReduceScatter(Context& ctx, const void* send, const Segments& seg, void* out, zcclRedOp_t op) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes, mine = seg.count[r], n = ctx.chunks(mine);
  const uint8_t* s = static_cast<const uint8_t*>(send);
  uint8_t* o = static_cast<uint8_t*>(out);
  if (P == 1) return ctx.engine.copy(out, s + seg.offset[r] * eb, mine * eb);
  size_t outCap = 0;
  for (size_t c : seg.count) outCap = std::max(outCap, ctx.blockCapacity(c));
  const size_t inCap = ctx.compress ? ctx.blockCapacity(mine) : mine * eb;
  uint8_t *inSlots = nullptr, *outSlots = nullptr;
  ZCCL_CHECK(ctx.engine.scratch(1, inCap * P, reinterpret_cast<void**>(&inSlots)));
  if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(0, outCap * P, reinterpret_cast<void**>(&outSlots)));
  std::vector<OutgoingBlock> outgoing(P);
  std::vector<IncomingBlock> in(P);
  std::vector<transport::Request> sends;
  auto peerOut = [&](int step) { return (r + step) % P; };
  auto peerIn = [&](int step) { return (r - step + P) % P; };
  auto prepareFor = [&](int p) {
    prepareBlock(ctx, s + seg.offset[p] * eb, seg.count[p], ctx.compress ? outSlots + outCap * p : nullptr,
                 &outgoing[p]);
  };
  if (ctx.transport.exactReceiveSizes()) {
    for (int step = 1; step < P; ++step) prepareFor(peerOut(step));
    for (int step = 1; step < P; ++step) {
      std::vector<uint64_t> exact;
      ZCCL_CHECK(exchangeMessageSizes(ctx, peerOut(step), &outgoing[peerOut(step)], peerIn(step), n, &exact));
      ZCCL_CHECK(recvBlock(ctx, peerIn(step), mine, inSlots + inCap * peerIn(step), exact.data(), &in[peerIn(step)]));
      ZCCL_CHECK(sendBlock(ctx, peerOut(step), &outgoing[peerOut(step)], &sends));
    }
  } else {
    for (int step = 1; step < P; ++step) {
      ZCCL_CHECK(recvBlock(ctx, peerIn(step), mine, inSlots + inCap * peerIn(step), nullptr, &in[peerIn(step)]));
    }
    for (int step = 1; step < P; ++step) {
      prepareFor(peerOut(step));
      ZCCL_CHECK(sendBlock(ctx, peerOut(step), &outgoing[peerOut(step)], &sends));
    }
  }
  const uint8_t* own = s + seg.offset[r] * eb;
  std::vector<ReduceInput> inputs(P);
  for (size_t c = 0; c < n; ++c) {
    for (int p = 0; p < P; ++p) {
      if (p == r) {
        inputs[p] = ReduceInput{own + c * ctx.chunkElems * eb, 0};
      } else {
        ZCCL_CHECK(waitChunk(ctx, &in[p], c));
        inputs[p] = chunkInput(ctx, in[p], c);
      }
    }
    ctx.noteDecode(ctx.engine.reduce(inputs.data(), P, ctx.chunkCount(mine, c), ctx.dtype, op, P, false,
                                     o + c * ctx.chunkElems * eb));
  }
  return ctx.transport.waitAll(sends);
}

}  // namespace zccl::algo
