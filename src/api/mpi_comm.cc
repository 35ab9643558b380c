// zcclCommInitMpi: host-memory communicators over Open MPI with the CPU codec.
#include <memory>
#include <string>

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
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  ZCCL_REQUIRE(initialized && !finalized, zcclInvalidUsage, "zcclCommInitMpi: MPI is %s",
               finalized ? "finalized" : "not initialised");
  ZCCL_REQUIRE(mpiComm != MPI_COMM_NULL, zcclInvalidArgument, "zcclCommInitMpi: the communicator is MPI_COMM_NULL");
  std::string why;
  auto t = std::make_unique<zccl::transport::MpiTransport>(mpiComm, &why);
  ZCCL_REQUIRE(t->ok(), zcclSystemError, "zcclCommInitMpi: %s", why.c_str());
  const int rank = t->rank(), size = t->size();
  c->transport = std::move(t);
  c->engine = std::make_unique<zccl::algo::HostEngine>();
  ZCCL_CHECK(zccl::api::initFabric(c.get(), true, true));
  *comm = zccl::api::registerComm(std::move(c));
  ZCCL_INFO(zccl::kLogInit, "zcclCommInitMpi: rank %d of %d, host buffers", rank, size);
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCommInitMpi(zcclComm_t* comm, MPI_Comm mpiComm) {
  return zcclCommInitMpiConfig(comm, mpiComm, nullptr);
}
