// One call of the collective API, validated, then run now or deferred to zcclGroupEnd.
#pragma once

#include <cstddef>

#include "api/comm.h"

namespace zccl::api {

enum class Kind { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAlltoAll, kSend, kRecv };

struct CallArgs {
  Kind kind;
  const void* send;
  void* recv;
  size_t count;  // elements; per rank block for all-gather, reduce-scatter, all-to-all
  zcclDataType_t dtype;
  zcclRedOp_t op;
  int root;  // root, or peer for send/recv
  zcclComm_t comm;
  cudaStream_t stream;
  bool quantized = false;  // explicit 8-bit request (zcclAllReduceQuantized, zcclReduceScatterQuantized)
};

// Checks the arguments (live communicator, dtype, op, root or peer, pointers, sizes) and runs the
// call, or queues it when a group is open. Errors carry a message for zcclGetLastError.
zcclResult_t submit(const CallArgs& args);

zcclResult_t groupStart();
zcclResult_t groupEnd();

}  // namespace zccl::api
