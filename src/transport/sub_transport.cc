#include "transport/sub_transport.h"

#include <algorithm>

namespace zccl::transport {

SubTransport::SubTransport(Transport& parent, std::vector<int> members)
    : parent_(parent), members_(std::move(members)) {
  rank_ = static_cast<int>(std::find(members_.begin(), members_.end(), parent_.rank()) - members_.begin());
}

zcclResult_t SubTransport::isend(int peer, int tag, const void* data, size_t bytes, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < size(), zcclInternalError, "sub-transport: no rank %d of %d", peer, size());
  return parent_.isend(parentRank(peer), tag, data, bytes, req);
}

zcclResult_t SubTransport::irecv(int peer, int tag, void* data, size_t capacity, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < size(), zcclInternalError, "sub-transport: no rank %d of %d", peer, size());
  return parent_.irecv(parentRank(peer), tag, data, capacity, req);
}

zcclResult_t SubTransport::irecvInto(int peer, int tag, void* data, size_t capacity, size_t room, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < size(), zcclInternalError, "sub-transport: no rank %d of %d", peer, size());
  return parent_.irecvInto(parentRank(peer), tag, data, capacity, room, req);
}

zcclResult_t SubTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                                         size_t nrecv) {
  return parent_.exchangeSizes(parentRank(sendPeer), send, nsend, parentRank(recvPeer), recv, nrecv);
}

}  // namespace zccl::transport
