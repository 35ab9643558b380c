// --backend nccl in a build without CUDA and NCCL: a clear error instead of GPU buffers.
#include "memory_space.h"

namespace zccl::perf {

std::unique_ptr<MemorySpace> makeDeviceMemory(int, std::string* error) {
  *error = "this build has no CUDA/NCCL support (ZCCL_WITH_NCCL is OFF): use --backend mpi";
  return nullptr;
}

}  // namespace zccl::perf
