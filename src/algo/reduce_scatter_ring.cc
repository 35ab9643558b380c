// Ring reduce-scatter, NCCL's algorithm with compression at every hop.
//
// In step s (0..P-2) rank r sends to r+1 its running result for segment r-1-s (at s = 0 its own
// data) and receives from r-1 the running result for segment r-2-s, which it decodes, combines
// with its own contribution (received value first, then its own), rounds to the dtype and
// re-encodes for the next step. After the last step it holds segment r fully reduced (avg divides
// there). Segment b is thus reduced in the order b+1, b+2, ..., b and rounded at every hop, like
// NCCL's bf16 ring.
//
// Cost (segment of n bytes, ratio rho): (P-1) (alpha + rho n beta); codec: P-1 compressions and
// P-1 decompressions per rank, in series with the transfers (every hop waits for the previous
// one's decode-reduce-encode): the direct algorithm avoids that, this one keeps P-1 messages
// instead of P-1 peers per rank.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t ringReduceScatter(Context& ctx, const void* send, const Segments& seg, void* out, zcclRedOp_t op) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes;
  const uint8_t* s = static_cast<const uint8_t*>(send);
  if (P == 1) return ctx.engine.copy(out, s + seg.offset[r] * eb, seg.count[r] * eb);
  const int right = (r + 1) % P, left = (r - 1 + P) % P;
  const size_t maxCount = seg.maxCount();
  const size_t cap = ctx.compress ? ctx.blockCapacity(maxCount) : maxCount * eb;
  uint8_t *outSlot = nullptr, *inSlot = nullptr, *partial[2] = {nullptr, nullptr};
  ZCCL_CHECK(ctx.engine.scratch(0, cap, reinterpret_cast<void**>(&outSlot)));
  ZCCL_CHECK(ctx.engine.scratch(1, cap, reinterpret_cast<void**>(&inSlot)));
  ZCCL_CHECK(ctx.engine.scratch(2, maxCount * eb, reinterpret_cast<void**>(&partial[0])));
  ZCCL_CHECK(ctx.engine.scratch(3, maxCount * eb, reinterpret_cast<void**>(&partial[1])));
  const int first = (r - 1 + P) % P;
  OutgoingBlock outgoing;
  prepareBlock(ctx, s + seg.offset[first] * eb, seg.count[first], outSlot, &outgoing);
  for (int step = 0; step < P - 1; ++step) {
    const int recvSeg = (r - 2 - step + 2 * P) % P;
    const size_t count = seg.count[recvSeg], n = ctx.chunks(count);
    const bool last = step == P - 2;  // then recvSeg == r
    std::vector<uint64_t> exact;
    ZCCL_CHECK(exchangeMessageSizes(ctx, right, &outgoing, left, n, &exact));
    std::vector<transport::Request> sends;  // sends first, as in the ring all-gather
    ZCCL_CHECK(sendBlock(ctx, right, &outgoing, &sends));
    IncomingBlock in;
    ZCCL_CHECK(recvBlock(ctx, left, count, inSlot, exact.empty() ? nullptr : exact.data(), &in));
    uint8_t* result = last ? static_cast<uint8_t*>(out) : partial[step % 2];
    const uint8_t* own = s + seg.offset[recvSeg] * eb;
    std::vector<bool> failed(n, false);  // chunks of the result not produced (context.h: errors)
    for (size_t c = 0; c < n; ++c) {
      ZCCL_CHECK(waitChunk(ctx, &in, c));
      const size_t at = c * ctx.chunkElems * eb;
      ReduceInput inputs[2] = {{}, ReduceInput{own + at, 0}};
      if (!chunkInput(ctx, in, c, &inputs[0])) {
        failed[c] = true;
        continue;
      }
      const zcclResult_t rc =
          ctx.engine.reduce(inputs, 2, ctx.chunkCount(count, c), ctx.dtype, op, P, !last, result + at);
      ctx.noteDecode(rc);
      failed[c] = rc != zcclSuccess;
    }
    ZCCL_CHECK(ctx.transport.waitAll(sends));  // outSlot and the older partial are free again
    if (last) {
      ctx.unwritten = failed;
    } else {
      prepareBlock(ctx, result, count, outSlot, &outgoing);  // coded as the next step sends
      for (size_t c = 0; c < n; ++c) {
        if (failed[c]) markLost(&outgoing, c);
      }
    }
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
