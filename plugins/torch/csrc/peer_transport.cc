#include "peer_transport.h"

#include <memory>

namespace zccl_torch {
namespace {

struct Pending {
  c10::intrusive_ptr<Work> work;  // null for a zero-byte message
  std::vector<at::Tensor> tensors;
};

std::string describe(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

}  // namespace

zcclCustomTransport_t PeerTransport::callbacks() {
  zcclCustomTransport_t t{};
  t.version = ZCCL_CUSTOM_TRANSPORT_VERSION;
  t.rank = group_->getRank();
  t.nranks = group_->getSize();
  t.context = this;
  t.isend = isend;
  t.irecv = irecv;
  t.wait = wait;
  t.errorMessage = errorMessage;
  t.destroy = destroy;
  return t;
}

zcclResult_t PeerTransport::post(bool send, int peer, int tag, void* data, size_t bytes, void** request) {
  auto p = std::make_unique<Pending>();
  if (bytes != 0) {
    try {
      p->tensors.push_back(at::from_blob(data, {static_cast<int64_t>(bytes)}, at::TensorOptions().dtype(at::kByte)));
      p->work = send ? group_->send(p->tensors, peer, tag) : group_->recv(p->tensors, peer, tag);
    } catch (const std::exception& e) {
      error_ = describe(e);
      return zcclSystemError;
    }
  }
  *request = p.release();
  return zcclSuccess;
}

zcclResult_t PeerTransport::isend(void* self, int peer, int tag, const void* data, size_t bytes, void** request) {
  return static_cast<PeerTransport*>(self)->post(true, peer, tag, const_cast<void*>(data), bytes, request);
}

zcclResult_t PeerTransport::irecv(void* self, int peer, int tag, void* data, size_t bytes, void** request) {
  return static_cast<PeerTransport*>(self)->post(false, peer, tag, data, bytes, request);
}

zcclResult_t PeerTransport::wait(void* self, void* request) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(request));
  if (!p->work) return zcclSuccess;
  try {
    p->work->wait();
  } catch (const std::exception& e) {
    static_cast<PeerTransport*>(self)->error_ = describe(e);
    return zcclRemoteError;
  }
  return zcclSuccess;
}

const char* PeerTransport::errorMessage(void* self) { return static_cast<PeerTransport*>(self)->error_.c_str(); }

void PeerTransport::destroy(void* self) { delete static_cast<PeerTransport*>(self); }

}  // namespace zccl_torch
