// ZipCCL's custom transport (zccl/zccl_custom.h) over a torch process group's send/recv: under
// env:// the bytes of ZipCCL's algorithms travel through torch's gloo (built from the same c10d
// Store), each message a uint8 tensor over the caller's buffer, its gloo tag ZipCCL's tag. gloo
// matches messages per (peer, tag) in posting order, as the custom transport requires. Zero-byte
// messages are not sent at all (both sides know the exact size, so both skip them).
#pragma once

#include <string>

#include "torch_compat.h"
#include "zccl/zccl_custom.h"

namespace zccl_torch {

class PeerTransport {
 public:
  explicit PeerTransport(c10::intrusive_ptr<PeerGroup> group) : group_(std::move(group)) {}
  // The callbacks, with `this` as their context (destroy deletes it: zcclCommDestroy owns it).
  zcclCustomTransport_t callbacks();

 private:
  static zcclResult_t isend(void* self, int peer, int tag, const void* data, size_t bytes, void** request);
  static zcclResult_t irecv(void* self, int peer, int tag, void* data, size_t bytes, void** request);
  static zcclResult_t wait(void* self, void* request);
  static const char* errorMessage(void* self);
  static void destroy(void* self);
  zcclResult_t post(bool send, int peer, int tag, void* data, size_t bytes, void** request);

  c10::intrusive_ptr<PeerGroup> group_;
  std::string error_;
};

}  // namespace zccl_torch
