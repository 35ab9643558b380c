// Open MPI on host memory: point-to-point as MPI_Isend and matched receives of bytes on a
// communicator duplicated from the user's (ZipCCL's traffic never matches the application's
// messages), and MPI's own collectives for the plain path where MPI has the type (no fp16, bf16
// or fp8 reductions, and float max/min stay ZipCCL's) and the count fits an int. Every MPI call
// is made from the calling thread (MPI_THREAD_SINGLE suffices; zcclCommAbort from another thread
// needs MPI_THREAD_SERIALIZED). Waits poll MPI_Test for ZCCL_MPI_SPIN_US, then yield the core
// between polls, so a rank waiting on a slow link leaves it to the codec (docs/env.md).
//
// No peer can write past a receive buffer, whatever it sends: Open MPI 4.1 (vader single-copy,
// TCP rendezvous) copies a whole oversized message past a smaller posted receive before it
// reports MPI_ERR_TRUNCATE. So a receive goes to MPI in one of two ways:
//
//  - Posted at once (MPI_Irecv), where its buffer has room for the whole size class of its tag
//    (call_envelope.h): every sender refuses to send more than its tag's class allows, so nothing
//    that can match the receive is larger than the room. Only while no deferred receive from the
//    same peer waits (below), so that MPI still pairs messages and receives in post order. While
//    it waits, the peer's earliest unmatched message is watched: a message of another call (or a
//    failure notice of this one) at the front means this receive's message is either landing
//    already or will never come; the receive is cancelled (MPI_Cancel), and if the cancel takes,
//    it fails like a deferred one would. Posting ahead is what lets Open MPI answer a rendezvous
//    in whatever MPI call the receiver is in: with ranks sharing cores, deferring every receive
//    cost 17-21% at 1 MiB (docs/perf.md section 6). ZCCL_MPI_PREPOST=0 defers them all.
//  - Deferred: not posted until its message has arrived. MPI_Iprobe shows the next message from
//    the peer (the earliest: MPI does not reorder one sender's messages), and only a message of the
//    expected call (its tag) and of at most the receive's capacity is matched (MPI_Improbe) and
//    received in place (MPI_Imrecv). A message of another call is left to the call it belongs to
//    (a leftover of an earlier failed call is discarded); an oversized one is received into a
//    buffer of its own size and dropped.
//
// Either way a mismatch fails the receive with zcclInvalidUsage naming the peer and both calls or
// both sizes. Receives from one peer match in the order they were posted, as MPI's own would.
#pragma once

#include <mpi.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "transport/call_envelope.h"
#include "transport/transport.h"

namespace zccl::transport {

class MpiTransport final : public Transport {
 public:
  // Duplicates `comm` (collective over it). Check ok() afterwards; *why says what failed.
  MpiTransport(MPI_Comm comm, std::string* why);
  ~MpiTransport() override;
  bool ok() const { return comm_ != MPI_COMM_NULL; }
  // Receives posted to MPI ahead of their message, and deferred ones, since creation (tests).
  size_t postedReceives() const { return postedCount_; }
  size_t deferredReceives() const { return deferredCount_; }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool exactReceiveSizes() const override { return false; }

  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override {
    return irecvInto(peer, tag, data, capacity, capacity, req);
  }
  zcclResult_t irecvInto(int peer, int tag, void* data, size_t capacity, size_t room, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override;
  void progress() override;
  zcclResult_t nodeKey(uint64_t* key) override;
  void abandon() override;
  zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                             size_t nrecv) override;

