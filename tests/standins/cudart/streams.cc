// TEST STAND-IN: streams of the host CUDA runtime. Each stream is a task FIFO with one worker
// thread. Ordering rules, as the CUDA programming guide states them:
//  - tasks of one stream run in enqueue order, after the enqueuing call has returned;
//  - the legacy default stream (0 / cudaStreamLegacy) waits for all earlier work of every blocking
//    stream of its device, and every blocking stream waits for earlier legacy work; streams made
//    with cudaStreamNonBlocking do neither; cudaStreamPerThread is a blocking stream per thread;
//  - while a stream captures, its tasks go into the capture's graph and nothing runs.
#include <chrono>
#include <map>

#include "runtime_state.h"

namespace cudart_standin {
namespace {

struct Registry {
  std::mutex mu;
  std::map<const void*, std::shared_ptr<Stream>> streams;  // created streams by handle
  std::vector<std::shared_ptr<Stream>> legacy;             // per device
  std::vector<std::weak_ptr<Stream>> all;                  // for device-wide ordering and sync
  int globalCaptures = 0;                                  // captures in cudaStreamCaptureModeGlobal
  unsigned long long nextCaptureId = 1;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: workers may outlive static destructors
  return *r;
}

thread_local cudaStreamCaptureMode tCaptureMode = cudaStreamCaptureModeGlobal;
thread_local int tCaptures = 0;  // non-relaxed captures begun by this thread

void work(std::shared_ptr<Stream> s) {
  for (;;) {
    Task t;
    {
      std::unique_lock<std::mutex> l(s->mu);
      s->cv.wait(l, [&] { return !s->queue.empty() || s->stop; });
      if (s->queue.empty()) return;
      t = std::move(s->queue.front());
      s->queue.pop_front();
    }
    t();
    {
      std::lock_guard<std::mutex> l(s->mu);
      ++s->completed;
    }
    s->cv.notify_all();
  }
}

std::shared_ptr<Stream> makeStream(int device, unsigned flags, int priority, bool legacy) {
  auto s = std::make_shared<Stream>();
  s->device = device;
  s->flags = flags;
  s->priority = priority;
  s->legacy = legacy;
  std::thread(work, s).detach();
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  r.all.push_back(s);
  return s;
}

std::shared_ptr<Stream> legacyStream(int device) {
  Registry& r = registry();
  {
    std::lock_guard<std::mutex> l(r.mu);
    if (r.legacy.size() <= static_cast<size_t>(device)) r.legacy.resize(device + 1);
    if (r.legacy[device] != nullptr) return r.legacy[device];
  }
  auto s = makeStream(device, 0, 0, true);
  std::lock_guard<std::mutex> l(r.mu);
  if (r.legacy[device] == nullptr) r.legacy[device] = s;
  return r.legacy[device];
}

std::shared_ptr<Stream> perThreadStream(int device) {
  thread_local std::map<int, std::shared_ptr<Stream>> mine;
  auto& s = mine[device];
  if (s == nullptr) s = makeStream(device, 0, 0, false);
  return s;
}

// A task that waits until `other` has completed `seq` tasks.
Task waitFor(std::shared_ptr<Stream> other, uint64_t seq) {
  return [other, seq] {
    std::unique_lock<std::mutex> l(other->mu);
    other->cv.wait(l, [&] { return other->completed >= seq; });
  };
}

void push(Stream& s, Task t) {
  {
    std::lock_guard<std::mutex> l(s.mu);
    s.queue.push_back(std::move(t));
    ++s.enqueued;
  }
  s.cv.notify_all();
}

std::vector<std::shared_ptr<Stream>> liveStreams(int device) {
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  std::vector<std::shared_ptr<Stream>> v;
  size_t keep = 0;
  for (auto& w : r.all) {
    if (auto s = w.lock()) {
      if (device < 0 || s->device == device) v.push_back(s);
      r.all[keep++] = w;
    }
  }
  r.all.resize(keep);
  return v;
}

uint64_t enqueuedCount(Stream& s) {
  std::lock_guard<std::mutex> l(s.mu);
  return s.enqueued;
}

bool idle(Stream& s) {
  std::lock_guard<std::mutex> l(s.mu);
  return s.completed == s.enqueued;
}

}  // namespace

double nowMs() {
  static const auto start = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::shared_ptr<Stream> resolveStream(cudaStream_t handle) {
  if (handle == nullptr || handle == cudaStreamLegacy) return legacyStream(currentDevice());
  if (handle == cudaStreamPerThread) return perThreadStream(currentDevice());
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  auto it = r.streams.find(handle);
  return it == r.streams.end() ? nullptr : it->second;
}

cudaError_t enqueue(const std::shared_ptr<Stream>& s, Task t) {
  Registry& r = registry();
  {
    std::unique_lock<std::mutex> l(r.mu);
    if (s->capture != nullptr) {
      s->capture->graph->nodes.push_back(std::move(t));
      return cudaSuccess;
    }
  }
  const std::vector<std::shared_ptr<Stream>> peers = liveStreams(s->device);
  if (s->legacy) {
    {
      std::lock_guard<std::mutex> l(r.mu);
      for (const auto& p : peers) {
        if (p->blocking() && p->capture != nullptr) {  // an implicit dependency on a capturing stream
          p->capture->invalidated = true;
          return cudaErrorStreamCaptureImplicit;
        }
      }
    }
    for (const auto& p : peers) {
      if (p->blocking() && !idle(*p)) push(*s, waitFor(p, enqueuedCount(*p)));
    }
  } else if (s->blocking()) {
    std::shared_ptr<Stream> legacy = legacyStream(s->device);
    if (!idle(*legacy)) push(*s, waitFor(legacy, enqueuedCount(*legacy)));
  }
  push(*s, std::move(t));
  return cudaSuccess;
}

void drain(Stream& s) {
  std::unique_lock<std::mutex> l(s.mu);
  const uint64_t target = s.enqueued;
  s.cv.wait(l, [&] { return s.completed >= target; });
}

void drainDevice(int device) {
  for (const auto& s : liveStreams(device)) drain(*s);
}

bool unsafeDuringCapture() {
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  const bool refuse = r.globalCaptures > 0 || (tCaptures > 0 && tCaptureMode != cudaStreamCaptureModeRelaxed);
  if (!refuse) return false;
  for (auto& w : r.all) {
    if (auto s = w.lock(); s != nullptr && s->capture != nullptr) s->capture->invalidated = true;
  }
  return true;
}

}  // namespace cudart_standin

using namespace cudart_standin;

extern "C" {

cudaError_t cudaStreamCreateWithPriority(cudaStream_t* stream, unsigned int flags, int priority) {
  if (stream == nullptr || (flags & ~cudaStreamNonBlocking) != 0) return fail(cudaErrorInvalidValue);
  auto s = makeStream(currentDevice(), flags, priority, false);
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  r.streams[s.get()] = s;
  *stream = reinterpret_cast<cudaStream_t>(s.get());
  return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  return cudaStreamCreateWithPriority(stream, flags, 0);
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithPriority(stream, 0, 0); }

// Like CUDA: returns at once; work already enqueued still runs, then the worker ends.
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  std::shared_ptr<Stream> s;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> l(r.mu);
    auto it = r.streams.find(stream);
    if (it == r.streams.end()) return fail(cudaErrorInvalidResourceHandle);
    s = it->second;
    r.streams.erase(it);
  }
  {
    std::lock_guard<std::mutex> l(s->mu);
    s->stop = true;
  }
  s->cv.notify_all();
  return cudaSuccess;
}

