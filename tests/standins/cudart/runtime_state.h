// TEST STAND-IN, never installed or shipped: the shared state of the host stand-in CUDA runtime
// (libcudart.so.13 built from tests/standins/cudart, docs/emulation.md).
//
// Device memory is host memory. Each stream is a FIFO of host tasks drained by its own worker
// thread, so work enqueued on a stream runs after the host call returns, in order, concurrently
// with the host thread and with other streams: the asynchrony a GPU has, which is what lets the
// stand-in catch a missing synchronisation. The legacy default stream (stream 0) is ordered
// against every blocking stream of its device as CUDA documents. Stream capture records tasks into
// a graph instead of running them; a launched graph enqueues them again, so captured work is
// re-runnable. Every object lives on the heap and is never freed at exit (worker threads may still
// be draining when static destructors run).
#pragma once

#include <cuda_runtime_api.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cudart_standin {

using Task = std::function<void()>;

// A captured graph: its tasks in host enqueue order (a valid serialisation of the captured
// dependencies, since every dependency was created by an earlier host call).
struct Graph {
  std::vector<Task> nodes;
};

struct CaptureSession {
  std::shared_ptr<Graph> graph = std::make_shared<Graph>();
  cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
  std::thread::id owner;
  unsigned long long id = 0;
  bool invalidated = false;
};

struct Stream {
  int device = 0;
  unsigned flags = 0;  // cudaStreamNonBlocking or cudaStreamDefault
  int priority = 0;
  bool legacy = false;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Task> queue;  // guarded by mu
  uint64_t enqueued = 0;   // guarded by mu
  uint64_t completed = 0;  // guarded by mu
  bool stop = false;
  std::shared_ptr<CaptureSession> capture;  // non-null while capturing (guarded by the global lock)

  bool blocking() const { return !legacy && (flags & cudaStreamNonBlocking) == 0; }
};

struct Event {
  unsigned flags = 0;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t recorded = 0;  // generation of the last record
  uint64_t reached = 0;   // generation its stream has reached
  double ms = 0;          // time at which `reached` was set, ms since the runtime started
  bool everRecorded = false;
  std::shared_ptr<CaptureSession> capture;  // recorded during a capture (joins waiting streams)
};

// --- errors ---------------------------------------------------------------------------------
// Records e as this thread's last error (cudaGetLastError) unless it is success or "not ready".
cudaError_t fail(cudaError_t e);

// --- devices ----------------------------------------------------------------------------------
int deviceCount();
int& currentDevice();  // this thread's
constexpr size_t kDeviceMemoryBytes = size_t{16} << 30;

// --- streams (streams.cc) ----------------------------------------------------------------------
// The stream behind a handle (0, cudaStreamLegacy, cudaStreamPerThread or a created one), or
// nullptr for a handle that is not (or no longer) a stream.
std::shared_ptr<Stream> resolveStream(cudaStream_t handle);
// Enqueues t on s (or appends it to s's capture). Returns the error for an enqueue CUDA refuses
// (on the legacy stream while a blocking stream of its device is capturing).
cudaError_t enqueue(const std::shared_ptr<Stream>& s, Task t);
// Blocks until every task enqueued on s so far has run.
void drain(Stream& s);
// Drains every stream of `device`.
void drainDevice(int device);
// True if a potentially unsafe call (allocation, synchronous copy, device synchronisation) must be
// refused because a capture is in progress (CUDA's capture modes); the capture is invalidated.
bool unsafeDuringCapture();
double nowMs();
// Event record/wait during a capture: the capture a stream is in, and joining one.
std::shared_ptr<CaptureSession> captureOf(const std::shared_ptr<Stream>& s);
void joinCapture(const std::shared_ptr<Stream>& s, const std::shared_ptr<CaptureSession>& c);

// --- memory (memory.cc) -------------------------------------------------------------------------
enum class MemKind { kNone, kDevice, kPinnedHost, kRegisteredHost, kManaged };
struct MemInfo {
  MemKind kind = MemKind::kNone;
  int device = 0;
  void* base = nullptr;
  size_t bytes = 0;
};
MemInfo lookup(const void* p);

}  // namespace cudart_standin
