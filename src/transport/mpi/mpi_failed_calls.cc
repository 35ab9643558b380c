// What the Open MPI transport does when a call fails (docs/algorithms.md, "Error semantics"):
// the peers learn of it, the failed call's messages are drained, and no later call is poisoned.
//
// A rank whose call fails (mismatch, timeout) sends every other rank a failure notice: a small
// message on the sizes channel with the call's sequence number and kind 7. A rank waiting in the
// same call watches for notices (and, while it only sends, for messages of the same call with
// another signature), so ranks that agree with each other but wait on one that disagreed (and left
// early) fail too instead of hanging. Notices and messages of calls that are over are discarded
// wherever they are met.
#include <sched.h>

#include <algorithm>
#include <cstring>

#include "common/check.h"
#include "transport/call_envelope.h"
#include "transport/mpi/mpi_transport.h"

namespace zccl::transport {

int MpiTransport::watchedTag(int tag) const {
  return tagMask_ == kFullTagMask && (tag & kChannelMask) == kTagCollective ? tag : 0;
}

std::string MpiTransport::receiveNotice(int peer, int tag) {
  MPI_Message msg;
  MPI_Status status;
  int flag = 0, n = 0;
  if (MPI_Improbe(peer, tag, comm_, &flag, &msg, &status) != MPI_SUCCESS || !flag) return "";
  MPI_Get_count(&status, MPI_BYTE, &n);
  std::vector<uint8_t> payload(static_cast<size_t>(n > 0 ? n : 1));
  MPI_Mrecv(payload.data(), n, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
  uint64_t id = 0;
  if (n < static_cast<int>(sizeof(id))) return "";
  std::memcpy(&id, payload.data(), sizeof(id));
  if (id != commId_) return "";  // sent on a freed communicator whose context id this one reuses
  const std::string text(reinterpret_cast<const char*>(payload.data()) + sizeof(id), n - sizeof(id));
  return "rank " + std::to_string(rank_) + ": rank " + std::to_string(peer) + " failed this call (" + text +
         "); this rank's part of it was abandoned";
}

// A peer's failure notice for this call; and, while this rank only sends (a broadcast root learns
// of a disagreeing peer only from that peer's messages), a message of the same call number with
// another signature, which proves a mismatch.
zcclResult_t MpiTransport::callFailedElsewhere(int callTag, bool sending) {
  int flag = 0;
  MPI_Status status;
  const Envelope want = decodeEnvelope(callTag);
  discardLeftovers(want);
  const int notice = failureNoticeTag(want.seq);
  if (MPI_Iprobe(MPI_ANY_SOURCE, notice, comm_, &flag, &status) == MPI_SUCCESS && flag) {
    const std::string why = receiveNotice(status.MPI_SOURCE, notice);
    if (!why.empty()) ZCCL_FAIL(zcclInvalidUsage, "%s", why.c_str());
  }
  if (!sending) return zcclSuccess;
  const int sendTag = callTag;
  if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &status) != MPI_SUCCESS || !flag) return zcclSuccess;
  const Envelope got = decodeEnvelope(status.MPI_TAG);
  if (got.channel != kTagCollective || got.seq != want.seq || sameSignature(status.MPI_TAG, sendTag)) {
    return zcclSuccess;
  }
  Op op;
  op.tag = sendTag;
  refuse(op, status, 0);
  ZCCL_FAIL(op.error, "%s", op.why.c_str());
}

