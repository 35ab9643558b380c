#include "mpi_world.h"

#include <cstdlib>
#include <stdexcept>

#ifdef ZCCL_TORCH_WITH_MPI
#include "zccl/zccl_mpi.h"
#endif

namespace zccl_torch {
namespace {
bool startedMpi = false;
}

int mpiLaunchSize() {
  const char* s = std::getenv("OMPI_COMM_WORLD_SIZE");
  return s != nullptr ? std::atoi(s) : 0;
}

#ifdef ZCCL_TORCH_WITH_MPI
bool builtWithMpi() { return true; }

zcclComm_t mpiComm(int rank, int size) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
      throw std::runtime_error("ZipCCL backend: MPI_Init_thread failed");
    }
    startedMpi = true;
    if (provided < MPI_THREAD_MULTIPLE) {
      throw std::runtime_error("ZipCCL backend: this MPI does not provide MPI_THREAD_MULTIPLE");
    }
  }
  int worldSize = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &worldSize);
  if (worldSize != size) {
    throw std::runtime_error("ZipCCL backend: the MPI world has " + std::to_string(worldSize) +
                             " ranks, the process group " + std::to_string(size) +
                             " (ZCCL_TORCH_TRANSPORT=gloo for groups that are not the whole mpirun job)");
  }
  MPI_Comm ordered;
  if (MPI_Comm_split(MPI_COMM_WORLD, 0, rank, &ordered) != MPI_SUCCESS) {
    throw std::runtime_error("ZipCCL backend: MPI_Comm_split failed");
  }
  zcclComm_t comm = nullptr;
  const zcclResult_t r = zcclCommInitMpi(&comm, ordered);  // duplicates `ordered`
  MPI_Comm_free(&ordered);
  if (r != zcclSuccess) {
    throw std::runtime_error(std::string("ZipCCL backend: zcclCommInitMpi failed: ") + zcclGetLastError(nullptr));
  }
  return comm;
}

void finalizeMpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (startedMpi && !finalized) MPI_Finalize();
  startedMpi = false;
}
#else
bool builtWithMpi() { return false; }
zcclComm_t mpiComm(int, int) { throw std::runtime_error("ZipCCL backend: built without MPI support"); }
void finalizeMpi() {}
#endif

}  // namespace zccl_torch
