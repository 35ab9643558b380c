// What every algorithm works with: the transport, the engine, the message layout (chunks) and the
// first decode error.
//
// Chunks: a block of elements travels as ceil(count / chunkElems) messages, each an independent
// frame (compressed) or the raw bytes of the chunk (compression off), so that sending chunk k,
// coding chunk k+1 and decoding chunk k-1 overlap, and a receiver can decode every chunk on its
// own. Both ends derive the chunking from the count alone.
//
// Errors: a rank that receives a frame it cannot decode records the error, leaves the affected
// chunk of its output unwritten, and carries on with the communication (forwarding, sending its
// own data) so that no other rank waits forever; the collective returns the error at the end.
// Where that chunk was to be sent on (a ring's partial sum, all-reduce's reduced segment), the
// rank sends a lost marker instead, a message of 0 bytes (no frame and no raw chunk is empty):
// its receivers treat it as an undecodable frame in turn, so the gap travels to every output it
// would have reached and no rank reduces or stores stale bytes in its place.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "algo/engine.h"
#include "common/check.h"
#include "transport/transport.h"

namespace zccl::algo {

// A rank-indexed partition of a buffer: segment p has count[p] elements at element offset[p].
struct Segments {
  std::vector<size_t> offset, count;
  // The NCCL-style even split of `total` elements over `ranks` (segment p gets
  // [p * total / ranks, (p + 1) * total / ranks)).
  static Segments even(size_t total, int ranks);
  // `ranks` blocks of `each` elements.
  static Segments blocks(size_t each, int ranks);
  // Elements [start, start + each) of `ranks` blocks that begin `stride` elements apart (a window
  // of a call's rank blocks, algo/window.h).
  static Segments window(size_t each, int ranks, size_t stride, size_t start);
  size_t maxCount() const { return count.empty() ? 0 : *std::max_element(count.begin(), count.end()); }
};

struct Context {
  transport::Transport& transport;
  Engine& engine;
  zcclDataType_t dtype;
  size_t elemBytes;
  bool compress;            // frames are coded (else chunks travel raw)
  size_t chunkElems;        // elements per message
  zcclCodecConfig_t codec;  // how frames are coded
  int tag;                  // transport::kTagCollective or kTagPointToPoint
  zcclResult_t decodeError = zcclSuccess;
  uint64_t rawBytesSent = 0;      // uncompressed size of the messages sent
  uint64_t wireBytesSent = 0;     // their size as sent
  uint64_t controlBytesSent = 0;  // frame sizes sent ahead (exactReceiveSizes transports)
  // Chunks of this rank's reduce-scatter output left unwritten (a frame they needed was corrupt):
  // all-reduce's all-gather and reduce's gather send them as lost markers.
  std::vector<bool> unwritten = {};

