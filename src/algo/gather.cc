// Gather to one root (the second half of reduce): every rank sends its segment, compressed, to
// the root, which decodes each into place. Cost: the root receives (P-1) segments,
// (P-1) (alpha + rho n beta) on its link; codec: one compression per rank, P-1 decompressions
// at the root.
#include "algo/algorithms.h"

namespace zccl::algo {

zcclResult_t gatherToRoot(Context& ctx, const void* own, const Segments& seg, void* recv, int root) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes;
  if (r != root) {
    uint8_t* slot = nullptr;
    if (ctx.compress)
      ZCCL_CHECK(ctx.engine.scratch(0, ctx.blockCapacity(seg.count[r]), reinterpret_cast<void**>(&slot)));
    OutgoingBlock out;
    prepareBlock(ctx, own, seg.count[r], slot, &out);
    passOnUnwritten(ctx, &out);  // chunks its reduce-scatter could not produce
    std::vector<uint64_t> none;
    ZCCL_CHECK(exchangeMessageSizes(ctx, root, &out, -1, 0, &none));
    std::vector<transport::Request> sends;
    ZCCL_CHECK(sendBlock(ctx, root, &out, &sends));
    return ctx.transport.waitAll(sends);
  }
  uint8_t* d = static_cast<uint8_t*>(recv);
  ZCCL_CHECK(ctx.engine.copy(d + seg.offset[r] * eb, own, seg.count[r] * eb));
  const size_t cap = ctx.blockCapacity(seg.maxCount());
  uint8_t* slots = nullptr;
  if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(1, cap * P, reinterpret_cast<void**>(&slots)));
  std::vector<IncomingBlock> in(P);
  for (int p = 0; p < P; ++p) {
    if (p == root) continue;
    std::vector<uint64_t> exact;
    ZCCL_CHECK(exchangeMessageSizes(ctx, -1, nullptr, p, ctx.chunks(seg.count[p]), &exact));
    uint8_t* dst = ctx.compress ? slots + cap * p : d + seg.offset[p] * eb;
    ZCCL_CHECK(recvBlock(ctx, p, seg.count[p], dst, exact.empty() ? nullptr : exact.data(), &in[p]));
  }
  for (int p = 0; p < P; ++p) {
    if (p == root) continue;
    for (size_t c = 0; c < ctx.chunks(seg.count[p]); ++c) {
      ZCCL_CHECK(waitChunk(ctx, &in[p], c));
      decodeChunk(ctx, in[p], c, d + seg.offset[p] * eb);
    }
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
