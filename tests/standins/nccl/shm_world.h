// TEST STAND-IN, never installed or shipped: the shared memory of one host stand-in NCCL
// communicator (libnccl.so.2 from tests/standins/nccl, docs/emulation.md).
//
// A communicator's ranks meet in one POSIX shared-memory segment named from the unique id, so the
// same code serves ranks that are threads of one process and ranks that are processes (under
// mpirun): a header (rank count, arrivals, abort flag, each rank's process and device) and one
// single-producer single-consumer byte ring per ordered pair of ranks. Messages on a ring are a
// u64 size followed by the bytes; a ring is FIFO, which gives NCCL's matching of sends and
// receives per peer in issue order. The segment is unlinked once every rank has arrived.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace nccl_standin {

constexpr int kMaxRanks = 64;
constexpr size_t kRingBytes = size_t{256} << 10;

struct alignas(64) Ring {
  std::atomic<uint64_t> head;  // bytes consumed (the receiver's)
  char pad0[56];
  std::atomic<uint64_t> tail;  // bytes produced (the sender's)
  char pad1[56];
  uint8_t data[kRingBytes];
};

struct alignas(64) WorldHeader {
  std::atomic<int32_t> nranks;  // 0 until the first rank arrives
  std::atomic<int32_t> arrived;
  std::atomic<int32_t> aborted;
  std::atomic<int64_t> placement[kMaxRanks];  // (pid << 16 | device + 1) of each rank
};

static_assert(std::atomic<uint64_t>::is_always_lock_free, "rings need address-free atomics");

// One rank's mapping of a communicator's segment.
class World {
 public:
  ~World();
  // Maps the segment `name` for `nranks` ranks as `rank` and waits (up to timeoutS) for every
  // rank to arrive. Fails with a message in *why.
  static World* open(const std::string& name, int nranks, int rank, int device, double timeoutS, std::string* why);

  int nranks() const { return nranks_; }
  int rank() const { return rank_; }
  WorldHeader& header() { return *header_; }
  Ring& ring(int from, int to) { return rings_[static_cast<size_t>(from) * nranks_ + to]; }

  // Nonblocking ring access: how many bytes moved (0 if none could).
  size_t put(int to, const void* data, size_t bytes);
  size_t get(int from, void* data, size_t bytes);
  size_t available(int from);
  size_t space(int to);

 private:
  WorldHeader* header_ = nullptr;
  Ring* rings_ = nullptr;
  size_t mapBytes_ = 0;
  int nranks_ = 0, rank_ = 0;
};

// Sleeps a little longer each time nothing moved (spin, yield, then up to 200 us).
class Backoff {
 public:
  void idle();
  void reset() { n_ = 0; }

 private:
  unsigned n_ = 0;
};

}  // namespace nccl_standin
