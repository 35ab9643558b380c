// zcclCommInitRank and zcclCommInitFromNccl: GPU communicators over NCCL, the CUDA kernels
// compress.
#include <nccl.h>

#include <cstring>
#include <memory>

#include "algo/device_engine.h"
#include "api/comm.h"
#include "common/check.h"
#include "transport/nccl/nccl_transport.h"
#include "zccl/zccl_nccl.h"

static_assert(sizeof(zcclUniqueId) == sizeof(ncclUniqueId), "zcclUniqueId carries an ncclUniqueId");

extern "C" zcclResult_t zcclGetUniqueId(zcclUniqueId* uniqueId) {
  ZCCL_REQUIRE(uniqueId != nullptr, zcclInvalidArgument, "zcclGetUniqueId: uniqueId is NULL");
  ncclUniqueId id;
  const ncclResult_t r = ncclGetUniqueId(&id);
  ZCCL_REQUIRE(r == ncclSuccess, static_cast<zcclResult_t>(r), "zcclGetUniqueId: %s", ncclGetErrorString(r));
  std::memcpy(uniqueId->internal, id.internal, sizeof(id.internal));
  return zcclSuccess;
}

namespace {

// The device engine and the NCCL transport on `nccl`, then the fabric (collective over the ranks).
zcclResult_t finishComm(std::unique_ptr<zcclComm> c, ncclComm_t nccl, int rank, int nranks, bool ownsNccl,
                        zcclComm_t* comm) {
  auto transport = std::make_unique<zccl::transport::NcclTransport>(nccl, rank, nranks, ownsNccl);
  auto engine = std::make_unique<zccl::algo::DeviceEngine>();
  c->streamBound = transport.get();
  c->engineStream = engine.get();
  c->transport = std::move(transport);
  c->engine = std::move(engine);
  ZCCL_CHECK(zccl::api::initFabric(c.get(), false, false));
  *comm = zccl::api::registerComm(std::move(c));
  return zcclSuccess;
}

}  // namespace

extern "C" zcclResult_t zcclCommInitRankConfig(zcclComm_t* comm, int nranks, zcclUniqueId commId, int rank,
                                               zcclConfig_t* config) {
  ZCCL_REQUIRE(comm != nullptr, zcclInvalidArgument, "zcclCommInitRank: comm is NULL");
  *comm = nullptr;
  ZCCL_REQUIRE(nranks >= 1 && rank >= 0 && rank < nranks, zcclInvalidArgument,
               "zcclCommInitRank: rank %d of %d is not valid", rank, nranks);
  auto c = std::make_unique<zcclComm>();
  ZCCL_CHECK(zccl::tune::resolveSettings(config, &c->settings));
  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  ZCCL_REQUIRE(e == cudaSuccess && devices > 0, zcclUnhandledCudaError, "zcclCommInitRank: no usable GPU (%s)",
               e == cudaSuccess ? "0 devices" : cudaGetErrorString(e));
  ncclUniqueId id;
  std::memcpy(id.internal, commId.internal, sizeof(id.internal));
  ncclComm_t nccl = nullptr;
  const ncclResult_t r = ncclCommInitRank(&nccl, nranks, id, rank);
  ZCCL_REQUIRE(r == ncclSuccess, static_cast<zcclResult_t>(r), "zcclCommInitRank: %s", ncclGetErrorString(r));
  ZCCL_CHECK(finishComm(std::move(c), nccl, rank, nranks, true, comm));
  ZCCL_INFO(zccl::kLogInit, "zcclCommInitRank: rank %d of %d, GPU buffers over NCCL", rank, nranks);
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommInitRank(zcclComm_t* comm, int nranks, zcclUniqueId commId, int rank) {
  return zcclCommInitRankConfig(comm, nranks, commId, rank, nullptr);
}

extern "C" zcclResult_t zcclCommInitFromNccl(zcclComm_t* comm, ncclComm* nccl, zcclConfig_t* config) {
  ZCCL_REQUIRE(comm != nullptr, zcclInvalidArgument, "zcclCommInitFromNccl: comm is NULL");
  *comm = nullptr;
  ZCCL_REQUIRE(nccl != nullptr, zcclInvalidArgument, "zcclCommInitFromNccl: nccl is NULL");
  ncclResult_t async = ncclSuccess;
  ncclResult_t r = ncclCommGetAsyncError(nccl, &async);
  ZCCL_REQUIRE(r == ncclSuccess, static_cast<zcclResult_t>(r), "zcclCommInitFromNccl: %s", ncclGetErrorString(r));
  ZCCL_REQUIRE(async == ncclSuccess, async == ncclInProgress ? zcclInvalidUsage : static_cast<zcclResult_t>(async),
               "zcclCommInitFromNccl: the NCCL communicator is %s",
               async == ncclInProgress ? "not ready (ncclInProgress)" : ncclGetErrorString(async));
  int nranks = 0, rank = 0;
  r = ncclCommCount(nccl, &nranks);
  if (r == ncclSuccess) r = ncclCommUserRank(nccl, &rank);
  ZCCL_REQUIRE(r == ncclSuccess, static_cast<zcclResult_t>(r), "zcclCommInitFromNccl: %s", ncclGetErrorString(r));
  auto c = std::make_unique<zcclComm>();
  ZCCL_CHECK(zccl::tune::resolveSettings(config, &c->settings));
  ZCCL_CHECK(finishComm(std::move(c), nccl, rank, nranks, false, comm));
  ZCCL_INFO(zccl::kLogInit, "zcclCommInitFromNccl: rank %d of %d on the caller's NCCL communicator", rank, nranks);
  return zcclSuccess;
}
