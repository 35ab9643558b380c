// The 11 host functions of NCCL's device API (nccl_device/*.h), with their exact signatures:
// forwarded to the real NCCL unchanged. Kernels that use the device API talk to NCCL directly;
// ZipCCL never routes them.
#include <cuda_runtime.h>

#include <cstddef>

#include <nccl_device.h>

#include "shim_state.h"

// The host forms of the team functions (C++ also sees their device forms, taking an ncclDevComm).
using TeamOf = ncclTeam_t (*)(ncclComm_t);
using TeamRank = int (*)(ncclComm_t, ncclTeam_t, int);

extern "C" {

ncclResult_t ncclDevCommCreate(ncclComm_t comm, ncclDevCommRequirements_t const* reqs, ncclDevComm_t* outDevComm) {
  ZCCL_SHIM_FORWARD(ncclDevCommCreate, comm, reqs, outDevComm);
}
ncclResult_t ncclDevCommDestroy(ncclComm_t comm, ncclDevComm_t const* devComm) {
  ZCCL_SHIM_FORWARD(ncclDevCommDestroy, comm, devComm);
}
ncclTeam_t ncclTeamWorld(ncclComm_t comm) { ZCCL_SHIM_FORWARD_AS(TeamOf, ncclTeamWorld, comm); }
ncclTeam_t ncclTeamLsa(ncclComm_t comm) { ZCCL_SHIM_FORWARD_AS(TeamOf, ncclTeamLsa, comm); }
ncclTeam_t ncclTeamRail(ncclComm_t comm) { ZCCL_SHIM_FORWARD_AS(TeamOf, ncclTeamRail, comm); }
int ncclTeamRankToWorld(ncclComm_t comm, ncclTeam_t team, int rank) {
  ZCCL_SHIM_FORWARD_AS(TeamRank, ncclTeamRankToWorld, comm, team, rank);
}
int ncclTeamRankToLsa(ncclComm_t comm, ncclTeam_t team, int rank) {
  ZCCL_SHIM_FORWARD_AS(TeamRank, ncclTeamRankToLsa, comm, team, rank);
}
ncclResult_t ncclLsaBarrierCreateRequirement(ncclTeam_t team, int nBarriers, ncclLsaBarrierHandle_t* outHandle,
                                             ncclDevResourceRequirements_t* outReq) {
  ZCCL_SHIM_FORWARD(ncclLsaBarrierCreateRequirement, team, nBarriers, outHandle, outReq);
}
ncclResult_t ncclGinBarrierCreateRequirement(ncclComm_t comm, ncclTeam_t team, int nBarriers,
                                             ncclGinBarrierHandle_t* outHandle, ncclDevResourceRequirements_t* outReq) {
  ZCCL_SHIM_FORWARD(ncclGinBarrierCreateRequirement, comm, team, nBarriers, outHandle, outReq);
}
int ncclLLA2ACalcSlots(int maxElts, int maxEltSize) { ZCCL_SHIM_FORWARD(ncclLLA2ACalcSlots, maxElts, maxEltSize); }
ncclResult_t ncclLLA2ACreateRequirement(int nBlocks, int nSlots, ncclLLA2AHandle_t* outHandle,
                                        ncclDevResourceRequirements_t* outReq) {
  ZCCL_SHIM_FORWARD(ncclLLA2ACreateRequirement, nBlocks, nSlots, outHandle, outReq);
}

}  // extern "C"

ZCCL_SHIM_TWIN(ncclDevCommCreate);
ZCCL_SHIM_TWIN(ncclDevCommDestroy);
ZCCL_SHIM_TWIN_AS(ncclTeam_t, ncclTeamWorld, (ncclComm_t));
ZCCL_SHIM_TWIN_AS(ncclTeam_t, ncclTeamLsa, (ncclComm_t));
ZCCL_SHIM_TWIN_AS(ncclTeam_t, ncclTeamRail, (ncclComm_t));
ZCCL_SHIM_TWIN_AS(int, ncclTeamRankToWorld, (ncclComm_t, ncclTeam_t, int));
ZCCL_SHIM_TWIN_AS(int, ncclTeamRankToLsa, (ncclComm_t, ncclTeam_t, int));
ZCCL_SHIM_TWIN(ncclLsaBarrierCreateRequirement);
ZCCL_SHIM_TWIN(ncclGinBarrierCreateRequirement);
ZCCL_SHIM_TWIN(ncclLLA2ACalcSlots);
ZCCL_SHIM_TWIN(ncclLLA2ACreateRequirement);
