#include "transport/local/local_transport.h"

#include <chrono>
#include <cstring>

#include "common/check.h"
#include "transport/call_envelope.h"

namespace zccl::transport {

void LocalWorld::post(int from, int to, int tag, const void* data, size_t bytes) {
  std::vector<uint8_t> msg(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tamper_) tamper_(from, to, tag & kChannelMask, msg);
    boxes_[{from, to, tag}].push_back(std::move(msg));
  }
  cv_.notify_all();
}

bool LocalWorld::take(int from, int to, int tag, std::vector<uint8_t>* msg, int timeoutSeconds) {
  std::unique_lock<std::mutex> lock(mu_);
  auto& box = boxes_[{from, to, tag}];
  if (!cv_.wait_for(lock, std::chrono::seconds(timeoutSeconds), [&box] { return !box.empty(); })) return false;
  *msg = std::move(box.front());
  box.pop_front();
  return true;
}

zcclResult_t LocalTransport::isend(int peer, int tag, const void* data, size_t bytes, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < size(), zcclInternalError, "local transport: bad peer %d", peer);
  world_->post(rank_, peer, tag, data, bytes);
  req->id = -1;  // complete at once: the data was copied
  return zcclSuccess;
}

zcclResult_t LocalTransport::irecv(int peer, int tag, void* data, size_t capacity, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < size(), zcclInternalError, "local transport: bad peer %d", peer);
  req->id = nextId_++;
  recvs_.emplace(req->id, PendingRecv{peer, tag, data, capacity});
  return zcclSuccess;
}

// Completes receive `id` and, first, every earlier receive from the same peer and tag, so that
// messages match receives in posting order as with MPI.
zcclResult_t LocalTransport::complete(int64_t id) {
  const PendingRecv& target = recvs_.at(id);
  for (auto it = recvs_.begin(); it != recvs_.end() && it->first <= id; ++it) {
    PendingRecv& r = it->second;
    if (r.done || r.peer != target.peer || r.tag != target.tag) continue;
    std::vector<uint8_t> msg;
    ZCCL_REQUIRE(world_->take(r.peer, rank_, r.tag, &msg), zcclRemoteError,
                 "local transport: rank %d got no message from rank %d (tag %d) in 60 s", rank_, r.peer, r.tag);
    ZCCL_REQUIRE(msg.size() <= r.capacity, zcclInternalError,
                 "local transport: a %zu-byte message for a %zu-byte receive", msg.size(), r.capacity);
    ZCCL_REQUIRE(!world_->exactSizes() || msg.size() == r.capacity, zcclInternalError,
                 "local transport (exact sizes): a %zu-byte message for a receive of exactly %zu bytes", msg.size(),
                 r.capacity);
    if (!msg.empty()) std::memcpy(r.data, msg.data(), msg.size());
    r.bytes = msg.size();
    r.done = true;
  }
  return zcclSuccess;
}

zcclResult_t LocalTransport::wait(Request* req, size_t* bytes) {
  if (!req->active()) {
    if (bytes != nullptr) *bytes = 0;
    return zcclSuccess;
  }
  auto it = recvs_.find(req->id);
  ZCCL_REQUIRE(it != recvs_.end(), zcclInternalError, "local transport: unknown request");
  if (!it->second.done) ZCCL_CHECK(complete(req->id));
  if (bytes != nullptr) *bytes = it->second.bytes;
  recvs_.erase(it);
  req->id = -1;
  return zcclSuccess;
}

zcclResult_t LocalTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer,
                                           uint64_t* recv, size_t nrecv) {
  Request s, r;
  if (sendPeer >= 0) ZCCL_CHECK(isend(sendPeer, kTagSizes, send, nsend * sizeof(uint64_t), &s));
  if (recvPeer >= 0) ZCCL_CHECK(irecv(recvPeer, kTagSizes, recv, nrecv * sizeof(uint64_t), &r));
  ZCCL_CHECK(wait(&s, nullptr));
  return wait(&r, nullptr);
}

}  // namespace zccl::transport
