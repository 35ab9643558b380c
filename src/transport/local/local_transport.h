// Ranks as threads of one process, for fast unit tests of the algorithms: a LocalWorld holds one
// FIFO mailbox per (sender, receiver, tag); a send copies the message into the receiver's mailbox
// (so it completes at once), a receive takes the oldest message when waited on. It has no
// collectives of its own (plainSupports is false), so everything runs through ZipCCL's
// algorithms. A test hook corrupts chosen messages in transit. A world made with exactSizes
// behaves as NCCL does for the algorithms: receives must name the exact message size (a mismatch
// is an error), so the schedules written for NCCL (sizes exchanged first) run on the CPU too.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "transport/transport.h"

namespace zccl::transport {

class LocalWorld {
 public:
  explicit LocalWorld(int size, bool exactSizes = false) : size_(size), exactSizes_(exactSizes) {}
  int size() const { return size_; }
  bool exactSizes() const { return exactSizes_; }

  // Test hook: called on every message (sender, receiver, channel = tag & kChannelMask, bytes)
  // before delivery.
  void setTamper(std::function<void(int from, int to, int tag, std::vector<uint8_t>& bytes)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    tamper_ = std::move(f);
  }

  // Test hook: the node of every rank (default: all on node 0), for topology-aware code.
  void setNodes(std::vector<int> nodeOf) {
    std::lock_guard<std::mutex> lock(mu_);
    nodeOf_ = std::move(nodeOf);
  }
  int nodeOf(int rank) {
    std::lock_guard<std::mutex> lock(mu_);
    return rank < static_cast<int>(nodeOf_.size()) ? nodeOf_[rank] : 0;
  }

  void post(int from, int to, int tag, const void* data, size_t bytes);
  // Waits (at most timeoutSeconds) for a message from `from` to `to` with `tag`; false on timeout,
  // so that a test whose ranks disagree fails instead of hanging.
  bool take(int from, int to, int tag, std::vector<uint8_t>* msg, int timeoutSeconds = 60);

 private:
  int size_;
  bool exactSizes_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::tuple<int, int, int>, std::deque<std::vector<uint8_t>>> boxes_;
  std::function<void(int, int, int, std::vector<uint8_t>&)> tamper_;
  std::vector<int> nodeOf_;
};

class LocalTransport final : public Transport {
 public:
  LocalTransport(std::shared_ptr<LocalWorld> world, int rank) : world_(std::move(world)), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return world_->size(); }
  bool exactReceiveSizes() const override { return world_->exactSizes(); }

  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override;
  zcclResult_t nodeKey(uint64_t* key) override {
    *key = static_cast<uint64_t>(world_->nodeOf(rank_));
    return zcclSuccess;
  }
  zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                             size_t nrecv) override;
  // No collectives of its own: the Transport defaults (plainSupports() false).

 private:
  struct PendingRecv {
    int peer, tag;
    void* data;
    size_t capacity;
    bool done = false;
    size_t bytes = 0;
  };
  zcclResult_t complete(int64_t id);

  std::shared_ptr<LocalWorld> world_;
  int rank_;
  int64_t nextId_ = 0;
  std::map<int64_t, PendingRecv> recvs_;  // posted, by id (ids grow with posting order)
};

}  // namespace zccl::transport
