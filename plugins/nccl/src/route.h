// Routing one collective: to ZipCCL (whose selector then chooses, per call, compressed frames or
// NCCL's own collective) or straight to the real NCCL.
//
// ZipCCL carries a call only if all of these hold, else NCCL does, untouched:
//   - the shim is on and this is the application's own call (not a re-entry);
//   - the communicator may be compressed (comm_table.h: one rank per thread; nonblocking ones
//     too, once NCCL has them ready);
//   - outside ncclGroupStart / ncclGroupEnd; a grouped call is recorded and replayed through
//     ZipCCL at the outermost ncclGroupEnd if its whole group may be (group_replay.h), else the
//     group is NCCL's;
//   - bf16, fp16 or fp32, and op sum, prod, max or min (ncclAvg and PreMulSum ops are NCCL's, so
//     their rounding is NCCL's own);
//   - one rank's send buffer holds at least ZCCL_NCCL_MIN_BYTES (default 64 KiB, the smallest
//     message ZipCCL's selector may compress), so small calls pay nothing for the shim (in a
//     group, the group's calls together);
//   - the stream is not capturing a CUDA graph (ZipCCL's calls wait on the host, which a graph
//     cannot replay);
//   - the buffers are device (or managed) memory, and they do not overlap or are the
//     collective's documented in-place form (an in-place all-to-all is NCCL's).
// Every test is on the call's arguments and the communicator, the same on every rank of a correct
// program, so the ranks route each call alike.
#pragma once

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <cstddef>
#include <memory>

#include "comm_table.h"

namespace zccl_shim {

enum class Coll { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAlltoAll };

struct CallArgs {
  Coll coll;
  const char* name;  // the NCCL function, for the log
  const void* send;
  void* recv;
  size_t count;  // NCCL's count argument of that function
  ncclDataType_t dtype;
  ncclRedOp_t op;  // ncclSum where the collective has none
  int root;
  ncclComm_t comm;
  cudaStream_t stream;
};

// What the checks learnt of a call ZipCCL may carry.
struct RouteCheck {
  std::shared_ptr<CommEntry> entry;
  int device = 0;    // the communicator's CUDA device
  size_t bytes = 0;  // one rank's message (all its blocks for reduce-scatter and all-to-all)
  bool readsSend = true, writesRecv = true;  // on this rank (broadcast and reduce: the root's)
};

// The rules above on the call's arguments and communicator, the cheap ones: true if they allow
// ZipCCL to carry it (and a null buffer or a root out of range, which NCCL refuses, do not).
// `anySize` leaves out the size rule (a grouped call: its group is weighed as a whole).
bool routableArgs(const CallArgs& call, bool anySize, RouteCheck* check);
// The rules on the stream and the buffers (CUDA queries): not capturing, device memory.
bool routableBuffers(const CallArgs& call, const RouteCheck& check);

// Runs a call both checks accepted on ZipCCL (whose selector then picks its plan); the result
// as NCCL's code, its message for ncclGetLastError.
ncclResult_t runOnZipccl(const CallArgs& call, const RouteCheck& check);

// The communicator's state as NCCL reports it (ncclCommGetAsyncError): ncclSuccess if it may
// take work; a nonblocking one still launching is waited for first.
ncclResult_t ncclState(const RouteCheck& check);

// Hands a call to the real NCCL unchanged (inside a ForwardScope).
ncclResult_t forwardToNccl(const CallArgs& call);

// The exported collectives' entry: runs the call on ZipCCL, or records it in the open group,
// if the rules above allow: true, and *result is the call's. False: the caller forwards it to
// the real NCCL.
bool runRouted(const CallArgs& call, ncclResult_t* result);

}  // namespace zccl_shim
