// TEST STAND-IN (never installed or shipped): the host functions of NCCL 2.28's device API
// (nccl_device/*.h) with their exact signatures, and ncclResetDebugInit. The device API needs
// device-side NCCL, which a host stand-in has not: what creates device state is refused with
// ncclInvalidUsage and a message; the pure host computations answer as on a GPU-less machine
// (teams of the communicator, no LSA peers beyond the rank itself).
#include <cuda_runtime.h>

#include <cstddef>

#include <nccl_device.h>

#include "comm_state.h"
#include "group.h"

namespace {

ncclResult_t refuse(const char* what) {
  nccl_standin::setLastError(std::string("NCCL stand-in: ") + what + ": the device API needs a GPU");
  return nccl_standin::groupError(ncclInvalidUsage);
}

ncclTeam_t team(ncclComm_t comm, bool worldSized) {
  ncclTeam_t t{};
  int n = 1, r = 0;
  if (comm != nullptr && ncclCommCount(comm, &n) == ncclSuccess && ncclCommUserRank(comm, &r) == ncclSuccess) {
    t.nRanks = worldSized ? n : 1;
    t.rank = worldSized ? r : 0;
    t.stride = 1;
  }
  return t;
}

}  // namespace

extern "C" {

ncclResult_t ncclDevCommCreate(ncclComm_t, ncclDevCommRequirements_t const*, ncclDevComm_t*) {
  return refuse("ncclDevCommCreate");
}
ncclResult_t ncclDevCommDestroy(ncclComm_t, ncclDevComm_t const*) { return refuse("ncclDevCommDestroy"); }
ncclTeam_t ncclTeamWorld(ncclComm_t comm) { return team(comm, true); }
ncclTeam_t ncclTeamLsa(ncclComm_t comm) { return team(comm, false); }
ncclTeam_t ncclTeamRail(ncclComm_t comm) { return team(comm, true); }
int ncclTeamRankToWorld(ncclComm_t, ncclTeam_t t, int rank) { return t.stride * rank; }
int ncclTeamRankToLsa(ncclComm_t, ncclTeam_t, int rank) { return rank; }
ncclResult_t ncclLsaBarrierCreateRequirement(ncclTeam_t, int, ncclLsaBarrierHandle_t*,
                                             ncclDevResourceRequirements_t*) {
  return refuse("ncclLsaBarrierCreateRequirement");
}
ncclResult_t ncclGinBarrierCreateRequirement(ncclComm_t, ncclTeam_t, int, ncclGinBarrierHandle_t*,
                                             ncclDevResourceRequirements_t*) {
  return refuse("ncclGinBarrierCreateRequirement");
}
// A stand-in figure (one slot per 8 bytes of every element), not NCCL's formula: tests only compare
// it with and without the shim.
int ncclLLA2ACalcSlots(int maxElts, int maxEltSize) { return maxElts * ((maxEltSize + 7) / 8); }
ncclResult_t ncclLLA2ACreateRequirement(int, int, ncclLLA2AHandle_t*, ncclDevResourceRequirements_t*) {
  return refuse("ncclLLA2ACreateRequirement");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void ncclResetDebugInit() {}
#pragma GCC diagnostic pop

}  // extern "C"
