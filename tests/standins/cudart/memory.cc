// TEST STAND-IN: memory of the host CUDA runtime. Every allocation is host memory recorded in a
// table (kind, device, range), which is what cudaPointerGetAttributes answers from and what lets a
// copy refuse a pageable pointer named as device memory (a GPU would fault). Fresh device memory is
// filled with 0xCD (uninitialised on a GPU too, but a reader of it is then reproducibly wrong).
//
// Copies and sets are tasks on their stream. As in CUDA, cudaMemcpyAsync from pageable host memory
// returns once the source has been staged (it is snapshotted at the call) and to pageable host
// memory is synchronous; cudaMemcpy / cudaMemset run on the legacy default stream and return when
// done; cudaFree and cudaFreeHost synchronise the device first.
#include <cstdlib>
#include <cstring>
#include <map>

#include "runtime_state.h"

namespace cudart_standin {
namespace {

struct Table {
  std::mutex mu;
  std::map<uintptr_t, MemInfo> allocs;  // by base address
  size_t deviceBytes = 0;
};

Table& table() {
  static Table* t = new Table;
  return *t;
}

cudaError_t allocate(void** p, size_t bytes, MemKind kind) {
  if (p == nullptr) return fail(cudaErrorInvalidValue);
  *p = nullptr;
  if (unsafeDuringCapture()) return fail(cudaErrorStreamCaptureUnsupported);
  if (bytes == 0) return cudaSuccess;
  Table& t = table();
  {
    std::lock_guard<std::mutex> l(t.mu);
    if (kind == MemKind::kDevice && t.deviceBytes + bytes > kDeviceMemoryBytes * deviceCount())
      return fail(cudaErrorMemoryAllocation);
  }
  void* mem = std::aligned_alloc(256, (bytes + 255) & ~size_t{255});
  if (mem == nullptr) return fail(cudaErrorMemoryAllocation);
  if (kind == MemKind::kDevice) std::memset(mem, 0xCD, bytes);
  std::lock_guard<std::mutex> l(t.mu);
  t.allocs[reinterpret_cast<uintptr_t>(mem)] = MemInfo{kind, currentDevice(), mem, bytes};
  if (kind == MemKind::kDevice) t.deviceBytes += bytes;
  *p = mem;
  return cudaSuccess;
}

cudaError_t release(void* p, bool host) {
  if (p == nullptr) return cudaSuccess;
  Table& t = table();
  MemInfo m;
  {
    std::lock_guard<std::mutex> l(t.mu);
    auto it = t.allocs.find(reinterpret_cast<uintptr_t>(p));
    if (it == t.allocs.end()) return fail(cudaErrorInvalidValue);
    m = it->second;
    const bool isHost = m.kind == MemKind::kPinnedHost;
    if (isHost != host || m.kind == MemKind::kRegisteredHost) return fail(cudaErrorInvalidValue);
  }
  drainDevice(m.device);  // CUDA: the free synchronises the device (the work that may still use it)
  std::lock_guard<std::mutex> l(t.mu);
  t.allocs.erase(reinterpret_cast<uintptr_t>(p));
  if (m.kind == MemKind::kDevice) t.deviceBytes -= m.bytes;
  std::free(p);
  return cudaSuccess;
}

bool deviceAccessible(const void* p, size_t bytes) {
  if (bytes == 0) return true;
  const MemInfo m = lookup(p);
  return m.kind != MemKind::kNone &&
         static_cast<const uint8_t*>(p) + bytes <= static_cast<const uint8_t*>(m.base) + m.bytes;
}

// Checks the memory named on the device side of a copy.
cudaError_t checkCopy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (bytes == 0) return cudaSuccess;
  if (dst == nullptr || src == nullptr) return cudaErrorInvalidValue;
  switch (kind) {
    case cudaMemcpyHostToHost:
    case cudaMemcpyDefault:
      return cudaSuccess;
    case cudaMemcpyHostToDevice:
      return deviceAccessible(dst, bytes) ? cudaSuccess : cudaErrorInvalidValue;
    case cudaMemcpyDeviceToHost:
      return deviceAccessible(src, bytes) ? cudaSuccess : cudaErrorInvalidValue;
    case cudaMemcpyDeviceToDevice:
      return deviceAccessible(src, bytes) && deviceAccessible(dst, bytes) ? cudaSuccess : cudaErrorInvalidValue;
  }
  return cudaErrorInvalidMemcpyDirection;
}

cudaError_t copyOn(const std::shared_ptr<Stream>& s, void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                   bool wait) {
  const cudaError_t bad = checkCopy(dst, src, bytes, kind);
  if (bad != cudaSuccess) return fail(bad);
  if (bytes == 0) return cudaSuccess;
  const bool capturing = captureOf(s) != nullptr;
  cudaError_t e;
  if (!capturing && lookup(src).kind == MemKind::kNone) {
    // Pageable source: staged now, so the caller may reuse it when the call returns.
    auto staged = std::make_shared<std::vector<uint8_t>>(static_cast<const uint8_t*>(src),
                                                         static_cast<const uint8_t*>(src) + bytes);
    e = enqueue(s, [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); });
  } else {
    e = enqueue(s, [dst, src, bytes] { std::memmove(dst, src, bytes); });
  }
  if (e != cudaSuccess) return fail(e);
  if (!capturing && (wait || lookup(dst).kind == MemKind::kNone)) drain(*s);  // pageable destination
  return cudaSuccess;
}

}  // namespace

