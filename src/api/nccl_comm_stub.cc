// Builds without NCCL (ZCCL_WITH_NCCL=OFF): the GPU communicator functions exist and say why they
// cannot work.
#include "common/check.h"
#include "zccl/zccl.h"
#include "zccl/zccl_nccl.h"

extern "C" zcclResult_t zcclGetUniqueId(zcclUniqueId* uniqueId) {
  (void)uniqueId;
  ZCCL_FAIL(zcclSystemError, "zcclGetUniqueId: this ZipCCL was built without NCCL (ZCCL_WITH_NCCL=OFF)");
}

extern "C" zcclResult_t zcclCommInitRankConfig(zcclComm_t* comm, int, zcclUniqueId, int, zcclConfig_t*) {
  if (comm != nullptr) *comm = nullptr;
  ZCCL_FAIL(zcclSystemError, "zcclCommInitRank: this ZipCCL was built without NCCL (ZCCL_WITH_NCCL=OFF)");
}

extern "C" zcclResult_t zcclCommInitRank(zcclComm_t* comm, int nranks, zcclUniqueId commId, int rank) {
  return zcclCommInitRankConfig(comm, nranks, commId, rank, nullptr);
}

extern "C" zcclResult_t zcclCommInitFromNccl(zcclComm_t* comm, ncclComm*, zcclConfig_t*) {
  if (comm != nullptr) *comm = nullptr;
  ZCCL_FAIL(zcclSystemError, "zcclCommInitFromNccl: this ZipCCL was built without NCCL (ZCCL_WITH_NCCL=OFF)");
}
