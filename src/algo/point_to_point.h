// Send and receive, in two phases so that a group can post every operation before completing
// any (the way NCCL groups avoid deadlock in exchanges): post() encodes and posts the sends or
// posts the receives; complete() waits and decodes. Both sides chunk the message the same way,
// from its count, and a send's frames live in the operation's own scratch slot until complete().
#pragma once

#include "algo/context.h"

namespace zccl::algo {

class PointToPoint {
 public:
  // `scratchSlot` must differ between the operations of one group.
  PointToPoint(bool isSend, const void* sendBuf, void* recvBuf, size_t count, int peer, int scratchSlot)
      : isSend_(isSend), sendBuf_(sendBuf), recvBuf_(recvBuf), count_(count), peer_(peer), slot_(scratchSlot) {}

  int slot() const { return slot_; }
  zcclResult_t post(Context& ctx);
  zcclResult_t complete(Context& ctx);

 private:
  bool isSend_;
  const void* sendBuf_;
  void* recvBuf_;
  size_t count_;
  int peer_;
  int slot_;
  OutgoingBlock out_;
  IncomingBlock in_;
  std::vector<transport::Request> sends_;
};

}  // namespace zccl::algo