  bool plainSupports(Coll coll, zcclDataType_t dtype, zcclRedOp_t op, size_t count) const override;
  zcclResult_t plainAllReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                              zcclRedOp_t op) override;
  zcclResult_t plainBroadcast(const void* send, void* recv, size_t count, zcclDataType_t dtype, int root) override;
  zcclResult_t plainReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                           int root) override;
  zcclResult_t plainAllGather(const void* send, void* recv, size_t count, zcclDataType_t dtype) override;
  zcclResult_t plainReduceScatter(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                  zcclRedOp_t op) override;
  zcclResult_t plainAlltoAll(const void* send, void* recv, size_t count, zcclDataType_t dtype) override;

 private:
  // A send, or a receive (matched to a message or still waiting for one).
  struct Op {
    bool recv = false;
    int peer = 0, tag = 0;
    void* data = nullptr;
    size_t capacity = 0;
    bool matched = false;  // receives: a message was taken for it (or refused)
    bool posted = false;   // receives: handed to MPI before its message arrived (MPI_Irecv)
    bool cancelling = false;  // a posted receive the watch asked MPI to cancel (why says why)
    MPI_Request mpi = MPI_REQUEST_NULL;
    size_t bytes = 0;
    zcclResult_t error = zcclSuccess;  // a refused message
    std::string why;
  };
  using Clock = std::chrono::steady_clock;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 0;
  int tagMask_ = kFullTagMask;  // all 31 bits of the envelope when MPI_TAG_UB allows
  int64_t nextId_ = 0;
  int64_t spinUs_ = 50;        // ZCCL_MPI_SPIN_US, read at construction
  bool prepost_ = true;        // ZCCL_MPI_PREPOST
  size_t postedCount_ = 0, deferredCount_ = 0;
  double timeoutSeconds_ = 0;  // ZCCL_TIMEOUT; 0: wait forever
  uint64_t commId_ = 0;        // the same on every rank (failure notices carry it)
  int lastCollectiveTag_ = 0;  // of the latest call: abandon() drains its leftovers
  std::map<int64_t, Op> ops_;
  std::map<int, std::deque<int64_t>> unmatched_;  // per peer, receives in post order
  struct Orphan {
    MPI_Request request;
    std::unique_ptr<std::string> buffer;  // a failure notice's text (nullptr: the caller's data)
  };
  std::vector<Orphan> orphans_;  // sends of failed calls and notices, finishing in background

  static constexpr int kFullTagMask = 0x7FFFFFFF;
  zcclResult_t usable() const;
  static zcclResult_t mpiResult(int rc, const char* what);
  bool matchNext(int peer);
  bool matchArrived();  // matchNext for every peer while it matches; true if any matched
  void discardMessage(int peer, int tag);
  // The message at the front of a peer's queue, to a receive of wantTag: its own, a failure
  // notice of its call, a leftover of an earlier call (or another call's notice), or foreign.
  enum class Front { kOwn, kThisCallsNotice, kLeftover, kForeign };
  static Front classifyFront(int gotTag, int wantTag);
  void discardForeignPointToPoint(const Op& op, int gotTag);
  // landed: the message was written inside the receive's room (a posted receive), not dropped.
  void refuse(Op& op, const MPI_Status& status, int bytes, bool landed = false);
  zcclResult_t waitMatched(Op& op);
  // callTag: a collective's tag (watches for peers' failure notices and, for sends, messages of
  // the same call with another signature), else 0.
  // watch: a posted receive whose peer's next unmatched message is checked every few polls.
  zcclResult_t politeWait(MPI_Request* request, MPI_Status* status, int peer, bool recv, int callTag,
                          Op* watch = nullptr);
  void watchPeer(Op& op);
  zcclResult_t finishPosted(Op& op, const MPI_Status& status);
  // mpi_failed_calls.cc
  int watchedTag(int tag) const;  // tag if it is a collective's with a full envelope, else 0
  zcclResult_t callFailedElsewhere(int callTag, bool sending);
  std::string receiveNotice(int peer, int tag);
  void notifyPeers(int seq, const char* why);
  size_t pendingDataSends() const;
  void quiesce();
  void discardLeftovers(const Envelope& current);
  // How long a failed call waits for its sends to be discarded by the peers before it returns
  // (their buffers must not be read after that: docs/algorithms.md, "Error semantics").
  static constexpr int kAbandonSeconds = 10;
  zcclResult_t stalled(Clock::time_point since, int peer, bool recv, const char* stage);
  void reapOrphans();
};

}  // namespace zccl::transport
