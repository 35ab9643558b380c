// TEST STAND-IN: events of the host CUDA runtime. cudaEventRecord enqueues a task that stamps the
// time and marks the record's generation as reached; cudaEventQuery / Synchronize look at the last
// record only, as CUDA does; an event never recorded counts as complete. cudaStreamWaitEvent makes
// the stream wait for the record made before the call (later records do not matter). Recording
// during a capture makes the record a graph node, and a stream that waits for such an event joins
// the capture (fork/join capture).
#include "runtime_state.h"

namespace cudart_standin {
namespace {

Event* asEvent(cudaEvent_t e) { return reinterpret_cast<Event*>(e); }

}  // namespace
}  // namespace cudart_standin

using namespace cudart_standin;

extern "C" {

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  if (event == nullptr) return fail(cudaErrorInvalidValue);
  const unsigned known = cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess;
  if ((flags & ~known) != 0) return fail(cudaErrorInvalidValue);
  // CUDA: an interprocess event must also disable timing.
  if ((flags & cudaEventInterprocess) != 0 && (flags & cudaEventDisableTiming) == 0) return fail(cudaErrorInvalidValue);
  Event* e = new Event;
  e->flags = flags;
  *event = reinterpret_cast<cudaEvent_t>(e);
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }

// The event object stays allocated (a worker may still stamp it); its handle must not be used.
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  if (event == nullptr) return fail(cudaErrorInvalidResourceHandle);
  return cudaSuccess;
}

cudaError_t cudaEventRecordWithFlags(cudaEvent_t event, cudaStream_t stream, unsigned int) {
  if (event == nullptr) return fail(cudaErrorInvalidResourceHandle);
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  Event* e = asEvent(event);
  if (auto c = captureOf(s)) {
    // A node that, at each replay, records the event again.
    {
      std::lock_guard<std::mutex> l(e->mu);
      e->capture = c;
    }
    return fail(enqueue(s, [e] {
      std::lock_guard<std::mutex> l(e->mu);
      e->ms = nowMs();
      e->reached = ++e->recorded;
      e->everRecorded = true;
      e->cv.notify_all();
    }));
  }
  uint64_t gen;
  {
    std::lock_guard<std::mutex> l(e->mu);
    gen = ++e->recorded;
    e->everRecorded = true;
    e->capture = nullptr;
  }
  return fail(enqueue(s, [e, gen] {
    std::lock_guard<std::mutex> l(e->mu);
    e->ms = nowMs();
    if (e->reached < gen) e->reached = gen;
    e->cv.notify_all();
  }));
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  return cudaEventRecordWithFlags(event, stream, 0);
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  if (event == nullptr) return fail(cudaErrorInvalidResourceHandle);
  Event* e = asEvent(event);
  std::lock_guard<std::mutex> l(e->mu);
  return e->reached >= e->recorded ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (event == nullptr) return fail(cudaErrorInvalidResourceHandle);
  Event* e = asEvent(event);
  std::unique_lock<std::mutex> l(e->mu);
  const uint64_t gen = e->recorded;
  e->cv.wait(l, [&] { return e->reached >= gen; });
  return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (ms == nullptr) return fail(cudaErrorInvalidValue);
  if (start == nullptr || end == nullptr) return fail(cudaErrorInvalidResourceHandle);
  Event *a = asEvent(start), *b = asEvent(end);
  if (((a->flags | b->flags) & cudaEventDisableTiming) != 0) return fail(cudaErrorInvalidResourceHandle);
  std::scoped_lock l(a->mu, b->mu);
  if (!a->everRecorded || !b->everRecorded) return fail(cudaErrorInvalidResourceHandle);
  if (a->reached < a->recorded || b->reached < b->recorded) return cudaErrorNotReady;
  *ms = static_cast<float>(b->ms - a->ms);
  return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  if (event == nullptr) return fail(cudaErrorInvalidResourceHandle);
  if ((flags & ~cudaEventWaitExternal) != 0) return fail(cudaErrorInvalidValue);
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  Event* e = asEvent(event);
  std::shared_ptr<CaptureSession> c;
  uint64_t gen;
  {
    std::lock_guard<std::mutex> l(e->mu);
    c = e->capture;
    gen = e->recorded;
  }
  if (c != nullptr && !c->invalidated) {
    // Fork/join: the waiting stream joins the capture; its later work is recorded in host order
    // after the record, which is the dependency CUDA would add.
    joinCapture(s, c);
    return cudaSuccess;
  }
  if (gen == 0) return cudaSuccess;
  return fail(enqueue(s, [e, gen] {
    std::unique_lock<std::mutex> l(e->mu);
    e->cv.wait(l, [&] { return e->reached >= gen; });
  }));
}

}  // extern "C"
