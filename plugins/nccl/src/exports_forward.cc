// The functions of nccl.h the shim never routes, with NCCL's exact signatures: forwarded to the
// real NCCL unchanged (never stubbed), inside a ForwardScope. Versions, ids, queries, memory,
// registration and windows, PreMulSum ops, and the point-to-point family (send, receive, gather,
// scatter: inside a group they make the group NCCL's, group_replay.h). ncclGetVersion reports
// the real library's version.
#include <nccl.h>

#include "group_replay.h"
#include "shim_state.h"

extern "C" {

ncclResult_t ncclGetVersion(int* version) { ZCCL_SHIM_FORWARD(ncclGetVersion, version); }
ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId) { ZCCL_SHIM_FORWARD(ncclGetUniqueId, uniqueId); }
const char* ncclGetErrorString(ncclResult_t result) { ZCCL_SHIM_FORWARD(ncclGetErrorString, result); }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // NCCL's header deprecates it; 2.28.9 exports it
void ncclResetDebugInit() { ZCCL_SHIM_FORWARD(ncclResetDebugInit); }
#pragma GCC diagnostic pop
// Not in the headers; the real library exports it (what NCCL_DEBUG re-reading uses).
void ncclResetDebugInitInternal();
void ncclResetDebugInitInternal() { ZCCL_SHIM_FORWARD(ncclResetDebugInitInternal); }

ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) { ZCCL_SHIM_FORWARD(ncclCommCount, comm, count); }
ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device) {
  ZCCL_SHIM_FORWARD(ncclCommCuDevice, comm, device);
}
ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) { ZCCL_SHIM_FORWARD(ncclCommUserRank, comm, rank); }

ncclResult_t ncclMemAlloc(void** ptr, size_t size) { ZCCL_SHIM_FORWARD(ncclMemAlloc, ptr, size); }
ncclResult_t ncclMemFree(void* ptr) { ZCCL_SHIM_FORWARD(ncclMemFree, ptr); }
ncclResult_t ncclCommRegister(const ncclComm_t comm, void* buff, size_t size, void** handle) {
  ZCCL_SHIM_FORWARD(ncclCommRegister, comm, buff, size, handle);
}
ncclResult_t ncclCommDeregister(const ncclComm_t comm, void* handle) {
  ZCCL_SHIM_FORWARD(ncclCommDeregister, comm, handle);
}
ncclResult_t ncclCommWindowRegister(ncclComm_t comm, void* buff, size_t size, ncclWindow_t* win, int winFlags) {
  ZCCL_SHIM_FORWARD(ncclCommWindowRegister, comm, buff, size, win, winFlags);
}
ncclResult_t ncclCommWindowDeregister(ncclComm_t comm, ncclWindow_t win) {
  ZCCL_SHIM_FORWARD(ncclCommWindowDeregister, comm, win);
}

ncclResult_t ncclRedOpCreatePreMulSum(ncclRedOp_t* op, void* scalar, ncclDataType_t datatype,
                                      ncclScalarResidence_t residence, ncclComm_t comm) {
  ZCCL_SHIM_FORWARD(ncclRedOpCreatePreMulSum, op, scalar, datatype, residence, comm);
}
ncclResult_t ncclRedOpDestroy(ncclRedOp_t op, ncclComm_t comm) { ZCCL_SHIM_FORWARD(ncclRedOpDestroy, op, comm); }

ncclResult_t ncclGather(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                        ncclComm_t comm, cudaStream_t stream) {
  if (!zccl_shim::bypass()) zccl_shim::groupGetsWork("ncclGather");  // the group becomes NCCL's
  ZCCL_SHIM_FORWARD(ncclGather, sendbuff, recvbuff, count, datatype, root, comm, stream);
}
ncclResult_t ncclScatter(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                         ncclComm_t comm, cudaStream_t stream) {
  if (!zccl_shim::bypass()) zccl_shim::groupGetsWork("ncclScatter");  // the group becomes NCCL's
  ZCCL_SHIM_FORWARD(ncclScatter, sendbuff, recvbuff, count, datatype, root, comm, stream);
}
ncclResult_t ncclSend(const void* sendbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
                      cudaStream_t stream) {
  if (!zccl_shim::bypass()) zccl_shim::groupGetsWork("ncclSend");  // the group becomes NCCL's
  ZCCL_SHIM_FORWARD(ncclSend, sendbuff, count, datatype, peer, comm, stream);
}
ncclResult_t ncclRecv(void* recvbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
                      cudaStream_t stream) {
  if (!zccl_shim::bypass()) zccl_shim::groupGetsWork("ncclRecv");  // the group becomes NCCL's
  ZCCL_SHIM_FORWARD(ncclRecv, recvbuff, count, datatype, peer, comm, stream);
}

}  // extern "C"

ZCCL_SHIM_TWIN(ncclGetVersion);
ZCCL_SHIM_TWIN(ncclGetUniqueId);
ZCCL_SHIM_TWIN(ncclGetErrorString);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
ZCCL_SHIM_TWIN(ncclResetDebugInit);
#pragma GCC diagnostic pop
ZCCL_SHIM_TWIN(ncclCommCount);
ZCCL_SHIM_TWIN(ncclCommCuDevice);
ZCCL_SHIM_TWIN(ncclCommUserRank);
ZCCL_SHIM_TWIN(ncclMemAlloc);
ZCCL_SHIM_TWIN(ncclMemFree);
ZCCL_SHIM_TWIN(ncclCommRegister);
ZCCL_SHIM_TWIN(ncclCommDeregister);
ZCCL_SHIM_TWIN(ncclCommWindowRegister);
ZCCL_SHIM_TWIN(ncclCommWindowDeregister);
ZCCL_SHIM_TWIN(ncclRedOpCreatePreMulSum);
ZCCL_SHIM_TWIN(ncclRedOpDestroy);
ZCCL_SHIM_TWIN(ncclGather);
ZCCL_SHIM_TWIN(ncclScatter);
ZCCL_SHIM_TWIN(ncclSend);
ZCCL_SHIM_TWIN(ncclRecv);
