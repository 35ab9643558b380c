#include "algo/point_to_point.h"

namespace zccl::algo {

zcclResult_t PointToPoint::post(Context& ctx) {
  uint8_t* slot = nullptr;
  if (ctx.compress) ZCCL_CHECK(ctx.engine.scratch(slot_, ctx.blockCapacity(count_), reinterpret_cast<void**>(&slot)));
  if (isSend_) {
    prepareBlock(ctx, sendBuf_, count_, slot, &out_);
    return sendBlock(ctx, peer_, &out_, &sends_);
  }
  uint8_t* dst = ctx.compress ? slot : static_cast<uint8_t*>(recvBuf_);
  return recvBlock(ctx, peer_, count_, dst, nullptr, &in_);
}

zcclResult_t PointToPoint::complete(Context& ctx) {
  if (isSend_) return ctx.transport.waitAll(sends_);
  for (size_t c = 0; c < ctx.chunks(count_); ++c) {
    ZCCL_CHECK(waitChunk(ctx, &in_, c));
    decodeChunk(ctx, in_, c, static_cast<uint8_t*>(recvBuf_));
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