void MpiTransport::reapOrphans() {
  for (size_t i = 0; i < orphans_.size();) {
    int done = 0;
    if (MPI_Test(&orphans_[i].request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done) {
      orphans_[i] = std::move(orphans_.back());
      orphans_.pop_back();
    } else {
      ++i;
    }
  }
}

// The receives of the failed call that already have a message complete (their data is on its way
// into the user's buffers: they must land before the call returns); the others are forgotten.
// Sends go on in the background. Leftovers of this call that have arrived are discarded, so peers
// blocked sending them can finish; a later call discards the ones still to come.
void MpiTransport::abandon() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  unmatched_.clear();  // first: the waits below must match nothing more
  for (auto& [id, op] : ops_) {
    if (op.mpi == MPI_REQUEST_NULL) continue;
    if (!op.recv) {
      orphans_.push_back(Orphan{op.mpi, nullptr});
      continue;
    }
    // A receive posted ahead may have no message yet: cancelled, it completes at once (one MPI
    // matched already lands first).
    if (op.posted && !op.cancelling) MPI_Cancel(&op.mpi);
    MPI_Status status;
    if (politeWait(&op.mpi, &status, op.peer, true, 0) != zcclSuccess && op.mpi != MPI_REQUEST_NULL) {
      MPI_Cancel(&op.mpi);
      MPI_Request_free(&op.mpi);
    }
  }
  ops_.clear();
  unmatched_.clear();
  // Aborted, or a peer is dead or hung: nobody will drain the sends (a dead peer's never read
  // the buffers again), and the call must return now.
  if (abortRequested() || asyncError() != zcclSuccess) return;
  if (watchedTag(lastCollectiveTag_) == 0) return;  // a point-to-point call, or no envelopes
  notifyPeers(decodeEnvelope(lastCollectiveTag_).seq, lastError());
  // The call's sends read the caller's buffers: they must finish before the call returns, and
  // they finish as the peers discard them (here, in their own clean-up, or in their next call).
  // Meanwhile this rank discards what the peers sent it for this call or earlier ones.
  Envelope next = decodeEnvelope(lastCollectiveTag_);
  next.seq = (next.seq + 1) % kSeqModulo;
  const auto start = Clock::now();
  while (pendingDataSends() > 0 && Clock::now() - start < std::chrono::seconds(kAbandonSeconds)) {
    discardLeftovers(next);
    reapOrphans();
    sched_yield();
  }
}

// Discards, from the front of every peer's messages, those of calls before `current` (messages
// of one sender arrive in order: leftovers come before anything of the current call). Waiting
// ranks do this while they poll, so a failed call's sends always drain.
void MpiTransport::discardLeftovers(const Envelope& current) {
  for (int p = 0; p < size_; ++p) {
    int flag = 0;
    MPI_Status status;
    while (MPI_Iprobe(p, MPI_ANY_TAG, comm_, &flag, &status) == MPI_SUCCESS && flag &&
           isStaleLeftover(decodeEnvelope(status.MPI_TAG), current)) {
      discardMessage(p, status.MPI_TAG);
    }
  }
}

// Before the communicator is freed (MPI_Comm_free is collective: so is this): every rank discards
// whatever reaches it until no rank has a send of a failed call in flight, so that none reads a
// freed buffer later and none lands on the next communicator (Open MPI reuses context ids). One
// all-reduce of a counter when nothing failed; at most kAbandonSeconds otherwise.
void MpiTransport::quiesce() {
  const auto start = Clock::now();
  for (;;) {
    long mine = static_cast<long>(pendingDataSends()), total = 0;
    MPI_Request r;
    if (MPI_Iallreduce(&mine, &total, 1, MPI_LONG, MPI_SUM, comm_, &r) != MPI_SUCCESS) return;
    int done = 0;
    while (!done) {
      if (MPI_Test(&r, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return;
      if (done) break;
      if (Clock::now() - start > std::chrono::seconds(kAbandonSeconds)) return;  // a peer is gone
      int flag = 0;
      MPI_Status status;
      if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &status) == MPI_SUCCESS && flag) {
        discardMessage(status.MPI_SOURCE, status.MPI_TAG);
      }
      reapOrphans();
      sched_yield();
    }
    if (total == 0) return;
  }
}

size_t MpiTransport::pendingDataSends() const {
  size_t n = 0;
  for (const Orphan& o : orphans_) n += o.buffer == nullptr;
  return n;
}

// Sends this call's failure notice (the communicator id, then the error message cut to 400 bytes) to every other rank.
void MpiTransport::notifyPeers(int seq, const char* why) {
  for (int p = 0; p < size_; ++p) {
    if (p == rank_) continue;
    auto text = std::make_unique<std::string>(reinterpret_cast<const char*>(&commId_), sizeof(commId_));
    text->append(why != nullptr ? why : "", why != nullptr ? std::min<size_t>(std::strlen(why), 400) : 0);
    MPI_Request r;
    if (MPI_Isend(text->data(), static_cast<int>(text->size()), MPI_BYTE, p, failureNoticeTag(seq), comm_, &r) ==
        MPI_SUCCESS) {
      orphans_.push_back(Orphan{r, std::move(text)});
    }
  }
}

}  // namespace zccl::transport