  int rank() const { return transport.rank(); }
  int size() const { return transport.size(); }
  size_t chunks(size_t count) const { return (count + chunkElems - 1) / chunkElems; }
  size_t chunkCount(size_t count, size_t c) const { return std::min(chunkElems, count - c * chunkElems); }
  // Bytes a message of `n` elements may take: the frame bound, or the raw size.
  size_t messageCapacity(size_t n) const;
  // The tag of a message of `n` elements: ctx.tag with the size class of its capacity
  // (transport/call_envelope.h), the same at both ends.
  int messageTag(size_t n) const;
  // Room for the messages of a block of `count` elements, frame c at c * slotStride(count).
  size_t blockCapacity(size_t count) const { return chunks(count) * slotStride(count); }
  // A frame slot holds the whole size class of its largest frame, so that a receive into it can be
  // posted before its message arrives (the MPI transport's posted receives): at most 25% more.
  size_t slotStride(size_t count) const;
  void noteDecode(zcclResult_t r) {
    if (r != zcclSuccess && decodeError == zcclSuccess) decodeError = r;
  }
};

// A context for one level of a communicator (transport/sub_transport.h) with ctx's engine, dtype,
// chunking, codec and tag; compressed as `compress` says.
inline Context levelContext(const Context& ctx, transport::Transport& level, bool compress) {
  return Context{level, ctx.engine, ctx.dtype, ctx.elemBytes, compress, ctx.chunkElems, ctx.codec, ctx.tag};
}

// A block to send: message c at data[c] with bytes[c]. A block prepared from raw elements is coded
// lazily, chunk by chunk as it is sent, so that chunk c travels while chunk c+1 is being coded.
struct OutgoingBlock {
  std::vector<const uint8_t*> data;  // nullptr until message c is coded (raw messages: at once)
  std::vector<size_t> bytes;
  const uint8_t* src = nullptr;  // the raw elements, while some message is not coded yet
  size_t count = 0;
  uint8_t* slot = nullptr;  // frames go to slot + c * slotStride(count)
};

// Prepares a block of `count` elements at `src` for sending: frames will be coded into `slot`
// (room for blockCapacity(count)); without compression the messages point into `src` itself.
void prepareBlock(Context& ctx, const void* src, size_t count, uint8_t* slot, OutgoingBlock* out);
// A block of already-coded messages (what was received, to forward unchanged).
void forwardBlock(const struct IncomingBlock& in, OutgoingBlock* out);
// Marks message c of a block as lost: it goes out as a 0-byte lost marker.
void markLost(OutgoingBlock* block, size_t c);
// Marks as lost the chunks of ctx.unwritten in a block prepared from this rank's reduce-scatter
// output.
void passOnUnwritten(const Context& ctx, OutgoingBlock* block);
// Codes message c if it is not coded yet (ahead of its send, to overlap coding with a transfer),
// then lets the transport progress the transfers in flight.
zcclResult_t encodeMessage(Context& ctx, OutgoingBlock* block, size_t c);
// Codes every message not coded yet (sizes are then known).
zcclResult_t encodeAll(Context& ctx, OutgoingBlock* block);

// Posts the sends of a block to `peer`, coding each message just before its send.
zcclResult_t sendBlock(Context& ctx, int peer, OutgoingBlock* block, std::vector<transport::Request>* reqs);

// A block being received: message c lands at dst + c * stride; sizes[c] once completed.
struct IncomingBlock {
  uint8_t* dst = nullptr;
  size_t stride = 0;
  size_t count = 0;
  std::vector<transport::Request> reqs;
  std::vector<size_t> sizes;
};

// Posts the receives of a block of `count` elements from `peer` into `dst` (frames at slot
// strides, or the raw chunks in place when compression is off). `exact` holds the message sizes
// on transports that need them (exactReceiveSizes), else nullptr.
zcclResult_t recvBlock(Context& ctx, int peer, size_t count, uint8_t* dst, const uint64_t* exact, IncomingBlock* in);

// Completes message c of a block (messages complete in order).
zcclResult_t waitChunk(Context& ctx, IncomingBlock* in, size_t c);
// When compressed, decodes completed message c into out + c * chunkElems elements (a decode
// failure is recorded in ctx, the chunk left unwritten: returns false) and lets the transport
// progress; raw chunks already landed in place.
bool decodeChunk(Context& ctx, const IncomingBlock& in, size_t c, uint8_t* out);
// decodeChunk for every message of a completed block.
void decodeBlock(Context& ctx, const IncomingBlock& in, uint8_t* out);
// Completed message c as a reduction input (a frame, or raw elements) in *input; false, with the
// error recorded in ctx, for a lost marker (which has no input to give).
bool chunkInput(Context& ctx, const IncomingBlock& in, size_t c, ReduceInput* input);

// Exchanges the message sizes of `send` (to sendPeer; coded first) and of the block coming from
// recvPeer (recvChunks messages) where the transport needs them; returns them in *sizes, else
// leaves it empty. Peers may be -1 for "none".
zcclResult_t exchangeMessageSizes(Context& ctx, int sendPeer, OutgoingBlock* send, int recvPeer, size_t recvChunks,
                                  std::vector<uint64_t>* sizes);
// Sends message sizes already known (received ones, passed on down a chain) to `peer`.
zcclResult_t sendMessageSizes(Context& ctx, int peer, const std::vector<uint64_t>& sizes);

}  // namespace zccl::algo
