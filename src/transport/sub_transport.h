// A transport over a subset of another transport's ranks (the ranks of one node, or one rank of
// each node): rank i of the view is parent rank members[i]. Messages, size exchanges and progress
// go to the parent with the ranks translated, so an algorithm written for a communicator runs
// unchanged on one level of a hierarchical plan. No collectives of its own (plainSupports is
// false). Views of one parent whose calls interleave must use distinct tags, or never have a
// message in flight at the same time (the hierarchical plans run their levels one after another).
#pragma once

#include <vector>

#include "transport/transport.h"

namespace zccl::transport {

class SubTransport final : public Transport {
 public:
  // members: parent ranks in the view's rank order; must contain parent.rank().
  SubTransport(Transport& parent, std::vector<int> members);

  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(members_.size()); }
  bool exactReceiveSizes() const override { return parent_.exactReceiveSizes(); }
  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override;
  zcclResult_t irecvInto(int peer, int tag, void* data, size_t capacity, size_t room, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override { return parent_.wait(req, bytes); }
  void progress() override { parent_.progress(); }
  zcclResult_t nodeKey(uint64_t* key) override { return parent_.nodeKey(key); }
  zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                             size_t nrecv) override;

 private:
  int parentRank(int peer) const { return peer < 0 ? -1 : members_[static_cast<size_t>(peer)]; }

  Transport& parent_;
  std::vector<int> members_;
  int rank_ = 0;
};

}  // namespace zccl::transport