// Waiting for (or querying) a capturing stream is illegal in CUDA and invalidates the capture.
static cudaError_t refuseIfCapturing(const std::shared_ptr<Stream>& s) {
  std::lock_guard<std::mutex> l(registry().mu);
  if (s->capture == nullptr) return cudaSuccess;
  s->capture->invalidated = true;
  return fail(cudaErrorStreamCaptureUnsupported);
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (const cudaError_t e = refuseIfCapturing(s); e != cudaSuccess) return e;
  if (s->legacy) drainDevice(s->device);  // legacy work waited for every blocking stream
  drain(*s);
  return cudaSuccess;
}

cudaError_t cudaStreamQuery(cudaStream_t stream) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (const cudaError_t e = refuseIfCapturing(s); e != cudaSuccess) return e;
  return idle(*s) ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t cudaDeviceSynchronize(void) {
  if (unsafeDuringCapture()) return fail(cudaErrorStreamCaptureUnsupported);
  drainDevice(currentDevice());
  return cudaSuccess;
}

cudaError_t cudaStreamGetFlags(cudaStream_t stream, unsigned int* flags) {
  auto s = resolveStream(stream);
  if (s == nullptr || flags == nullptr)
    return fail(s == nullptr ? cudaErrorInvalidResourceHandle : cudaErrorInvalidValue);
  *flags = s->flags;
  return cudaSuccess;
}

cudaError_t cudaStreamGetPriority(cudaStream_t stream, int* priority) {
  auto s = resolveStream(stream);
  if (s == nullptr || priority == nullptr)
    return fail(s == nullptr ? cudaErrorInvalidResourceHandle : cudaErrorInvalidValue);
  *priority = s->priority;
  return cudaSuccess;
}

