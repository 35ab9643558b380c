// Point-to-point over Open MPI with receives matched only to messages that fit (mpi_transport.h),
// waits that honour ZCCL_TIMEOUT and zcclCommAbort, and the clean-up after a failed call.
#include "transport/mpi/mpi_transport.h"

#include <sched.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <random>

#include "common/check.h"
#include "common/dtype_size.h"
#include "common/host_reduce.h"
#include "common/params.h"
#include "transport/call_envelope.h"

namespace zccl::transport {

MpiTransport::MpiTransport(MPI_Comm comm, std::string* why) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) {
    *why = finalized ? "MPI is finalized" : "MPI is not initialised";
    return;
  }
  if (comm == MPI_COMM_NULL) {
    *why = "the MPI communicator is MPI_COMM_NULL";
    return;
  }
  // The user's communicator returns errors (rather than aborting the job) while it is duplicated.
  MPI_Errhandler userHandler;
  const bool handlerKnown = MPI_Comm_get_errhandler(comm, &userHandler) == MPI_SUCCESS;
  if (handlerKnown) MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  const int rc = MPI_Comm_dup(comm, &comm_);
  if (handlerKnown) {
    MPI_Comm_set_errhandler(comm, userHandler);
    MPI_Errhandler_free(&userHandler);
  }
  if (rc != MPI_SUCCESS) {
    comm_ = MPI_COMM_NULL;
    *why = "MPI_Comm_dup failed";
    return;
  }
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);  // errors come back as codes, never abort
  spinUs_ = paramInt(Param::kMpiSpinUs);
  prepost_ = paramIntInRange(Param::kMpiPrepost, 0, 1) != 0;
  timeoutSeconds_ = static_cast<double>(paramInt(Param::kTimeout));
  if (timeoutSeconds_ < 0) timeoutSeconds_ = 0;
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  // An id of this communicator, the same on every rank: failure notices carry it, so that one
  // sent just before a communicator was freed cannot fail a call of the next one (Open MPI reuses
  // the freed context id).
  if (rank_ == 0) {
    std::random_device rd;
    commId_ =
        (static_cast<uint64_t>(rd()) << 32 | rd()) ^ static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  }
  MPI_Bcast(&commId_, 1, MPI_UINT64_T, 0, comm_);
  int* tagUb = nullptr;
  int found = 0;
  MPI_Comm_get_attr(comm_, MPI_TAG_UB, &tagUb, &found);
  // An MPI whose tags hold fewer than 31 bits carries the channel only (no call check).
  tagMask_ = found && tagUb != nullptr && *tagUb >= kFullTagMask ? kFullTagMask : kChannelMask;
}

MpiTransport::~MpiTransport() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized || comm_ == MPI_COMM_NULL) return;  // MPI freed everything itself
  if (!abortRequested() && asyncError() == zcclSuccess) quiesce();
  for (auto& [id, op] : ops_) {
    if (op.mpi == MPI_REQUEST_NULL) continue;
    MPI_Cancel(&op.mpi);
    MPI_Request_free(&op.mpi);
  }
  for (Orphan& o : orphans_) {
    MPI_Cancel(&o.request);
    MPI_Request_free(&o.request);
  }
  MPI_Comm_free(&comm_);
}

zcclResult_t MpiTransport::mpiResult(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return zcclSuccess;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  ZCCL_FAIL(zcclSystemError, "MPI: %s failed: %s", what, msg);
}

zcclResult_t MpiTransport::usable() const {
  int finalized = 0;
  MPI_Finalized(&finalized);
  ZCCL_REQUIRE(!finalized, zcclInvalidUsage, "MPI transport: called after MPI_Finalize");
  ZCCL_REQUIRE(!abortRequested(), zcclInvalidUsage, "MPI transport: the communicator was aborted");
  return zcclSuccess;
}

