// Open MPI underneath when the job was started by mpirun: MPI is initialised here unless the
// program did it (MPI_THREAD_MULTIPLE: the communicator runs on the backend's worker thread), the
// world is split so that MPI ranks follow torch's ranks, and zcclCommInitMpi makes the
// communicator. finalizeMpi ends MPI if this plugin started it (at interpreter exit).
#pragma once

#include <string>

#include "zccl/zccl.h"

namespace zccl_torch {

// Size of the mpirun job this process belongs to (OMPI_COMM_WORLD_SIZE), or 0.
int mpiLaunchSize();
// A communicator over the MPI world in torch's rank order; throws std::runtime_error.
zcclComm_t mpiComm(int rank, int size);
void finalizeMpi();
bool builtWithMpi();

}  // namespace zccl_torch
