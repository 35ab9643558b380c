// Communicator lifetime and queries (include/zccl/zccl.h); the MPI and NCCL initialisers are in
// mpi_comm.cc and nccl_comm.cc, the local one (tests) in local_comm.cc.
#include "api/comm.h"
#include "common/check.h"

using zccl::api::liveComm;

extern "C" zcclResult_t zcclCommDestroy(zcclComm_t comm) {
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommDestroy: invalid or destroyed communicator");
  ZCCL_CHECK(c->engine->synchronize());
  zccl::api::destroyComm(comm);
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommAbort(zcclComm_t comm) {
  // The request first: a call blocked on the transport that wakes when abort() breaks its link
  // sees it, and touches the transport's handles no more.
  if (zcclComm* c = liveComm(comm)) {
    c->transport->requestAbort();
    c->transport->abort();
  }
  ZCCL_REQUIRE(zccl::api::abortComm(comm), zcclInvalidUsage, "zcclCommAbort: invalid or destroyed communicator");
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommGetAsyncError(zcclComm_t comm, zcclResult_t* asyncError) {
  zccl::api::CommPin pin(comm);
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommGetAsyncError: invalid or destroyed communicator");
  ZCCL_REQUIRE(asyncError != nullptr, zcclInvalidArgument, "zcclCommGetAsyncError: asyncError is NULL");
  *asyncError = c->transport->asyncError();
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommCount(const zcclComm_t comm, int* count) {
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommCount: invalid or destroyed communicator");
  ZCCL_REQUIRE(count != nullptr, zcclInvalidArgument, "zcclCommCount: count is NULL");
  *count = c->transport->size();
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommUserRank(const zcclComm_t comm, int* rank) {
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommUserRank: invalid or destroyed communicator");
  ZCCL_REQUIRE(rank != nullptr, zcclInvalidArgument, "zcclCommUserRank: rank is NULL");
  *rank = c->transport->rank();
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommGetStats(const zcclComm_t comm, zcclCommStats_t* stats) {
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommGetStats: invalid or destroyed communicator");
  ZCCL_REQUIRE(stats != nullptr, zcclInvalidArgument, "zcclCommGetStats: stats is NULL");
  *stats = c->stats;
  stats->codecSeconds = c->engine->codecSeconds();
  const zccl::algo::ScratchSpace* spaces[] = {c->engine.get(), c->quantEngine.get()};
  for (const zccl::algo::ScratchSpace* s : spaces) {
    if (s == nullptr) continue;
    stats->scratchBytes += s->scratchHeld();
    stats->scratchPeakBytes += s->scratchPeak();
  }
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommReleaseScratch(zcclComm_t comm) {
  zccl::api::CommPin pin(comm);
  zcclComm* c = liveComm(comm);
  ZCCL_REQUIRE(c != nullptr, zcclInvalidUsage, "zcclCommReleaseScratch: invalid or destroyed communicator");
  c->engine->releaseScratch();
  if (c->quantEngine != nullptr) c->quantEngine->releaseScratch();
  return zcclSuccess;
}
