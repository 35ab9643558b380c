// zcclCommInitMpi: host-memory communicators over Open MPI with the CPU codec.
#include <memory>

#include "algo/host_engine.h"
#include "api/comm.h"
#include "common/check.h"
#include "transport/mpi/mpi_transport.h"
#include "zccl/zccl_mpi.h"

extern "C" zcclResult_t zcclCommInitMpiConfig(zcclComm_t* comm, MPI_Comm mpiComm, zcclConfig_t* config) {
  ZCCL_REQUIRE(comm != nullptr, zcclInvalidArgument, "zcclCommInitMpi: comm is NULL");
  *comm = nullptr;
  auto c = std::make_unique<zcclComm>();
  ZCCL_CHECK(zccl::tune::resolveSettings(config, &c->settings));
  int initialized = 0;
  MPI_Initialized(&initialized);
  ZCCL_REQUIRE(initialized, zcclInvalidUsage, "zcclCommInitMpi: MPI is not initialised");
  auto t = std::make_unique<zccl::transport::MpiTransport>(mpiComm);
  ZCCL_REQUIRE(t->ok(), zcclSystemError, "zcclCommInitMpi: MPI_Comm_dup failed");
  c->transport = std::move(t);
  c->engine = std::make_unique<zccl::algo::HostEngine>();
  ZCCL_CHECK(zccl::api::initFabric(c.get(), true, true));
  *comm = zccl::api::registerComm(std::move(c));
  ZCCL_INFO(zccl::kLogInit, "zcclCommInitMpi: rank %d of %d, host buffers", (*comm)->transport->rank(),
            (*comm)->transport->size());
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommInitMpi(zcclComm_t* comm, MPI_Comm mpiComm) {
  return zcclCommInitMpiConfig(comm, mpiComm, nullptr);
}
