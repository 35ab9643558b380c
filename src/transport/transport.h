// The one interface the algorithms see underneath them: point-to-point messages between ranks,
// nonblocking, addressed by (peer, tag) and matched in issue order per (sender, tag), plus the
// transport's own collectives for the messages ZipCCL does not compress ("plain" path).
//
// Implementations only adapt an existing library (never home-made networking):
//   transport/mpi    Open MPI on host memory (MPI_Isend / MPI_Irecv on a duplicated communicator)
//   transport/nccl   NCCL on device memory (grouped ncclSend / ncclRecv on the caller's stream)
//   transport/local  ranks as threads of one process, for fast unit tests
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/check.h"
#include "zccl/zccl_types.h"

namespace zccl::transport {

// Tags keep the traffic of different kinds of operation apart.
enum Tag : int { kTagCollective = 1, kTagPointToPoint = 2, kTagSizes = 3, kTagProbe = 4 };

// An outstanding send or receive, owned by the transport until completed by wait/waitAll.
struct Request {
  int64_t id = -1;
  bool active() const { return id >= 0; }
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // True if a receive must name the exact size of the message (NCCL); false if it may name a
  // capacity and learn the size at completion (MPI, local).
  virtual bool exactReceiveSizes() const = 0;

  // Posts a send of `bytes` bytes; `data` must stay valid and unchanged until completion.
  virtual zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) = 0;
  // Posts a receive of at most `capacity` bytes (exactly `capacity` if exactReceiveSizes()).
  virtual zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) = 0;
  // irecv where `room` >= capacity bytes at `data` may be written without harm (the rest of the
  // receive's block or frame slot): a transport may then hand the receive to the library under it
  // before its message arrives (the MPI transport does where room holds the tag's whole size
  // class, call_envelope.h). What a completed receive reports is unchanged. The default ignores
  // room.
  virtual zcclResult_t irecvInto(int peer, int tag, void* data, size_t capacity, size_t room, Request* req) {
    (void)room;
    return irecv(peer, tag, data, capacity, req);
  }
  // Completes a request; for a receive, *bytes is the size of the message (may be nullptr).
  virtual zcclResult_t wait(Request* req, size_t* bytes) = 0;
  // Lets outstanding transfers advance without waiting for any of them. Transports that move data
  // only inside their own calls (Open MPI without a progress thread: rendezvous handshakes and
  // socket reads and writes) need it between the chunks of long codec work, or their links idle
  // while a rank codes; the others keep this no-op.
  virtual void progress() {}
  // Abandons outstanding operations now; the transport is destroyed next (zcclCommAbort: NCCL's
  // ncclCommDestroy, like freeing the memory they use, would wait for operations a failed peer can
  // never complete).
  virtual void abort() {}

  // A key shared by exactly the ranks on this rank's node (collective over the ranks: every rank
  // calls it once at creation). The default hashes the host name and boot id; Open MPI asks MPI
  // (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED); the test transport can fake nodes.
  virtual zcclResult_t nodeKey(uint64_t* key);

  // ---- failures (docs/algorithms.md, "Error semantics") ----
  // Another thread may ask at any time (zcclCommAbort): waits then return zcclInvalidUsage soon.
  void requestAbort() { abort_.store(true, std::memory_order_relaxed); }
  bool abortRequested() const { return abort_.load(std::memory_order_relaxed); }
  // The first timeout or link error seen (zcclCommGetAsyncError); zcclSuccess if none.
  zcclResult_t asyncError() const { return static_cast<zcclResult_t>(asyncError_.load()); }
  void noteAsyncError(zcclResult_t r) {
    int none = zcclSuccess;
    asyncError_.compare_exchange_strong(none, static_cast<int>(r));
  }
  // After a call failed: forgets its receives (completing those already landing, so nothing is
  // written after the call returns) and lets its sends finish in the background.
  virtual void abandon() {}

  // Completes every active request of `reqs` (sends: the sizes of receives are not returned).
  zcclResult_t waitAll(std::vector<Request>& reqs) {
    zcclResult_t first = zcclSuccess;
    for (size_t i = 0; i < reqs.size(); ++i) {
      if (!reqs[i].active()) continue;
      const zcclResult_t r = wait(&reqs[i], nullptr);
      if (r != zcclSuccess && first == zcclSuccess) first = r;
    }
    return first;
  }

  // Exchanges arrays of u64 (frame sizes) with two peers: sends `nsend` values to `sendPeer`,
  // receives `nrecv` values from `recvPeer` (either peer may be -1: none). Host arrays whatever
  // the memory space; used only where exactReceiveSizes() (a receiver must know a frame's size
  // before it can receive it).
  virtual zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                                     size_t nrecv) = 0;

  // The transport's own collectives ("plain" path), in its memory space, with NCCL's argument
  // meaning. plainSupports says which a transport can run natively for a dtype, op and count;
  // the others go through ZipCCL's algorithms with compression off. A transport without
  // collectives of its own keeps the defaults (none supported; never called).
  enum class Coll { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAlltoAll };
  virtual bool plainSupports(Coll, zcclDataType_t, zcclRedOp_t, size_t) const { return false; }
  virtual zcclResult_t plainAllReduce(const void*, void*, size_t, zcclDataType_t, zcclRedOp_t) { return noPlain(); }
  virtual zcclResult_t plainBroadcast(const void*, void*, size_t, zcclDataType_t, int) { return noPlain(); }
  virtual zcclResult_t plainReduce(const void*, void*, size_t, zcclDataType_t, zcclRedOp_t, int) { return noPlain(); }
  virtual zcclResult_t plainAllGather(const void*, void*, size_t, zcclDataType_t) { return noPlain(); }
  virtual zcclResult_t plainReduceScatter(const void*, void*, size_t, zcclDataType_t, zcclRedOp_t) { return noPlain(); }
  virtual zcclResult_t plainAlltoAll(const void*, void*, size_t, zcclDataType_t) { return noPlain(); }

 private:
  std::atomic<bool> abort_{false};
  std::atomic<int> asyncError_{zcclSuccess};
  static zcclResult_t noPlain() { ZCCL_FAIL(zcclInternalError, "this transport has no plain collectives"); }
};

}  // namespace zccl::transport
