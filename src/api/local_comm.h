// Communicators whose ranks are threads of one process (tests only; not part of the public API).
#pragma once

#include <memory>

#include "transport/local/local_transport.h"
#include "zccl/zccl.h"

namespace zccl::api {

// Creates rank `rank` of `world` (host buffers, CPU codec). Each rank thread calls it once.
zcclResult_t commInitLocal(zcclComm_t* comm, std::shared_ptr<transport::LocalWorld> world, int rank,
                           const zcclConfig_t* config);

}  // namespace zccl::api
