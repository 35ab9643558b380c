// The collectives ZipCCL may carry, with NCCL's exact signatures: each is routed (route.h) or
// forwarded to the real NCCL unchanged (forwardToNccl). ncclBcast is the in-place broadcast.
#include <nccl.h>

#include "route.h"
#include "shim_state.h"

using zccl_shim::CallArgs;
using zccl_shim::Coll;

extern "C" {

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                           ncclComm_t comm, cudaStream_t stream) {
  const CallArgs call{Coll::kAllReduce, "ncclAllReduce", sendbuff, recvbuff, count, datatype, op, 0, comm, stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                           ncclComm_t comm, cudaStream_t stream) {
  const CallArgs call{Coll::kBroadcast, "ncclBroadcast", sendbuff, recvbuff, count,
                      datatype,         ncclSum,         root,     comm,     stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclBcast(void* buff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm,
                       cudaStream_t stream) {
  const CallArgs call{Coll::kBroadcast, "ncclBcast", buff, buff, count, datatype, ncclSum, root, comm, stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                        int root, ncclComm_t comm, cudaStream_t stream) {
  const CallArgs call{Coll::kReduce, "ncclReduce", sendbuff, recvbuff, count, datatype, op, root, comm, stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype,
                           ncclComm_t comm, cudaStream_t stream) {
  const CallArgs call{Coll::kAllGather, "ncclAllGather", sendbuff, recvbuff, sendcount,
                      datatype,         ncclSum,         0,        comm,     stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, ncclDataType_t datatype,
                               ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream) {
  const CallArgs call{
      Coll::kReduceScatter, "ncclReduceScatter", sendbuff, recvbuff, recvcount, datatype, op, 0, comm, stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

ncclResult_t ncclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclComm_t comm,
                          cudaStream_t stream) {
  const CallArgs call{Coll::kAlltoAll, "ncclAlltoAll", sendbuff, recvbuff, count, datatype, ncclSum, 0, comm, stream};
  ncclResult_t r;
  return zccl_shim::runRouted(call, &r) ? r : zccl_shim::forwardToNccl(call);
}

}  // extern "C"

ZCCL_SHIM_TWIN(ncclAllReduce);
ZCCL_SHIM_TWIN(ncclBroadcast);
ZCCL_SHIM_TWIN(ncclBcast);
ZCCL_SHIM_TWIN(ncclReduce);
ZCCL_SHIM_TWIN(ncclAllGather);
ZCCL_SHIM_TWIN(ncclReduceScatter);
ZCCL_SHIM_TWIN(ncclAlltoAll);
