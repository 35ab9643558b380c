// TEST STAND-IN: the shared-memory segment of a host stand-in NCCL communicator (shm_world.h).
#include "shm_world.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace nccl_standin {

void Backoff::idle() {
  ++n_;
  if (n_ < 64) return;
  if (n_ < 256) {
    sched_yield();
    return;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(n_ < 1024 ? 20 : 200));
}

World::~World() {
  if (header_ != nullptr) munmap(header_, mapBytes_);
}

World* World::open(const std::string& name, int nranks, int rank, int device, double timeoutS, std::string* why) {
  if (nranks < 1 || nranks > kMaxRanks) {
    *why = "the host stand-in NCCL supports 1 to " + std::to_string(kMaxRanks) + " ranks";
    return nullptr;
  }
  const size_t headerBytes = (sizeof(WorldHeader) + 4095) & ~size_t{4095};
  const size_t bytes = headerBytes + sizeof(Ring) * nranks * nranks;
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) {
    *why = "shm_open(" + name + ") failed: " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  fstat(fd, &st);
  // Zero-filled memory is the initial state of every field; growing is idempotent.
  if (static_cast<size_t>(st.st_size) < bytes && ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    *why = std::string("ftruncate of the shared segment failed: ") + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (base == MAP_FAILED) {
    *why = std::string("mmap of the shared segment failed: ") + std::strerror(errno);
    return nullptr;
  }
  World* w = new World;
  w->header_ = static_cast<WorldHeader*>(base);
  w->rings_ = reinterpret_cast<Ring*>(static_cast<uint8_t*>(base) + headerBytes);
  w->mapBytes_ = bytes;
  w->nranks_ = nranks;
  w->rank_ = rank;
  WorldHeader& h = *w->header_;
  int32_t expect = 0;
  if (!h.nranks.compare_exchange_strong(expect, nranks) && expect != nranks) {
    *why = "ranks disagree on the rank count (" + std::to_string(expect) + " and " + std::to_string(nranks) + ")";
    delete w;
    return nullptr;
  }
  int64_t none = 0;
  const int64_t me = (static_cast<int64_t>(getpid()) << 16) | (device + 1);
  if (!h.placement[rank].compare_exchange_strong(none, me)) {
    *why = "rank " + std::to_string(rank) + " joined the communicator twice";
    delete w;
    return nullptr;
  }
  h.arrived.fetch_add(1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutS);
  Backoff b;
  while (h.arrived.load() < nranks) {
    if (std::chrono::steady_clock::now() > deadline) {
      *why = "timed out waiting for " + std::to_string(nranks - h.arrived.load()) + " ranks to join";
      h.aborted.store(1);
      delete w;
      return nullptr;
    }
    b.idle();
  }
  if (rank == 0) shm_unlink(name.c_str());
  return w;
}

size_t World::space(int to) {
  Ring& r = ring(rank_, to);
  return kRingBytes - (r.tail.load(std::memory_order_relaxed) - r.head.load(std::memory_order_acquire));
}

size_t World::available(int from) {
  Ring& r = ring(from, rank_);
  return r.tail.load(std::memory_order_acquire) - r.head.load(std::memory_order_relaxed);
}

size_t World::put(int to, const void* data, size_t bytes) {
  Ring& r = ring(rank_, to);
  const size_t n = std::min(bytes, space(to));
  if (n == 0) return 0;
  const uint64_t t = r.tail.load(std::memory_order_relaxed);
  const size_t at = t % kRingBytes, first = std::min(n, kRingBytes - at);
  std::memcpy(r.data + at, data, first);
  std::memcpy(r.data, static_cast<const uint8_t*>(data) + first, n - first);
  r.tail.store(t + n, std::memory_order_release);
  return n;
}

size_t World::get(int from, void* data, size_t bytes) {
  Ring& r = ring(from, rank_);
  const size_t n = std::min(bytes, available(from));
  if (n == 0) return 0;
  const uint64_t h = r.head.load(std::memory_order_relaxed);
  const size_t at = h % kRingBytes, first = std::min(n, kRingBytes - at);
  if (data != nullptr) {
    std::memcpy(data, r.data + at, first);
    std::memcpy(static_cast<uint8_t*>(data) + first, r.data, n - first);
  }
  r.head.store(h + n, std::memory_order_release);
  return n;
}

}  // namespace nccl_standin
