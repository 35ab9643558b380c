// The C entry points of the collectives (include/zccl/zccl.h): each builds a CallArgs and
// submits it (validation, path choice, execution or group deferral live in collectives.cc).
#include "api/collectives.h"
#include "zccl/zccl.h"

using zccl::api::CallArgs;
using zccl::api::Kind;

extern "C" {

zcclResult_t zcclAllReduce(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclRedOp_t op,
                           zcclComm_t comm, cudaStream_t stream) {
  return zccl::api::submit(CallArgs{Kind::kAllReduce, sendbuff, recvbuff, count, datatype, op, 0, comm, stream});
}

zcclResult_t zcclBroadcast(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, int root,
                           zcclComm_t comm, cudaStream_t stream) {
  return zccl::api::submit(
      CallArgs{Kind::kBroadcast, sendbuff, recvbuff, count, datatype, zcclSum, root, comm, stream});
}

zcclResult_t zcclReduce(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclRedOp_t op,
                        int root, zcclComm_t comm, cudaStream_t stream) {
  return zccl::api::submit(CallArgs{Kind::kReduce, sendbuff, recvbuff, count, datatype, op, root, comm, stream});
}

zcclResult_t zcclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, zcclDataType_t datatype,
                           zcclComm_t comm, cudaStream_t stream) {
  return zccl::api::submit(
      CallArgs{Kind::kAllGather, sendbuff, recvbuff, sendcount, datatype, zcclSum, 0, comm, stream});
}

zcclResult_t zcclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, zcclDataType_t datatype,
                               zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream) {
  return zccl::api::submit(
      CallArgs{Kind::kReduceScatter, sendbuff, recvbuff, recvcount, datatype, op, 0, comm, stream});
}

zcclResult_t zcclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclComm_t comm,
                          cudaStream_t stream) {
  return zccl::api::submit(CallArgs{Kind::kAlltoAll, sendbuff, recvbuff, count, datatype, zcclSum, 0, comm, stream});
}

zcclResult_t zcclSend(const void* sendbuff, size_t count, zcclDataType_t datatype, int peer, zcclComm_t comm,
                      cudaStream_t stream) {
  return zccl::api::submit(CallArgs{Kind::kSend, sendbuff, nullptr, count, datatype, zcclSum, peer, comm, stream});
}

zcclResult_t zcclRecv(void* recvbuff, size_t count, zcclDataType_t datatype, int peer, zcclComm_t comm,
                      cudaStream_t stream) {
  return zccl::api::submit(CallArgs{Kind::kRecv, nullptr, recvbuff, count, datatype, zcclSum, peer, comm, stream});
}

zcclResult_t zcclGroupStart(void) { return zccl::api::groupStart(); }
zcclResult_t zcclGroupEnd(void) { return zccl::api::groupEnd(); }

}  // extern "C"
