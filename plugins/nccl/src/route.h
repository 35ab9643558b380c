// Routing one collective: to ZipCCL (whose selector then chooses, per call, compressed frames or
// NCCL's own collective) or straight to the real NCCL.
//
// ZipCCL carries a call only if all of these hold, else NCCL does, untouched:
//   - the shim is on and this is the application's own call (not a re-entry);
//   - the communicator may be compressed (comm_table.h: blocking, one rank per thread) and the
//     call is outside ncclGroupStart / ncclGroupEnd (grouped calls, coalesced or over several
//     communicators, are NCCL's: docs/shim.md says why);
//   - bf16, fp16 or fp32, and op sum, prod, max or min (ncclAvg and PreMulSum ops are NCCL's, so
//     their rounding is NCCL's own);
//   - one rank's send buffer holds at least ZCCL_NCCL_MIN_BYTES (default 64 KiB, the smallest
//     message ZipCCL's selector may compress), so small calls pay nothing for the shim;
//   - the stream is not capturing a CUDA graph (ZipCCL's calls wait on the host, which a graph
//     cannot replay);
//   - the buffers are device (or managed) memory.
// Every test is on the call's arguments and the communicator, the same on every rank of a correct
// program, so the ranks route each call alike.
#pragma once

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <cstddef>

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

// Runs the call on ZipCCL if the rules above route it there: true, and *result is the call's.
// False: the caller forwards it to the real NCCL.
bool runRouted(const CallArgs& call, ncclResult_t* result);

}  // namespace zccl_shim
