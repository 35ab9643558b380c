// Communicator lifetime, errors and groups, with NCCL's exact signatures: forwarded to the real
// NCCL, plus what the shim must keep (comm_table.h): the communicators made and released, the
// application's group depth, and the errors of the calls ZipCCL carried.
#include <nccl.h>

#include "comm_table.h"
#include "group_replay.h"
#include "shim_state.h"

using zccl_shim::CommTable;
using zccl_shim::configBlocks;

namespace {

// Enters a communicator the real library made into the side table (and into the open group's
// list, group_replay.h).
void recordComm(ncclComm_t comm, bool blocking, const char* madeBy) {
  auto e = zccl_shim::recordComm(comm, blocking, madeBy);
  if (e != nullptr && zccl_shim::groupDepth() > 0) zccl_shim::madeInGroup(e);
}

// The result of a forwarded call that makes communicators, recorded when NCCL made them (or is
// making them: ncclInProgress).
bool made(ncclResult_t r) { return r == ncclSuccess || r == ncclInProgress; }

// Releases the entry of `comm` before NCCL frees it; true if that already aborted it.
bool release(ncclComm_t comm, bool abort) {
  bool aborted = false;
  if (auto e = CommTable::instance().remove(comm)) zccl_shim::releaseZccl(*e, abort, &aborted);
  return aborted;
}

}  // namespace

extern "C" {

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommInitRank, comm, nranks, commId, rank); }();
  if (!zccl_shim::bypass() && made(r) && comm != nullptr) recordComm(*comm, configBlocks(nullptr), "ncclCommInitRank");
  return r;
}

ncclResult_t ncclCommInitRankConfig(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank, ncclConfig_t* config) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommInitRankConfig, comm, nranks, commId, rank, config); }();
  if (!zccl_shim::bypass() && made(r) && comm != nullptr) recordComm(*comm, configBlocks(config), "ncclCommInitRankConfig");
  return r;
}

ncclResult_t ncclCommInitRankScalable(ncclComm_t* newcomm, int nranks, int myrank, int nId, ncclUniqueId* commIds,
                                      ncclConfig_t* config) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommInitRankScalable, newcomm, nranks, myrank, nId, commIds, config); }();
  if (!zccl_shim::bypass() && made(r) && newcomm != nullptr) {
    recordComm(*newcomm, configBlocks(config), "ncclCommInitRankScalable");
  }
  return r;
}

ncclResult_t ncclCommInitAll(ncclComm_t* comm, int ndev, const int* devlist) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommInitAll, comm, ndev, devlist); }();
  if (!zccl_shim::bypass() && made(r) && comm != nullptr) {
    for (int i = 0; i < ndev; ++i) recordComm(comm[i], true, "ncclCommInitAll");
  }
  return r;
}

ncclResult_t ncclCommSplit(ncclComm_t comm, int color, int key, ncclComm_t* newcomm, ncclConfig_t* config) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommSplit, comm, color, key, newcomm, config); }();
  if (!zccl_shim::bypass() && made(r) && newcomm != nullptr) {
    auto parent = CommTable::instance().find(comm);
    const bool blocking = config != nullptr ? configBlocks(config) : parent == nullptr || parent->blocking;
    recordComm(*newcomm, blocking, "ncclCommSplit");  // NCCL_SPLIT_NOCOLOR: *newcomm is NULL
  }
  return r;
}

ncclResult_t ncclCommShrink(ncclComm_t comm, int* excludeRanksList, int excludeRanksCount, ncclComm_t* newcomm,
                            ncclConfig_t* config, int shrinkFlags) {
  const ncclResult_t r = [&] {
    ZCCL_SHIM_FORWARD(ncclCommShrink, comm, excludeRanksList, excludeRanksCount, newcomm, config, shrinkFlags);
  }();
  if (!zccl_shim::bypass() && made(r) && newcomm != nullptr) {
    auto parent = CommTable::instance().find(comm);
    const bool blocking = config != nullptr ? configBlocks(config) : parent == nullptr || parent->blocking;
    recordComm(*newcomm, blocking, "ncclCommShrink");
  }
  return r;
}

