// The application's own transport (zccl_custom.h) behind the Transport interface: every isend /
// irecv / wait goes to the application's callbacks, whose handles are kept by request id. Receives
// name exact sizes (exactReceiveSizes), so the algorithms use their NCCL-style schedules (frame
// sizes exchanged first, over the callbacks too). No collectives of its own.
#pragma once

#include <map>

#include "transport/transport.h"
#include "zccl/zccl_custom.h"

namespace zccl::transport {

class CustomTransport final : public Transport {
 public:
  explicit CustomTransport(const zcclCustomTransport_t& t) : t_(t) {}
  ~CustomTransport() override;
  int rank() const override { return t_.rank; }
  int size() const override { return t_.nranks; }
  bool exactReceiveSizes() const override { return true; }

  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override;
  zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                             size_t nrecv) override;

 private:
  struct Posted {
    void* handle;
    size_t bytes;
  };
  zcclResult_t record(void* handle, size_t bytes, Request* req);
  zcclResult_t failed(const char* what, zcclResult_t code, int peer, size_t bytes);

  zcclCustomTransport_t t_;
  int64_t nextId_ = 0;
  std::map<int64_t, Posted> posted_;
};

}  // namespace zccl::transport