MemInfo lookup(const void* p) {
  Table& t = table();
  std::lock_guard<std::mutex> l(t.mu);
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  auto it = t.allocs.upper_bound(a);
  if (it == t.allocs.begin()) return MemInfo{};
  --it;
  if (a >= it->first + it->second.bytes) return MemInfo{};
  return it->second;
}

}  // namespace cudart_standin

using namespace cudart_standin;

extern "C" {

cudaError_t cudaMalloc(void** devPtr, size_t size) { return allocate(devPtr, size, MemKind::kDevice); }
cudaError_t cudaMallocManaged(void** devPtr, size_t size, unsigned int) {
  return allocate(devPtr, size, MemKind::kManaged);
}
cudaError_t cudaMallocHost(void** ptr, size_t size) { return allocate(ptr, size, MemKind::kPinnedHost); }
cudaError_t cudaHostAlloc(void** ptr, size_t size, unsigned int flags) {
  if ((flags & ~(cudaHostAllocPortable | cudaHostAllocMapped | cudaHostAllocWriteCombined)) != 0)
    return fail(cudaErrorInvalidValue);
  return allocate(ptr, size, MemKind::kPinnedHost);
}
cudaError_t cudaFree(void* devPtr) { return release(devPtr, false); }
cudaError_t cudaFreeHost(void* ptr) { return release(ptr, true); }

cudaError_t cudaHostRegister(void* ptr, size_t size, unsigned int) {
  if (ptr == nullptr || size == 0) return fail(cudaErrorInvalidValue);
  if (lookup(ptr).kind != MemKind::kNone) return fail(cudaErrorHostMemoryAlreadyRegistered);
  Table& t = table();
  std::lock_guard<std::mutex> l(t.mu);
  t.allocs[reinterpret_cast<uintptr_t>(ptr)] = MemInfo{MemKind::kRegisteredHost, currentDevice(), ptr, size};
  return cudaSuccess;
}

cudaError_t cudaHostUnregister(void* ptr) {
  Table& t = table();
  std::lock_guard<std::mutex> l(t.mu);
  auto it = t.allocs.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == t.allocs.end() || it->second.kind != MemKind::kRegisteredHost)
    return fail(cudaErrorHostMemoryNotRegistered);
  t.allocs.erase(it);
  return cudaSuccess;
}

cudaError_t cudaHostGetDevicePointer(void** pDevice, void* pHost, unsigned int flags) {
  if (pDevice == nullptr || flags != 0) return fail(cudaErrorInvalidValue);
  const MemKind k = lookup(pHost).kind;
  if (k != MemKind::kPinnedHost && k != MemKind::kRegisteredHost) return fail(cudaErrorInvalidValue);
  *pDevice = pHost;  // mapped pinned memory has the same address on the device (UVA)
  return cudaSuccess;
}

cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes* attr, const void* ptr) {
  if (attr == nullptr) return fail(cudaErrorInvalidValue);
  const MemInfo m = lookup(ptr);
  *attr = cudaPointerAttributes{};
  attr->device = m.kind == MemKind::kNone ? -2 : m.device;
  switch (m.kind) {
    case MemKind::kNone:
      attr->type = cudaMemoryTypeUnregistered;
      break;
    case MemKind::kDevice:
      attr->type = cudaMemoryTypeDevice;
      attr->devicePointer = const_cast<void*>(ptr);
      break;
    case MemKind::kManaged:
      attr->type = cudaMemoryTypeManaged;
      attr->devicePointer = attr->hostPointer = const_cast<void*>(ptr);
      break;
    default:
      attr->type = cudaMemoryTypeHost;
      attr->devicePointer = attr->hostPointer = const_cast<void*>(ptr);
      break;
  }
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  Table& t = table();
  std::lock_guard<std::mutex> l(t.mu);
  if (total != nullptr) *total = kDeviceMemoryBytes;
  if (free != nullptr) *free = kDeviceMemoryBytes - std::min(kDeviceMemoryBytes, t.deviceBytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  return copyOn(s, dst, src, count, kind, false);
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
  if (unsafeDuringCapture()) return fail(cudaErrorStreamCaptureUnsupported);
  return copyOn(resolveStream(nullptr), dst, src, count, kind, true);
}

cudaError_t cudaMemcpyPeerAsync(void* dst, int, const void* src, int, size_t count, cudaStream_t stream) {
  return cudaMemcpyAsync(dst, src, count, cudaMemcpyDeviceToDevice, stream);
}

cudaError_t cudaMemcpyPeer(void* dst, int, const void* src, int, size_t count) {
  return cudaMemcpy(dst, src, count, cudaMemcpyDeviceToDevice);
}

cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count, cudaStream_t stream) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (count == 0) return cudaSuccess;
  if (!deviceAccessible(devPtr, count)) return fail(cudaErrorInvalidValue);
  return fail(enqueue(s, [devPtr, value, count] { std::memset(devPtr, value, count); }));
}

cudaError_t cudaMemset(void* devPtr, int value, size_t count) {
  if (unsafeDuringCapture()) return fail(cudaErrorStreamCaptureUnsupported);
  auto s = resolveStream(nullptr);
  const cudaError_t e = cudaMemsetAsync(devPtr, value, count, nullptr);
  if (e == cudaSuccess) drain(*s);
  return e;
}

}  // extern "C"
