#include "transport/custom/custom_transport.h"

#include "common/check.h"

namespace zccl::transport {

CustomTransport::~CustomTransport() {
  // Requests still posted (an operation that failed half-way) are released before destroy.
  for (auto& p : posted_) t_.wait(t_.context, p.second.handle);
  if (t_.destroy != nullptr) t_.destroy(t_.context);
}

zcclResult_t CustomTransport::failed(const char* what, zcclResult_t code, int peer, size_t bytes) {
  const char* detail = t_.errorMessage != nullptr ? t_.errorMessage(t_.context) : nullptr;
  ZCCL_FAIL(code, "custom transport: %s (peer %d, %zu bytes) failed with %s%s%s", what, peer, bytes,
            zcclGetErrorString(code), detail != nullptr && detail[0] != '\0' ? ": " : "", detail ? detail : "");
}

zcclResult_t CustomTransport::record(void* handle, size_t bytes, Request* req) {
  ZCCL_REQUIRE(handle != nullptr, zcclInvalidUsage, "custom transport: a callback returned a NULL request");
  req->id = nextId_++;
  posted_[req->id] = Posted{handle, bytes};
  return zcclSuccess;
}

zcclResult_t CustomTransport::isend(int peer, int tag, const void* data, size_t bytes, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < t_.nranks && peer != t_.rank, zcclInvalidUsage,
               "custom transport: send to peer %d from rank %d of %d (a custom transport never sends to itself)", peer,
               t_.rank, t_.nranks);
  void* handle = nullptr;
  const zcclResult_t r = t_.isend(t_.context, peer, tag, data, bytes, &handle);
  if (r != zcclSuccess) return failed("isend", r, peer, bytes);
  return record(handle, bytes, req);
}

zcclResult_t CustomTransport::irecv(int peer, int tag, void* data, size_t capacity, Request* req) {
  ZCCL_REQUIRE(peer >= 0 && peer < t_.nranks && peer != t_.rank, zcclInvalidUsage,
               "custom transport: receive from peer %d on rank %d of %d (a custom transport never sends to itself)",
               peer, t_.rank, t_.nranks);
  void* handle = nullptr;
  const zcclResult_t r = t_.irecv(t_.context, peer, tag, data, capacity, &handle);
  if (r != zcclSuccess) return failed("irecv", r, peer, capacity);
  return record(handle, capacity, req);
}

zcclResult_t CustomTransport::wait(Request* req, size_t* bytes) {
  auto it = posted_.find(req->id);
  ZCCL_REQUIRE(it != posted_.end(), zcclInternalError, "custom transport: wait on an unknown request");
  const Posted p = it->second;
  posted_.erase(it);
  req->id = -1;
  const zcclResult_t r = t_.wait(t_.context, p.handle);
  if (r != zcclSuccess) return failed("wait", r, -1, p.bytes);
  if (bytes != nullptr) *bytes = p.bytes;  // receives are exact-size
  return zcclSuccess;
}

zcclResult_t CustomTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer,
                                            uint64_t* recv, size_t nrecv) {
  Request s, r;
  if (sendPeer >= 0) ZCCL_CHECK(isend(sendPeer, kTagSizes, send, nsend * sizeof(uint64_t), &s));
  if (recvPeer >= 0) ZCCL_CHECK(irecv(recvPeer, kTagSizes, recv, nrecv * sizeof(uint64_t), &r));
  const zcclResult_t sent = s.active() ? wait(&s, nullptr) : zcclSuccess;
  const zcclResult_t received = r.active() ? wait(&r, nullptr) : zcclSuccess;
  return sent != zcclSuccess ? sent : received;
}

}  // namespace zccl::transport
