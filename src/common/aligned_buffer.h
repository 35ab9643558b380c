// A 64-byte-aligned byte buffer. Tensors in training frameworks are at least 64-byte aligned
// (PyTorch, cudaMalloc); benchmarks time them that way, since a std::vector of 64 MiB sits 16
// bytes past a page boundary and makes every 64-byte vector load straddle two cache lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace zccl {

// 64-byte-aligned memory of at least `bytes`, touched (zeroed) so that timing sees no page faults;
// nullptr when out of memory. Free with freeHostScratch.
inline uint8_t* allocateHostScratch(size_t bytes) {
  const size_t rounded = (bytes + 63) / 64 * 64 + 64;
  uint8_t* p = static_cast<uint8_t*>(std::aligned_alloc(64, rounded));
  if (p != nullptr) std::memset(p, 0, rounded);
  return p;
}
inline void freeHostScratch(void* p) { std::free(p); }

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) : size_(bytes), ptr_(allocate(bytes)) {}
  AlignedBuffer(const void* src, size_t bytes) : AlignedBuffer(bytes) {
    if (bytes != 0) std::memcpy(ptr_.get(), src, bytes);
  }
  uint8_t* data() { return ptr_.get(); }
  const uint8_t* data() const { return ptr_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  static uint8_t* allocate(size_t bytes) { return allocateHostScratch(bytes); }
  size_t size_ = 0;
  std::unique_ptr<uint8_t[], Free> ptr_;
};

}  // namespace zccl