zcclResult_t MpiTransport::isend(int peer, int tag, const void* data, size_t bytes, Request* req) {
  ZCCL_CHECK(usable());
  ZCCL_REQUIRE(bytes <= INT_MAX, zcclInternalError, "MPI transport: message of %zu bytes", bytes);
  Op op;
  op.peer = peer;
  op.tag = tag & tagMask_;
  // Receivers rely on it: no message exceeds its tag's size class.
  const uint64_t limit = sizeClassBytes(op.tag);
  ZCCL_REQUIRE(limit == 0 || bytes <= limit, zcclInternalError,
               "MPI transport: a %zu-byte message exceeds its tag's size class (%llu bytes)", bytes,
               static_cast<unsigned long long>(limit));
  if ((tag & kChannelMask) == kTagCollective) lastCollectiveTag_ = op.tag;
  ZCCL_CHECK(mpiResult(MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, peer, op.tag, comm_, &op.mpi), "MPI_Isend"));
  req->id = nextId_++;
  ops_.emplace(req->id, std::move(op));
  return zcclSuccess;
}

zcclResult_t MpiTransport::irecvInto(int peer, int tag, void* data, size_t capacity, size_t room, Request* req) {
  ZCCL_CHECK(usable());
  ZCCL_REQUIRE(capacity <= INT_MAX, zcclInternalError, "MPI transport: receive of %zu bytes", capacity);
  Op op;
  op.recv = true;
  op.peer = peer;
  op.tag = tag & tagMask_;
  op.data = data;
  op.capacity = capacity;
  if ((tag & kChannelMask) == kTagCollective) lastCollectiveTag_ = op.tag;
  req->id = nextId_++;
  // Posted at once where whatever may match it fits (mpi_transport.h); a deferred receive from
  // this peer still waiting keeps the later ones deferred too, in post order.
  const uint64_t limit = std::min<uint64_t>(sizeClassBytes(op.tag), INT_MAX);
  auto q = unmatched_.find(peer);
  if (prepost_ && limit > 0 && capacity <= limit && room >= limit && (q == unmatched_.end() || q->second.empty())) {
    ZCCL_CHECK(mpiResult(MPI_Irecv(data, static_cast<int>(limit), MPI_BYTE, peer, op.tag, comm_, &op.mpi),
                         "MPI_Irecv"));
    op.posted = op.matched = true;
    ops_.emplace(req->id, std::move(op));
    ++postedCount_;
    return zcclSuccess;
  }
  ++deferredCount_;
  ops_.emplace(req->id, std::move(op));
  unmatched_[peer].push_back(req->id);
  matchNext(peer);  // the message may be here already
  return zcclSuccess;
}

