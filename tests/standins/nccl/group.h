// TEST STAND-IN: groups and stream enqueueing of the host stand-in NCCL (group.cc).
#pragma once

#include <cuda_runtime_api.h>

#include <functional>

#include "comm_state.h"

namespace nccl_standin {

// Inside ncclGroupStart/End: collects the op for the group's end; outside: enqueues it now.
ncclResult_t submit(ncclComm* comm, const Op& op, cudaStream_t stream);
// Inside a group: an initialisation to run, concurrently with the group's others, at its end.
bool deferInit(std::function<ncclResult_t()> init);
// Records the first error of the current group (the group's end returns it and drops the group).
ncclResult_t groupError(ncclResult_t r);
bool inGroup();

}  // namespace nccl_standin
