#include "algo/context.h"

#include "transport/call_envelope.h"

namespace zccl::algo {

Segments Segments::even(size_t total, int ranks) {
  Segments s;
  for (int p = 0; p < ranks; ++p) {
    const size_t begin = total / ranks * p + std::min<size_t>(p, total % ranks);
    const size_t end = total / ranks * (p + 1) + std::min<size_t>(p + 1, total % ranks);
    s.offset.push_back(begin);
    s.count.push_back(end - begin);
  }
  return s;
}

Segments Segments::blocks(size_t each, int ranks) { return window(each, ranks, each, 0); }

Segments Segments::window(size_t each, int ranks, size_t stride, size_t start) {
  Segments s;
  for (int p = 0; p < ranks; ++p) {
    s.offset.push_back(stride * p + start);
    s.count.push_back(each);
  }
  return s;
}

size_t Context::messageCapacity(size_t n) const {
  if (!compress) return n * elemBytes;
  size_t bound = 0;
  zcclCodecMaxCompressedSize(n, dtype, &bound);
  return bound;
}

int Context::messageTag(size_t n) const { return transport::sizedTag(tag, messageCapacity(n)); }

size_t Context::slotStride(size_t count) const {
  const size_t capacity = messageCapacity(std::min(chunkElems, count));
  if (!compress) return capacity;
  return std::max<size_t>(capacity, transport::sizeClassLimit(transport::sizeClassOf(capacity)));
}

void prepareBlock(Context& ctx, const void* src, size_t count, uint8_t* slot, OutgoingBlock* out) {
  const size_t n = ctx.chunks(count);
  out->src = static_cast<const uint8_t*>(src);
  out->count = count;
  out->slot = slot;
  out->data.assign(n, nullptr);
  out->bytes.assign(n, 0);
  if (ctx.compress) return;
  for (size_t c = 0; c < n; ++c) {  // raw: the messages are the chunks themselves
    out->data[c] = out->src + c * ctx.chunkElems * ctx.elemBytes;
    out->bytes[c] = ctx.chunkCount(count, c) * ctx.elemBytes;
  }
}

void forwardBlock(const IncomingBlock& in, OutgoingBlock* out) {
  const size_t n = in.sizes.size();
  out->src = nullptr;
  out->count = in.count;
  out->data.resize(n);
  out->bytes = in.sizes;
  for (size_t c = 0; c < n; ++c) out->data[c] = in.dst + c * in.stride;
}

void markLost(OutgoingBlock* b, size_t c) {
  b->data[c] = b->slot != nullptr ? b->slot : b->src;  // any valid address: nothing is read
  b->bytes[c] = 0;
}

void passOnUnwritten(const Context& ctx, OutgoingBlock* b) {
  for (size_t c = 0; c < ctx.unwritten.size() && c < b->data.size(); ++c) {
    if (ctx.unwritten[c]) markLost(b, c);
  }
}

zcclResult_t encodeMessage(Context& ctx, OutgoingBlock* b, size_t c) {
  if (b->data[c] != nullptr) return zcclSuccess;
  const size_t stride = ctx.slotStride(b->count);
  uint8_t* frame = b->slot + c * stride;
  ZCCL_CHECK(ctx.engine.compress(b->src + c * ctx.chunkElems * ctx.elemBytes, ctx.chunkCount(b->count, c), ctx.dtype,
                                 ctx.codec, frame, stride, &b->bytes[c]));
  b->data[c] = frame;
  ctx.transport.progress();  // the transfers in flight advance between chunks of coding
  return zcclSuccess;
}

zcclResult_t encodeAll(Context& ctx, OutgoingBlock* block) {
  for (size_t c = 0; c < block->data.size(); ++c) ZCCL_CHECK(encodeMessage(ctx, block, c));
  return zcclSuccess;
}

zcclResult_t sendBlock(Context& ctx, int peer, OutgoingBlock* block, std::vector<transport::Request>* reqs) {
  for (size_t c = 0; c < block->data.size(); ++c) {
    ZCCL_CHECK(encodeMessage(ctx, block, c));
    transport::Request r;
    ZCCL_CHECK(ctx.transport.isend(peer, ctx.messageTag(ctx.chunkCount(block->count, c)), block->data[c],
                                   block->bytes[c], &r));
    reqs->push_back(r);
    ctx.rawBytesSent += ctx.chunkCount(block->count, c) * ctx.elemBytes;
    ctx.wireBytesSent += block->bytes[c];
  }
  return zcclSuccess;
}

zcclResult_t recvBlock(Context& ctx, int peer, size_t count, uint8_t* dst, const uint64_t* exact, IncomingBlock* in) {
  const size_t n = ctx.chunks(count);
  in->dst = dst;
  in->count = count;
  in->stride = ctx.compress ? ctx.slotStride(count) : ctx.chunkElems * ctx.elemBytes;
  in->reqs.assign(n, transport::Request{});
  in->sizes.assign(n, 0);
  for (size_t c = 0; c < n; ++c) {
    const size_t bound = ctx.messageCapacity(ctx.chunkCount(count, c));
    const size_t capacity = exact != nullptr ? exact[c] : bound;
    // What a message may fill without harm: its frame slot, or (raw) the rest of the block.
    const size_t room = ctx.compress ? in->stride : (count - c * ctx.chunkElems) * ctx.elemBytes;
    ZCCL_CHECK(ctx.transport.irecvInto(peer, transport::sizedTag(ctx.tag, bound), dst + c * in->stride, capacity,
                                       std::max(room, capacity), &in->reqs[c]));
  }
  return zcclSuccess;
}

zcclResult_t waitChunk(Context& ctx, IncomingBlock* in, size_t c) {
  return ctx.transport.wait(&in->reqs[c], &in->sizes[c]);
}

namespace {

// True (and the error recorded in ctx) if completed message c is a lost marker (context.h), or a
// raw chunk of another size than this rank's call makes it (a peer in another call whose envelope
// and size class agree with this one's).
bool chunkLost(Context& ctx, const IncomingBlock& in, size_t c) {
  if (in.sizes[c] == 0) {  // no frame and no raw chunk is empty
    ctx.noteDecode(zcclCorruptFrame);
    return true;
  }
  const size_t raw = ctx.chunkCount(in.count, c) * ctx.elemBytes;
  if (ctx.compress || in.sizes[c] == raw) return false;
  ctx.noteDecode(zcclInvalidUsage);  // reported by the API (api/collectives.cc, reportDecode)
  return true;
}

}  // namespace

bool decodeChunk(Context& ctx, const IncomingBlock& in, size_t c, uint8_t* out) {
  if (chunkLost(ctx, in, c)) return false;
  if (!ctx.compress) return true;  // raw chunks landed in place
  const size_t m = ctx.chunkCount(in.count, c);
  const zcclResult_t r = ctx.engine.decompress(in.dst + c * in.stride, in.sizes[c],
                                               out + c * ctx.chunkElems * ctx.elemBytes, m, ctx.dtype);
  ctx.noteDecode(r);
  ctx.transport.progress();
  return r == zcclSuccess;
}

void decodeBlock(Context& ctx, const IncomingBlock& in, uint8_t* out) {
  for (size_t c = 0; c < in.sizes.size(); ++c) decodeChunk(ctx, in, c, out);
}

bool chunkInput(Context& ctx, const IncomingBlock& in, size_t c, ReduceInput* input) {
  if (chunkLost(ctx, in, c)) return false;
  *input = ReduceInput{in.dst + c * in.stride, ctx.compress ? in.sizes[c] : 0};
  return true;
}

// The sizes travel with one more word, the call's envelope (transport/call_envelope.h): on
// transports that need exact sizes (NCCL's, which carries no tags) it is how a receiver learns
// that its peer is in a different call (another kind, dtype, op, root or count) before it
// receives a frame of that call.
zcclResult_t exchangeMessageSizes(Context& ctx, int sendPeer, OutgoingBlock* send, int recvPeer, size_t recvChunks,
                                  std::vector<uint64_t>* sizes) {
  sizes->clear();
  if (!ctx.transport.exactReceiveSizes()) return zcclSuccess;
  std::vector<uint64_t> out;
  if (send != nullptr) {
    ZCCL_CHECK(encodeAll(ctx, send));
    out.assign(send->bytes.begin(), send->bytes.end());
  }
  if (sendPeer >= 0) out.push_back(static_cast<uint32_t>(ctx.tag));
  const size_t nrecv = recvPeer >= 0 ? recvChunks + 1 : 0;
  sizes->assign(nrecv, 0);
  ctx.controlBytesSent += out.size() * sizeof(uint64_t);
  ZCCL_CHECK(ctx.transport.exchangeSizes(sendPeer, out.data(), out.size(), recvPeer, sizes->data(), nrecv));
  if (nrecv == 0) return zcclSuccess;
  const uint64_t theirs = sizes->back();
  sizes->pop_back();
  ZCCL_REQUIRE(theirs == static_cast<uint32_t>(ctx.tag), zcclInvalidUsage,
               "mismatched calls: rank %d is in %s but rank %d sent frame sizes of %s", ctx.rank(),
               transport::describeEnvelope(ctx.tag).c_str(), recvPeer,
               transport::describeEnvelope(static_cast<int>(theirs & 0x7fffffffu)).c_str());
  return zcclSuccess;
}

zcclResult_t sendMessageSizes(Context& ctx, int peer, const std::vector<uint64_t>& sizes) {
  std::vector<uint64_t> out = sizes;
  out.push_back(static_cast<uint32_t>(ctx.tag));  // the envelope word, as exchangeMessageSizes sends it
  ctx.controlBytesSent += out.size() * sizeof(uint64_t);
  return ctx.transport.exchangeSizes(peer, out.data(), out.size(), -1, nullptr, 0);
}

}  // namespace zccl::algo
