#include "api/local_comm.h"

#include "algo/host_engine.h"
#include "api/comm.h"
#include "common/check.h"

namespace zccl::api {

zcclResult_t commInitLocal(zcclComm_t* comm, std::shared_ptr<transport::LocalWorld> world, int rank,
                           const zcclConfig_t* config) {
  ZCCL_REQUIRE(comm != nullptr && world != nullptr && rank >= 0 && rank < world->size(), zcclInvalidArgument,
               "commInitLocal: bad arguments");
  auto c = std::make_unique<zcclComm>();
  ZCCL_CHECK(tune::resolveSettings(config, &c->settings));
  c->transport = std::make_unique<transport::LocalTransport>(std::move(world), rank);
  c->engine = std::make_unique<algo::HostEngine>();
  ZCCL_CHECK(initFabric(c.get(), true, false));
  *comm = registerComm(std::move(c));
  return zcclSuccess;
}

}  // namespace zccl::api
