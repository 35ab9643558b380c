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
//   bits  8-10  kind (the API's collective, 0-7)
//   bits 11-14  dtype
//   bits 15-17  op (reductions; 0 otherwise)
//   bits 18-30  13-bit hash of the count and the root (or peer)
//
// so a receiver names the kind, dtype and op of the other rank's call exactly and sees a count or
// root difference through the hash (a collision, 1 in 8192, leaves it to the size checks).
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
  int channel, seq, kind, dtype, op, hash;
};

constexpr int kEnvelopeTagBits = 31;
constexpr int kChannelMask = 3;
constexpr int kSeqModulo = 64;
constexpr int kStaleWindow = 31;  // calls behind that count as leftovers

// The tag of the messages of `sig` on `channel`. Point-to-point: send and receive make the same
// tag (kind, seq and root do not enter; the count and dtype do).
int envelopeTag(int channel, const CallSignature& sig);
Envelope decodeEnvelope(int tag);
// True if `got` is a message (or a failure notice) of a collective call up to kStaleWindow calls
// before the one `want` belongs to.
bool isStaleLeftover(const Envelope& got, const Envelope& want);
// A rank that failed collective call `seq` tells the others with a notice (mpi_failed_calls.cc):
// channel kTagSizes, kind 7, the call's sequence number; the payload is the error message.
int failureNoticeTag(int seq);
bool isFailureNotice(const Envelope& e);
// "zcclAllReduce (call 5, 1048576 x float32, op sum, root 0)".
std::string describeCall(const CallSignature& sig);
// The same from a tag: "zcclAllGather (call 5, float32, count/root hash 0x1a2b)".
std::string describeEnvelope(int tag);

}  // namespace zccl::transport