// Receives a message nobody will use (a leftover of a failed call) and drops it.
void MpiTransport::discardMessage(int peer, int tag) {
  MPI_Message msg;
  MPI_Status status;
  int flag = 0, n = 0;
  if (MPI_Improbe(peer, tag, comm_, &flag, &msg, &status) != MPI_SUCCESS || !flag) return;
  MPI_Get_count(&status, MPI_BYTE, &n);
  std::vector<uint8_t> sink(static_cast<size_t>(n > 0 ? n : 1));
  MPI_Mrecv(sink.data(), n, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
}

// Matches the oldest unmatched receive from `peer` to the next message from it, if one has
// arrived (refusing it if it belongs to another call or is too large); true if it did.
bool MpiTransport::matchNext(int peer) {
  auto q = unmatched_.find(peer);
  if (q == unmatched_.end() || q->second.empty()) return false;
  const int64_t id = q->second.front();
  Op& op = ops_.at(id);
  MPI_Status status;
  for (;;) {
    int flag = 0;
    if (MPI_Iprobe(peer, MPI_ANY_TAG, comm_, &flag, &status) != MPI_SUCCESS) {
      op.error = zcclRemoteError;
      op.why = "MPI_Iprobe failed on the link to rank " + std::to_string(peer);
      break;
    }
    if (!flag) return false;
    if (status.MPI_TAG == op.tag) {
      int n = 0;
      MPI_Get_count(&status, MPI_BYTE, &n);
      if (static_cast<size_t>(n) > op.capacity) {
        refuse(op, status, n);
        discardMessage(peer, status.MPI_TAG);
        break;
      }
      MPI_Message msg;
      MPI_Improbe(peer, op.tag, comm_, &flag, &msg, &status);  // the message Iprobe saw
      if (MPI_Imrecv(op.data, n, MPI_BYTE, &msg, &op.mpi) != MPI_SUCCESS) {
        op.error = zcclRemoteError;
        op.why = "MPI_Imrecv failed on the link to rank " + std::to_string(peer);
      }
      op.bytes = static_cast<size_t>(n);
      break;
    }
    const Front front = classifyFront(status.MPI_TAG, op.tag);
    if (front == Front::kLeftover) {
      discardMessage(peer, status.MPI_TAG);
      continue;
    }
    if (front == Front::kThisCallsNotice) {  // a peer failed this call: fail too
      op.why = receiveNotice(peer, status.MPI_TAG);
      if (op.why.empty()) continue;  // another communicator's
      op.error = zcclInvalidUsage;
      break;
    }
    int n = 0;
    MPI_Get_count(&status, MPI_BYTE, &n);
    refuse(op, status, n);
    discardForeignPointToPoint(op, status.MPI_TAG);
    break;
  }
  op.matched = true;
  q->second.pop_front();
  return true;
}

MpiTransport::Front MpiTransport::classifyFront(int gotTag, int wantTag) {
  if (gotTag == wantTag) return Front::kOwn;
  const Envelope got = decodeEnvelope(gotTag), want = decodeEnvelope(wantTag);
  if (isFailureNotice(got)) {  // a peer failed a call: this one or an earlier one
    return want.channel == kTagCollective && got.seq == want.seq ? Front::kThisCallsNotice : Front::kLeftover;
  }
  return isStaleLeftover(got, want) ? Front::kLeftover : Front::kForeign;
}

// A point-to-point message of another shape is consumed (its pair failed); a collective message
// of another call is left to that call (a later call discards it as a leftover).
void MpiTransport::discardForeignPointToPoint(const Op& op, int gotTag) {
  if (decodeEnvelope(gotTag).channel == kTagPointToPoint && decodeEnvelope(op.tag).channel == kTagPointToPoint) {
    discardMessage(op.peer, gotTag);
  }
}

void MpiTransport::refuse(Op& op, const MPI_Status& status, int bytes, bool landed) {
  op.error = zcclInvalidUsage;
  const std::string mine = describeEnvelope(op.tag), theirs = describeEnvelope(status.MPI_TAG);
  char buf[512];
  if (status.MPI_TAG != op.tag && sameSignature(status.MPI_TAG, op.tag)) {
    std::snprintf(buf, sizeof(buf),
                  "rank %d expects from rank %d a message of its call %s of at most %zu bytes (size class %llu "
                  "bytes), but rank %d sent %d bytes of size class %llu: the ranks divide the call into different "
                  "messages (they disagree on the count, or on ZCCL_CHUNK_BYTES)",
                  rank_, status.MPI_SOURCE, mine.c_str(), op.capacity,
                  static_cast<unsigned long long>(sizeClassBytes(op.tag)), status.MPI_SOURCE, bytes,
                  static_cast<unsigned long long>(sizeClassBytes(status.MPI_TAG)));
  } else if (status.MPI_TAG == op.tag) {
    std::snprintf(buf, sizeof(buf),
                  "rank %d received a %d-byte message from rank %d where its call %s expects at most %zu bytes "
                  "(ranks disagree on the count or dtype, or on ZCCL_CHUNK_BYTES); %s",
                  rank_, bytes, status.MPI_SOURCE, mine.c_str(), op.capacity,
                  landed ? "it landed inside this receive's buffer, which is left undefined"
                         : "it was dropped, nothing written");
  } else {
    std::snprintf(buf, sizeof(buf),
                  "mismatched calls: rank %d is in %s but rank %d sent a message of %s (kind, count, dtype, op or root "
                  "differ between the ranks)",
                  rank_, mine.c_str(), status.MPI_SOURCE, theirs.c_str());
  }
  op.why = buf;
}

zcclResult_t MpiTransport::stalled(Clock::time_point since, int peer, bool recv, const char* stage) {
  if (abortRequested()) {
    noteAsyncError(zcclInvalidUsage);
    ZCCL_FAIL(zcclInvalidUsage, "MPI transport: the communicator was aborted while rank %d waited on rank %d", rank_,
              peer);
  }
  if (timeoutSeconds_ > 0 && std::chrono::duration<double>(Clock::now() - since).count() >= timeoutSeconds_) {
    noteAsyncError(zcclRemoteError);
    ZCCL_FAIL(zcclRemoteError,
              "rank %d: no progress %s rank %d for %.0f s (ZCCL_TIMEOUT): the peer is dead, hung, "
              "or not in the same call",
              rank_, recv ? stage : "sending to", peer, timeoutSeconds_);
  }
  return zcclSuccess;
}

zcclResult_t MpiTransport::politeWait(MPI_Request* request, MPI_Status* status, int peer, bool recv, int callTag,
                                      Op* watch) {
  const auto start = Clock::now();
  const auto spin = std::chrono::microseconds(spinUs_);
  for (unsigned polls = 0;; ++polls) {
    int done = 0;
    const int rc = MPI_Test(request, &done, status);
    if (rc != MPI_SUCCESS) {
      char msg[MPI_MAX_ERROR_STRING];
      int len = 0;
      MPI_Error_string(rc, msg, &len);
      noteAsyncError(zcclRemoteError);
      ZCCL_FAIL(zcclRemoteError, "rank %d: MPI reported an error on the link to rank %d: %s", rank_, peer, msg);
    }
    if (done) return zcclSuccess;
    // Deferred receives are matched here too: a send completes only once its peer has matched
    // it, and the peer may be waiting on a send of its own (a ring of grouped send/recv).
    if ((polls & 15) == 0) {
      matchArrived();
      if (watch != nullptr) watchPeer(*watch);
    }
    if ((polls & 255) == 255) {
      ZCCL_CHECK(stalled(start, peer, recv, "receiving from"));
      if (callTag != 0) ZCCL_CHECK(callFailedElsewhere(callTag, !recv));
    }
    if (spinUs_ >= 0 && Clock::now() - start >= spin) sched_yield();
  }
}

// Waits until receive `id` has a message (matching the receives posted before it first).
zcclResult_t MpiTransport::waitMatched(Op& op) {
  const auto start = Clock::now();
  for (unsigned polls = 0; !op.matched; ++polls) {
    if (matchNext(op.peer)) continue;
    if ((polls & 15) == 0) matchArrived();
    if ((polls & 255) == 255) {
      ZCCL_CHECK(stalled(start, op.peer, true, "waiting for a message from"));
      if (watchedTag(op.tag) != 0) ZCCL_CHECK(callFailedElsewhere(op.tag, false));
    }
    if (spinUs_ >= 0 && polls > 64) sched_yield();
  }
  return zcclSuccess;
}

// A posted receive waits; the front of its peer's unmatched messages says whether its message can
// still come. One sender's messages arrive in order, so while this receive has no message, nothing
// sent after its message can be there: a message with its own tag is a later one of the call
// (this receive's message is landing already), a leftover of an earlier call is discarded, and
// anything else (another call, another size class of this call, another point-to-point shape, a
// failure notice of this call) means that its message is landing already or will never be sent.
// The receive is then cancelled: MPI cancels only a receive it has not matched, so finishPosted
// fails it exactly when its message was not coming.
void MpiTransport::watchPeer(Op& op) {
  if (op.cancelling) return;
  int flag = 0;
  MPI_Status status;
  if (MPI_Iprobe(op.peer, MPI_ANY_TAG, comm_, &flag, &status) != MPI_SUCCESS || !flag) return;
  switch (classifyFront(status.MPI_TAG, op.tag)) {
    case Front::kOwn:
      return;
    case Front::kLeftover:
      discardMessage(op.peer, status.MPI_TAG);
      return;
    case Front::kThisCallsNotice:
      op.why = receiveNotice(op.peer, status.MPI_TAG);
      if (op.why.empty()) return;   // another communicator's
      op.error = zcclInvalidUsage;  // the call failed on the peer: it fails here whatever lands
      break;
    case Front::kForeign: {
      int n = 0;
      MPI_Get_count(&status, MPI_BYTE, &n);
      refuse(op, status, n);
      op.error = zcclSuccess;  // only if the cancel takes (finishPosted)
      break;
    }
  }
  op.cancelling = true;
  MPI_Cancel(&op.mpi);
}

// A posted receive completed (with its message, or cancelled by watchPeer).
zcclResult_t MpiTransport::finishPosted(Op& op, const MPI_Status& status) {
  int cancelled = 0;
  if (op.cancelling) MPI_Test_cancelled(&status, &cancelled);
  if (op.error != zcclSuccess) ZCCL_FAIL(op.error, "%s", op.why.c_str());
  if (cancelled) {
    int flag = 0;
    MPI_Status front;
    if (MPI_Iprobe(op.peer, MPI_ANY_TAG, comm_, &flag, &front) == MPI_SUCCESS && flag) {
      discardForeignPointToPoint(op, front.MPI_TAG);
    }
    ZCCL_FAIL(zcclInvalidUsage, "%s", op.why.c_str());
  }
  int n = 0;
  MPI_Get_count(&status, MPI_BYTE, &n);
  if (static_cast<size_t>(n) > op.capacity) {
    refuse(op, status, n, /*landed=*/true);
    ZCCL_FAIL(op.error, "%s", op.why.c_str());
  }
  op.bytes = static_cast<size_t>(n);
  return zcclSuccess;
}

zcclResult_t MpiTransport::wait(Request* req, size_t* bytes) {
  if (bytes != nullptr) *bytes = 0;
  if (!req->active()) return zcclSuccess;
  auto it = ops_.find(req->id);
  ZCCL_REQUIRE(it != ops_.end(), zcclInternalError, "MPI transport: unknown request");
  Op& op = it->second;
  zcclResult_t res = op.recv ? waitMatched(op) : zcclSuccess;
  if (res == zcclSuccess && op.error != zcclSuccess) {
    res = op.error;
    setLastError("%s", op.why.c_str());
  }
  if (res == zcclSuccess && op.mpi != MPI_REQUEST_NULL) {
    MPI_Status status;
    res = politeWait(&op.mpi, &status, op.peer, op.recv, watchedTag(op.tag), op.posted ? &op : nullptr);
    if (res == zcclSuccess && op.posted) res = finishPosted(op, status);
  }
  if (res != zcclSuccess) return res;  // the request stays for abandon()
  if (bytes != nullptr) *bytes = op.bytes;
  ops_.erase(it);
  req->id = -1;
  return zcclSuccess;
}

bool MpiTransport::matchArrived() {
  bool any = false;
  for (auto& [peer, queue] : unmatched_) {
    while (!queue.empty() && matchNext(peer)) any = true;
  }
  return any;
}

// A probe that matches nothing ZipCCL waits on runs one pass of Open MPI's progress engine (ob1
// matches arrived rendezvous headers and answers them, the TCP BTL reads and writes its sockets)
// and returns; it receives nothing. Receives whose messages have arrived are matched.
void MpiTransport::progress() {
  if (!orphans_.empty()) reapOrphans();
  if (ops_.empty()) return;
  if (matchArrived()) return;
  int flag = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, MPI_STATUS_IGNORE);
}

// The ranks MPI says share memory with this one are its node; the key is their first rank here.
zcclResult_t MpiTransport::nodeKey(uint64_t* key) {
  MPI_Comm local = MPI_COMM_NULL;
  if (MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local) != MPI_SUCCESS) {
    return Transport::nodeKey(key);
  }
  int first = rank_;
  const int rc = MPI_Bcast(&first, 1, MPI_INT, 0, local);
  MPI_Comm_free(&local);
  ZCCL_CHECK(mpiResult(rc, "MPI_Bcast"));
  *key = static_cast<uint64_t>(first) + 1;
  return zcclSuccess;
}

zcclResult_t MpiTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                                         size_t nrecv) {
  ZCCL_CHECK(usable());
  return mpiResult(MPI_Sendrecv(send, static_cast<int>(nsend), MPI_UINT64_T, sendPeer < 0 ? MPI_PROC_NULL : sendPeer,
                                kTagSizes, recv, static_cast<int>(nrecv), MPI_UINT64_T,
                                recvPeer < 0 ? MPI_PROC_NULL : recvPeer, kTagSizes, comm_, MPI_STATUS_IGNORE),
                   "MPI_Sendrecv");
}

}  // namespace zccl::transport
