// Host buffers (--backend mpi): aligned allocations and plain copies.
#include <cstdlib>
#include <cstring>

#include "memory_space.h"

namespace zccl::perf {
namespace {

class HostMemory final : public MemorySpace {
 public:
  std::string name() const override { return "host memory"; }
  void* allocate(size_t bytes, std::string* error) override {
    void* p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096 + 4096);
    if (p == nullptr) *error = "out of host memory allocating " + std::to_string(bytes) + " bytes";
    return p;
  }
  void release(void* p) override { std::free(p); }
  bool upload(void* dst, const void* src, size_t bytes, std::string*) override {
    if (bytes) std::memcpy(dst, src, bytes);
    return true;
  }
  bool download(void* dst, const void* src, size_t bytes, std::string*) override {
    if (bytes) std::memcpy(dst, src, bytes);
    return true;
  }
  bool fill(void* dst, uint8_t value, size_t bytes, std::string*) override {
    if (bytes) std::memset(dst, value, bytes);
    return true;
  }
  cudaStream_t stream() const override { return nullptr; }
  bool synchronize(std::string*) override { return true; }
};

}  // namespace

std::unique_ptr<MemorySpace> makeHostMemory() { return std::make_unique<HostMemory>(); }

}  // namespace zccl::perf
