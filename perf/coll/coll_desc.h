// The seven collectives of the perf binaries, described the way nccl-tests describes them: how a
// size (-b .. -e, bytes) maps to the count argument and to the send and receive buffers, where the
// in-place variant puts them, and the factor that turns algorithm bandwidth into bus bandwidth
// (the bandwidth a link sees, comparable across collectives and rank counts):
//   all-reduce 2(n-1)/n; all-gather, reduce-scatter, all-to-all (n-1)/n; the others 1.
// algbw is the printed size (max of send and receive bytes) / time, in GB/s of 1e9 bytes.
#pragma once

#include <cstddef>

#include "zccl/zccl.h"

namespace zccl::perf {

enum class CollKind { kAllReduce, kAllGather, kReduceScatter, kAlltoAll, kBroadcast, kReduce, kSendRecv };

// Element counts for one size.
struct CollCounts {
  size_t param = 0;  // the count argument of the call
  size_t send = 0, recv = 0;
  // In place, the send and receive buffers start at offset * rank elements into the receive
  // buffer (all-gather: send at recv + rank * count; reduce-scatter: recv at send + rank * count).
  size_t sendInplaceOffset = 0, recvInplaceOffset = 0;
};

struct CollDesc {
  CollKind kind;
  const char* name;  // the binary's collective, e.g. "AllReduce"
  bool reduces;      // takes an op (-o)
  bool rooted;       // takes a root (-r)
  bool inPlace;      // has an in-place variant (all-to-all and send/recv do not)

  CollCounts counts(size_t bytes, size_t elemBytes, int nranks) const;
  double busFactor(int nranks) const;
  // Whether rank's receive buffer holds a result (reduce: the root's only).
  bool hasResult(int rank, int root) const { return kind != CollKind::kReduce || rank == root; }
};

const CollDesc& collDesc(CollKind kind);

// Issues the collective once through ZipCCL on `stream`. rank and nranks are this rank's place in
// comm (passed in, not queried per call, as the call is timed). Send/recv: each rank sends to
// rank + 1 and receives from rank - 1 (a ring) in one group.
zcclResult_t runZccl(const CollDesc& desc, const void* send, void* recv, size_t count, zcclDataType_t dtype,
                     zcclRedOp_t op, int root, int rank, int nranks, zcclComm_t comm, cudaStream_t stream);

}  // namespace zccl::perf