// Finalize: ZipCCL's communicator is destroyed first (it waits for its own work); the calls that
// may still come before ncclCommDestroy go to NCCL.
ncclResult_t ncclCommFinalize(ncclComm_t comm) {
  if (!zccl_shim::bypass()) {
    if (auto e = CommTable::instance().find(comm)) {
      bool aborted = false;
      zccl_shim::releaseZccl(*e, false, &aborted);
      std::lock_guard<std::mutex> lock(e->mu);
      e->released = false;
      e->finalized = true;
    }
  }
  ZCCL_SHIM_FORWARD(ncclCommFinalize, comm);
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (!zccl_shim::bypass()) release(comm, false);
  ZCCL_SHIM_FORWARD(ncclCommDestroy, comm);
}

// Abort, possibly from a watchdog thread while a call is blocked on the communicator: ZipCCL's
// abort makes its blocked call return and aborts the NCCL communicator (ncclCommAbort), so NCCL
// is not called a second time on the freed handle.
ncclResult_t ncclCommAbort(ncclComm_t comm) {
  if (!zccl_shim::bypass() && release(comm, true)) return ncclSuccess;
  ZCCL_SHIM_FORWARD(ncclCommAbort, comm);
}

// Revoke stops the communicator's operations; it is destroyed later. ZipCCL's communicator is
// destroyed after NCCL has revoked (so none of its operations still waits).
ncclResult_t ncclCommRevoke(ncclComm_t comm, int revokeFlags) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommRevoke, comm, revokeFlags); }();
  if (!zccl_shim::bypass()) release(comm, false);
  return r;
}

// NCCL's asynchronous error, or else the one ZipCCL's communicator saw (a timed-out peer).
ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError) {
  const ncclResult_t r = [&] { ZCCL_SHIM_FORWARD(ncclCommGetAsyncError, comm, asyncError); }();
  if (zccl_shim::bypass() || r != ncclSuccess || asyncError == nullptr || *asyncError != ncclSuccess) return r;
  if (auto e = CommTable::instance().find(comm)) {
    std::lock_guard<std::mutex> lock(e->mu);
    zcclResult_t z = zcclSuccess;
    if (e->zccl != nullptr) {
      zccl_shim::ForwardScope scope;
      if (zcclCommGetAsyncError(e->zccl, &z) == zcclSuccess && z != zcclSuccess) {
        *asyncError = static_cast<int>(z) < 100 ? static_cast<ncclResult_t>(z) : ncclInternalError;
      }
    }
  }
  return r;
}

const char* ncclGetLastError(ncclComm_t comm) {
  if (!zccl_shim::bypass() && !zccl_shim::lastShimError().empty()) return zccl_shim::lastShimError().c_str();
  ZCCL_SHIM_FORWARD(ncclGetLastError, comm);
}

// Groups: the application's are NCCL's groups too, and the shim records the collectives it may
// replay through ZipCCL at the outermost end (group_replay.h).
ncclResult_t ncclGroupStart() {
  if (!zccl_shim::bypass()) return zccl_shim::groupStart();
  ZCCL_SHIM_FORWARD(ncclGroupStart);
}

ncclResult_t ncclGroupEnd() {
  if (!zccl_shim::bypass()) return zccl_shim::groupEnd();
  ZCCL_SHIM_FORWARD(ncclGroupEnd);
}

ncclResult_t ncclGroupSimulateEnd(ncclSimInfo_t* simInfo) {
  if (!zccl_shim::bypass()) return zccl_shim::groupSimulateEnd(simInfo);
  ZCCL_SHIM_FORWARD(ncclGroupSimulateEnd, simInfo);
}

}  // extern "C"

ZCCL_SHIM_TWIN(ncclCommInitRank);
ZCCL_SHIM_TWIN(ncclCommInitRankConfig);
ZCCL_SHIM_TWIN(ncclCommInitRankScalable);
ZCCL_SHIM_TWIN(ncclCommInitAll);
ZCCL_SHIM_TWIN(ncclCommSplit);
ZCCL_SHIM_TWIN(ncclCommShrink);
ZCCL_SHIM_TWIN(ncclCommFinalize);
ZCCL_SHIM_TWIN(ncclCommDestroy);
ZCCL_SHIM_TWIN(ncclCommAbort);
ZCCL_SHIM_TWIN(ncclCommRevoke);
ZCCL_SHIM_TWIN(ncclCommGetAsyncError);
ZCCL_SHIM_TWIN(ncclGetLastError);
ZCCL_SHIM_TWIN(ncclGroupStart);
ZCCL_SHIM_TWIN(ncclGroupEnd);
ZCCL_SHIM_TWIN(ncclGroupSimulateEnd);
