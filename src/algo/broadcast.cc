// Chain broadcast, pipelined by chunk.
//
// Ranks form a chain from the root: root, root+1, ..., root+P-1. The root compresses each chunk
// once and sends it down the chain; every other rank receives chunk c, forwards the same frame to
// the next rank at once, then decodes it, so chunk c moves down while chunk c+1 arrives.
//
// Cost (n bytes, k chunks, ratio rho): (P-1+k-1) (alpha + rho n/k beta) on the wire (the pipeline
// fills in P-1 chunk times); codec: 1 compression of n at the root, 1 decompression per rank.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t chainBroadcast(Context& ctx, const void* send, void* recv, size_t count, int root) {
  const int P = ctx.size(), r = ctx.rank();
  const int pos = (r - root + P) % P;
  const int next = pos + 1 < P ? (r + 1) % P : -1;
  const int prev = pos > 0 ? (r - 1 + P) % P : -1;
  const size_t eb = ctx.elemBytes, n = ctx.chunks(count);
  uint8_t* dst = static_cast<uint8_t*>(recv);
  uint8_t* slot = nullptr;
  if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(0, ctx.blockCapacity(count), reinterpret_cast<void**>(&slot)));
  std::vector<transport::Request> sends;
  if (r == root) {
    if (send != recv) ZCCL_CHECK(ctx.engine.copy(recv, send, count * eb));
    if (next < 0) return zcclSuccess;
    OutgoingBlock out;
    prepareBlock(ctx, send, count, slot, &out);
    std::vector<uint64_t> none;
    ZCCL_CHECK(exchangeMessageSizes(ctx, next, &out, -1, 0, &none));
    ZCCL_CHECK(sendBlock(ctx, next, &out, &sends));
    return ctx.transport.waitAll(sends);
  }
  std::vector<uint64_t> exact;
  ZCCL_CHECK(exchangeMessageSizes(ctx, -1, nullptr, prev, n, &exact));
  if (!exact.empty() && next >= 0) ZCCL_CHECK(sendMessageSizes(ctx, next, exact));  // on down the chain
  IncomingBlock in;
  ZCCL_CHECK(recvBlock(ctx, prev, count, ctx.compress ? slot : dst, exact.empty() ? nullptr : exact.data(), &in));
  for (size_t c = 0; c < n; ++c) {
    ZCCL_CHECK(waitChunk(ctx, &in, c));
    if (next >= 0) {
      transport::Request req;
      ZCCL_CHECK(ctx.transport.isend(next, ctx.messageTag(ctx.chunkCount(count, c)), in.dst + c * in.stride,
                                       in.sizes[c], &req));
      sends.push_back(req);
    }
    decodeChunk(ctx, in, c, dst);
  }
  return ctx.transport.waitAll(sends);
}

}  // namespace zccl::algo