cudaError_t cudaStreamGetDevice(cudaStream_t stream, int* device) {
  auto s = resolveStream(stream);
  if (s == nullptr || device == nullptr)
    return fail(s == nullptr ? cudaErrorInvalidResourceHandle : cudaErrorInvalidValue);
  *device = s->device;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetStreamPriorityRange(int* leastPriority, int* greatestPriority) {
  if (leastPriority != nullptr) *leastPriority = 0;
  if (greatestPriority != nullptr) *greatestPriority = -5;
  return cudaSuccess;
}

cudaError_t cudaLaunchHostFunc(cudaStream_t stream, cudaHostFn_t fn, void* userData) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (fn == nullptr) return fail(cudaErrorInvalidValue);
  return fail(enqueue(s, [fn, userData] { fn(userData); }));
}

// --- capture -------------------------------------------------------------------------------------

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (s->legacy) return fail(cudaErrorStreamCaptureUnsupported);  // the legacy stream cannot capture
  if (mode != cudaStreamCaptureModeGlobal && mode != cudaStreamCaptureModeThreadLocal &&
      mode != cudaStreamCaptureModeRelaxed)
    return fail(cudaErrorInvalidValue);
  Registry& r = registry();
  std::lock_guard<std::mutex> l(r.mu);
  if (s->capture != nullptr) return fail(cudaErrorIllegalState);
  s->capture = std::make_shared<CaptureSession>();
  s->capture->mode = mode;
  s->capture->owner = std::this_thread::get_id();
  s->capture->id = r.nextCaptureId++;
  if (mode == cudaStreamCaptureModeGlobal) ++r.globalCaptures;
  if (mode != cudaStreamCaptureModeRelaxed) ++tCaptures;
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* pGraph) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (pGraph == nullptr) return fail(cudaErrorInvalidValue);
  Registry& r = registry();
  std::shared_ptr<CaptureSession> c;
  {
    std::lock_guard<std::mutex> l(r.mu);
    c = s->capture;
    if (c == nullptr) return fail(cudaErrorIllegalState);
    if (c->mode != cudaStreamCaptureModeRelaxed && c->owner != std::this_thread::get_id())
      return fail(cudaErrorStreamCaptureWrongThread);
    for (auto& w : r.all) {  // the origin and every stream that joined it leave the capture
      if (auto p = w.lock(); p != nullptr && p->capture == c) p->capture = nullptr;
    }
    if (c->mode == cudaStreamCaptureModeGlobal) --r.globalCaptures;
    if (c->mode != cudaStreamCaptureModeRelaxed) --tCaptures;
  }
  *pGraph = nullptr;
  if (c->invalidated) return fail(cudaErrorStreamCaptureInvalidated);
  *pGraph = reinterpret_cast<cudaGraph_t>(new std::shared_ptr<Graph>(c->graph));
  return cudaSuccess;
}

cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus* status) {
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if (status == nullptr) return fail(cudaErrorInvalidValue);
  std::lock_guard<std::mutex> l(registry().mu);
  *status = s->capture == nullptr     ? cudaStreamCaptureStatusNone
            : s->capture->invalidated ? cudaStreamCaptureStatusInvalidated
                                      : cudaStreamCaptureStatusActive;
  return cudaSuccess;
}

cudaError_t cudaStreamGetCaptureInfo(cudaStream_t stream, enum cudaStreamCaptureStatus* status, unsigned long long* id,
                                     cudaGraph_t* graph, const cudaGraphNode_t** deps, const cudaGraphEdgeData** edges,
                                     size_t* numDeps) {
  const cudaError_t e = cudaStreamIsCapturing(stream, status);
  if (e != cudaSuccess) return e;
  auto s = resolveStream(stream);
  std::lock_guard<std::mutex> l(registry().mu);
  if (id != nullptr) *id = s->capture != nullptr ? s->capture->id : 0;
  if (graph != nullptr) *graph = nullptr;  // the graph under construction is not exposed
  if (deps != nullptr) *deps = nullptr;
  if (edges != nullptr) *edges = nullptr;
  if (numDeps != nullptr) *numDeps = 0;
  return cudaSuccess;
}

cudaError_t cudaThreadExchangeStreamCaptureMode(enum cudaStreamCaptureMode* mode) {
  if (mode == nullptr) return fail(cudaErrorInvalidValue);
  std::swap(*mode, tCaptureMode);
  return cudaSuccess;
}

}  // extern "C"

namespace cudart_standin {

// Joins `s` to the capture of an event recorded during a capture (CUDA's fork/join pattern).
void joinCapture(const std::shared_ptr<Stream>& s, const std::shared_ptr<CaptureSession>& c) {
  std::lock_guard<std::mutex> l(registry().mu);
  if (s->capture == nullptr) s->capture = c;
}

std::shared_ptr<CaptureSession> captureOf(const std::shared_ptr<Stream>& s) {
  std::lock_guard<std::mutex> l(registry().mu);
  return s->capture;
}

}  // namespace cudart_standin
