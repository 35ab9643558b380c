// The envelope of a call: what every message of one collective or point-to-point operation carries
// in its tag, so that a receiver can tell a message of a different call from one of its own.
//
// Ranks that disagree on a call (all-reduce on one rank, all-gather on another; count N against
// 2N; different roots or ops) would otherwise match each other's messages and return wrong data,
// or hang. The tag costs nothing to send: it travels in the transport's message header (the MPI
// envelope). A 31-bit tag holds
//
//   bits  0-1   channel (transport::Tag: collective, point-to-point, sizes)
//   bits  2-7   call sequence number modulo 64 (collectives on the communicator, from 0)
//   bits  8-15  kind (the API's collective, 0-7), op (reductions; 0 otherwise) and dtype, as one
//               code: 20 (kind, op) pairs x 12 dtypes
//   bits 16-23  8-bit hash of the count and the root (or peer)
//   bits 24-30  size class of the message (0: unsized; see below)
//
// so a receiver names the kind, dtype and op of the other rank's call exactly and sees a count or
// root difference through the hash or through the size classes of the messages (a collision of
// both leaves it to the size checks at completion).
//
// Size classes: a sized message is at most sizeClassBytes(class) bytes, and a transport refuses to
// send a larger one. Class k >= 1 stands for (4 + (k - 1) % 4) << ((k - 1) / 4) bytes: steps of at
// most 25% from 4 bytes to beyond 2^31. Both ends derive a message's class from the capacity the
// receiver gives it (the frame bound of its chunk, or the raw chunk's size), so a receive that has
// room for the whole class can be handed to MPI before its message arrives: whatever a peer sends
// with that tag fits (mpi_transport.h).
// A message whose sequence number is up to 31 calls behind the receiver's is a leftover of an
// earlier call that failed: receivers discard it, so a failed call poisons no later one.
#pragma once

#include <cstdint>
#include <string>

namespace zccl::transport {

// What the ranks must agree on for one call.
struct CallSignature {
  int kind = 0;  // api::Kind order: all-reduce, broadcast, reduce, all-gather, reduce-scatter, all-to-all, send, recv
  int dtype = 0;
  int op = 0;
  uint64_t count = 0;
  int root = 0;
  uint64_t seq = 0;
};

// Fields decoded from a tag.
struct Envelope {
  int channel, seq, kind, dtype, op, hash, sizeClass;
};

constexpr int kEnvelopeTagBits = 31;
constexpr int kChannelMask = 3;
constexpr int kSeqModulo = 64;
constexpr int kStaleWindow = 31;  // calls behind that count as leftovers
constexpr int kSizeClassShift = 24;
constexpr int kSizeClassMask = 127 << kSizeClassShift;

// The tag of the messages of `sig` on `channel`. Point-to-point: send and receive make the same
// tag (kind, seq and root do not enter; the count and dtype do).
int envelopeTag(int channel, const CallSignature& sig);
Envelope decodeEnvelope(int tag);
// The smallest size class (1-127) that holds `bytes`, and the bytes class k holds (0 for k = 0).
int sizeClassOf(uint64_t bytes);
uint64_t sizeClassLimit(int k);
// `tag` with the size class of a message the receiver gives `capacity` bytes, on the collective
// and point-to-point channels; other channels' tags are returned unsized.
int sizedTag(int tag, uint64_t capacity);
// The most bytes a message with this tag may have; 0 if the tag is unsized (no limit).
inline uint64_t sizeClassBytes(int tag) { return sizeClassLimit((tag & kSizeClassMask) >> kSizeClassShift); }
// True if both tags belong to the same call signature (size classes aside).
inline bool sameSignature(int a, int b) { return (a & ~kSizeClassMask) == (b & ~kSizeClassMask); }
// True if `got` is a message (or a failure notice) of a collective call up to kStaleWindow calls
// before the one `want` belongs to.
bool isStaleLeftover(const Envelope& got, const Envelope& want);
// A rank that failed collective call `seq` tells the others with a notice (mpi_failed_calls.cc):
// channel kTagSizes, kind 7, the call's sequence number; the payload is the error message.
int failureNoticeTag(int seq);
bool isFailureNotice(const Envelope& e);
// "zcclAllReduce (call 5, 1048576 x float32, op sum, root 0)".
std::string describeCall(const CallSignature& sig);
// The same from a tag: "zcclAllGather (call 5, float32, count/root hash 0x2b)".
std::string describeEnvelope(int tag);

}  // namespace zccl::transport
