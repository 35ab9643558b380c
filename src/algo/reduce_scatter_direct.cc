// Direct reduce-scatter: an all-to-all of compressed segments, then one reduction per element.
//
// Rank r needs segment r of every rank's buffer. In step s (1..P-1) it sends segment r+s of its
// own buffer to rank r+s and receives segment r from rank r-s; while that transfer runs it
// decodes the segment of step s-1 into raw scratch and compresses the segment of step s+1 (one
// flow per link and direction, as in the pairwise all-to-all). After the last step, chunk by
// chunk, the output is the reduction of the P contributions in rank order 0..P-1 (its own raw,
// the earlier segments decoded, the last one decoded inside the reduction), accumulated in fp32
// for the 16-bit and fp32 types and rounded once: deterministic, and more accurate than a ring
// that rounds at every hop. (On transports that need message sizes up front, NCCL, every segment
// is compressed first, all transfers are queued at once, and the reduction decodes every frame.)
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
  const size_t outCap = ctx.blockCapacity(seg.maxCount());
  const size_t inCap = ctx.compress ? ctx.blockCapacity(mine) : mine * eb;
  uint8_t *inSlots = nullptr, *outSlots = nullptr;
  ZCCL_CHECK(ctx.engine.scratch(1, inCap * P, reinterpret_cast<void**>(&inSlots)));
  if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(0, outCap * P, reinterpret_cast<void**>(&outSlots)));
  std::vector<OutgoingBlock> outgoing(P);
  std::vector<IncomingBlock> in(P);
  std::vector<transport::Request> sends;
  std::vector<bool> arrived(P, false);  // every chunk from that rank waited for already
  // Segments decoded ahead into raw scratch, and which of their chunks failed to decode.
  uint8_t* decodedSlots = nullptr;
  std::vector<std::vector<bool>> undecodable(P);  // empty: segment p not decoded ahead
  auto decodeAhead = [&](int p) {
    undecodable[p].assign(n, false);
    for (size_t c = 0; c < n; ++c) undecodable[p][c] = !decodeChunk(ctx, in[p], c, decodedSlots + mine * eb * p);
  };
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
    // Compressed: the segments of steps 1..P-2 are decoded one step after they arrive, while the
    // next one travels, into raw scratch, so that only the last step's is decoded in the final
    // reduction (Open MPI completes a step's messages together at its end: docs/perf.md).
    if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(2, mine * eb * P, reinterpret_cast<void**>(&decodedSlots)));
    prepareFor(peerOut(1));
    int pending = -1;  // the rank whose segment arrived last step and is still coded
    for (int step = 1; step < P; ++step) {
      const int p = peerOut(step), q = peerIn(step);
      std::vector<transport::Request> stepSends;
      ZCCL_CHECK(sendBlock(ctx, p, &outgoing[p], step + 1 < P ? &stepSends : &sends));
      ZCCL_CHECK(recvBlock(ctx, q, mine, inSlots + inCap * q, nullptr, &in[q]));  // after the sends: all_gather.cc
      if (pending >= 0 && ctx.compress) decodeAhead(pending);
      if (step + 1 == P) break;  // the reduction below completes the last step chunk by chunk
      prepareFor(peerOut(step + 1));
      ZCCL_CHECK(encodeAll(ctx, &outgoing[peerOut(step + 1)]));  // while this step travels
      for (size_t c = 0; c < n; ++c) ZCCL_CHECK(waitChunk(ctx, &in[q], c));
      arrived[q] = true;
      ZCCL_CHECK(ctx.transport.waitAll(stepSends));
      pending = q;
    }
  }
  const uint8_t* own = s + seg.offset[r] * eb;
  std::vector<ReduceInput> inputs(P);
  ctx.unwritten.assign(n, false);
  for (size_t c = 0; c < n; ++c) {
    const size_t at = c * ctx.chunkElems * eb;
    bool complete = true;  // every contribution to this chunk is there (no lost marker, no failed decode)
    for (int p = 0; p < P; ++p) {
      if (p == r) {
        inputs[p] = ReduceInput{own + at, 0};
      } else if (undecodable[p].empty()) {
        if (!arrived[p]) ZCCL_CHECK(waitChunk(ctx, &in[p], c));
        complete = chunkInput(ctx, in[p], c, &inputs[p]) && complete;
      } else {
        inputs[p] = ReduceInput{decodedSlots + mine * eb * p + at, 0};
        complete = complete && !undecodable[p][c];
      }
    }
    if (complete) {  // else the chunk stays unwritten, as for a frame that fails inside the reduction
      const zcclResult_t rc =
          ctx.engine.reduce(inputs.data(), P, ctx.chunkCount(mine, c), ctx.dtype, op, P, false, o + at);
      ctx.noteDecode(rc);
      complete = rc == zcclSuccess;
    }
    ctx.unwritten[c] = !complete;
  }
  return ctx.transport.waitAll(sends);
}

}  // namespace zccl::algo
