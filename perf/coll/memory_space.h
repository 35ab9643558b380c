// Where the perf binaries' buffers live: host memory (--backend mpi) or the GPU of this rank
// (--backend nccl), behind one small interface so the runner is the same for both. Uploads and
// downloads are synchronous; `stream` is what the collectives are issued on (nullptr on the host)
// and `synchronize` waits for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "zccl/zccl.h"

namespace zccl::perf {

class MemorySpace {
 public:
  virtual ~MemorySpace() = default;
  // For the "Using devices" lines, e.g. "host memory" or "cuda:0 NVIDIA H100 80GB HBM3".
  virtual std::string name() const = 0;
  // nullptr with *error when out of memory.
  virtual void* allocate(size_t bytes, std::string* error) = 0;
  virtual void release(void* p) = 0;
  virtual bool upload(void* dst, const void* hostSrc, size_t bytes, std::string* error) = 0;
  virtual bool download(void* hostDst, const void* src, size_t bytes, std::string* error) = 0;
  virtual bool fill(void* dst, uint8_t value, size_t bytes, std::string* error) = 0;
  virtual cudaStream_t stream() const = 0;
  virtual bool synchronize(std::string* error) = 0;
};

std::unique_ptr<MemorySpace> makeHostMemory();
// The GPU localRank % deviceCount, made current. nullptr with *error where there is none (or the
// build has no CUDA).
std::unique_ptr<MemorySpace> makeDeviceMemory(int localRank, std::string* error);

}  // namespace zccl::perf
