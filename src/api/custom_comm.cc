// zcclCommInitCustom: host-memory communicators over the application's transport (zccl_custom.h).
#include <memory>

#include "algo/host_engine.h"
#include "api/comm.h"
#include "common/check.h"
#include "transport/custom/custom_transport.h"
#include "zccl/zccl_custom.h"

extern "C" zcclResult_t zcclCommInitCustom(zcclComm_t* comm, const zcclCustomTransport_t* transport,
                                           zcclConfig_t* config) {
  ZCCL_REQUIRE(comm != nullptr && transport != nullptr, zcclInvalidArgument,
               "zcclCommInitCustom: comm or transport is NULL");
  *comm = nullptr;
  const zcclCustomTransport_t& t = *transport;
  ZCCL_REQUIRE(t.version == ZCCL_CUSTOM_TRANSPORT_VERSION, zcclInvalidArgument,
               "zcclCommInitCustom: transport version %u, this library knows %d", t.version,
               ZCCL_CUSTOM_TRANSPORT_VERSION);
  ZCCL_REQUIRE(t.nranks >= 1 && t.rank >= 0 && t.rank < t.nranks, zcclInvalidArgument,
               "zcclCommInitCustom: rank %d of %d ranks", t.rank, t.nranks);
  ZCCL_REQUIRE(t.isend != nullptr && t.irecv != nullptr && t.wait != nullptr, zcclInvalidArgument,
               "zcclCommInitCustom: isend, irecv and wait are required");
  auto c = std::make_unique<zcclComm>();
  ZCCL_CHECK(zccl::tune::resolveSettings(config, &c->settings));
  c->transport = std::make_unique<zccl::transport::CustomTransport>(t);
  c->engine = std::make_unique<zccl::algo::HostEngine>();
  ZCCL_CHECK(zccl::api::initFabric(c.get(), true, true));  // host memory over the application's network
  *comm = zccl::api::registerComm(std::move(c));
  ZCCL_INFO(zccl::kLogInit, "zcclCommInitCustom: rank %d of %d, host buffers", t.rank, t.nranks);
  return zcclSuccess;
}
