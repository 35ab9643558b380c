// The collectives ZipCCL may carry, with NCCL's exact signatures: each is routed (route.h) or
// forwarded to the real NCCL unchanged. ncclBcast is the in-place broadcast.
#include <nccl.h>

#include "route.h"
#include "shim_state.h"

using zccl_shim::CallArgs;
using zccl_shim::Coll;

extern "C" {

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
                           ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kAllReduce, "ncclAllReduce", sendbuff, recvbuff, count, datatype, op, 0, comm, stream}, &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclAllReduce, sendbuff, recvbuff, count, datatype, op, comm, stream);
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                           ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kBroadcast, "ncclBroadcast", sendbuff, recvbuff, count, datatype, ncclSum, root, comm, stream},
          &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclBroadcast, sendbuff, recvbuff, count, datatype, root, comm, stream);
}

ncclResult_t ncclBcast(void* buff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm,
                       cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kBroadcast, "ncclBcast", buff, buff, count, datatype, ncclSum, root, comm, stream}, &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclBcast, buff, count, datatype, root, comm, stream);
}

ncclResult_t ncclReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                        int root, ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kReduce, "ncclReduce", sendbuff, recvbuff, count, datatype, op, root, comm, stream}, &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclReduce, sendbuff, recvbuff, count, datatype, op, root, comm, stream);
}

ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype,
                           ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kAllGather, "ncclAllGather", sendbuff, recvbuff, sendcount, datatype, ncclSum, 0, comm, stream},
          &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclAllGather, sendbuff, recvbuff, sendcount, datatype, comm, stream);
}

ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, ncclDataType_t datatype,
                               ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(CallArgs{Coll::kReduceScatter, "ncclReduceScatter", sendbuff, recvbuff, recvcount,
                                    datatype, op, 0, comm, stream},
                           &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclReduceScatter, sendbuff, recvbuff, recvcount, datatype, op, comm, stream);
}

ncclResult_t ncclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
                          ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t r;
  if (zccl_shim::runRouted(
          CallArgs{Coll::kAlltoAll, "ncclAlltoAll", sendbuff, recvbuff, count, datatype, ncclSum, 0, comm, stream},
          &r)) {
    return r;
  }
  ZCCL_SHIM_FORWARD(ncclAlltoAll, sendbuff, recvbuff, count, datatype, comm, stream);
}

}  // extern "C"

ZCCL_SHIM_TWIN(ncclAllReduce);
ZCCL_SHIM_TWIN(ncclBroadcast);
ZCCL_SHIM_TWIN(ncclBcast);
ZCCL_SHIM_TWIN(ncclReduce);
ZCCL_SHIM_TWIN(ncclAllGather);
ZCCL_SHIM_TWIN(ncclReduceScatter);
ZCCL_SHIM_TWIN(ncclAlltoAll);
