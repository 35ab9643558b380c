// TEST STAND-IN: groups and stream enqueueing of the host stand-in NCCL.
//
// ncclGroupStart/End nest (per thread); operations and initialisations issued inside run at the
// outermost end: initialisations first, each on its own thread and all at once (so one thread can
// initialise several ranks, as nccl-tests and ncclCommInitAll do), then each communicator's
// operations as one piece of work. That work is a host function on the stream of the
// communicator's first operation; other streams used by the same communicator in the group are
// joined to it with events before and after, as NCCL joins them. Work enqueued while the stream
// is capturing is owned by the graph and replayed with it (freed never: a test-only leak). On a
// nonblocking communicator the launch returns ncclInProgress, as NCCL's background launch does.
#include "group.h"

#include <algorithm>
#include <thread>

namespace nccl_standin {
namespace {

struct Pending {
  ncclComm* comm;
  Op op;
  cudaStream_t stream;
};

struct GroupState {
  int depth = 0;
  ncclResult_t error = ncclSuccess;
  std::vector<Pending> ops;
  std::vector<std::function<ncclResult_t()>> inits;
};
thread_local GroupState tGroup;

struct Work {
  std::shared_ptr<CommState> state;
  std::vector<Op> ops;
  int64_t ticket = -1;
  bool keep = false;  // captured: a graph may run it again
};

void runWork(void* p) {
  Work* w = static_cast<Work*>(p);
  execute(*w->state, w->ops, w->ticket);
  if (!w->keep) delete w;
}

ncclResult_t cudaFailure(const char* what, cudaError_t e) {
  setLastError(std::string("NCCL stand-in: ") + what + ": " + cudaGetErrorString(e));
  return ncclUnhandledCudaError;
}

// Makes `to` wait for the work enqueued so far on `from`.
ncclResult_t join(cudaStream_t from, cudaStream_t to) {
  cudaEvent_t e;
  cudaError_t r = cudaEventCreateWithFlags(&e, cudaEventDisableTiming);
  if (r == cudaSuccess) r = cudaEventRecord(e, from);
  if (r == cudaSuccess) r = cudaStreamWaitEvent(to, e, 0);
  cudaEventDestroy(e);
  return r == cudaSuccess ? ncclSuccess : cudaFailure("joining streams", r);
}

ncclResult_t launch(ncclComm* comm, std::vector<Op> ops, const std::vector<cudaStream_t>& streams) {
  const cudaStream_t main = streams[0];
  for (size_t i = 1; i < streams.size(); ++i) {
    if (streams[i] != main && join(streams[i], main) != ncclSuccess) return ncclUnhandledCudaError;
  }
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  cudaError_t e = cudaStreamIsCapturing(main, &capture);
  if (e != cudaSuccess) return cudaFailure("the stream", e);
  auto* w = new Work{comm->state, std::move(ops)};
  CommState& s = *comm->state;
  if (capture == cudaStreamCaptureStatusActive) {
    w->keep = true;
    e = cudaLaunchHostFunc(main, runWork, w);
  } else {
    std::lock_guard<std::mutex> l(s.execMu);  // the ticket and the enqueue, atomically
    w->ticket = static_cast<int64_t>(s.issued);
    e = cudaLaunchHostFunc(main, runWork, w);
    if (e == cudaSuccess) ++s.issued;
  }
  if (e != cudaSuccess) {
    delete w;
    return cudaFailure("enqueueing on the stream", e);
  }
  for (size_t i = 1; i < streams.size(); ++i) {
    if (streams[i] != main && join(main, streams[i]) != ncclSuccess) return ncclUnhandledCudaError;
  }
  if (!comm->blocking) {
    comm->launching.store(true);
    return ncclInProgress;
  }
  return ncclSuccess;
}

}  // namespace

bool inGroup() { return tGroup.depth > 0; }

ncclResult_t groupError(ncclResult_t r) {
  if (r != ncclSuccess && tGroup.depth > 0 && tGroup.error == ncclSuccess) tGroup.error = r;
  return r;
}

bool deferInit(std::function<ncclResult_t()> init) {
  if (tGroup.depth == 0) return false;
  tGroup.inits.push_back(std::move(init));
  return true;
}

ncclResult_t submit(ncclComm* comm, const Op& op, cudaStream_t stream) {
  if (tGroup.depth > 0) {
    tGroup.ops.push_back({comm, op, stream});
    return ncclSuccess;
  }
  return launch(comm, {op}, {stream});
}

}  // namespace nccl_standin

using namespace nccl_standin;

extern "C" {

ncclResult_t ncclGroupStart() {
  ++tGroup.depth;
  return ncclSuccess;
}

static ncclResult_t endGroup(bool simulate) {
  if (tGroup.depth == 0) {
    setLastError("NCCL stand-in: ncclGroupEnd without ncclGroupStart");
    return ncclInvalidUsage;
  }
  if (--tGroup.depth > 0) return ncclSuccess;
  GroupState g = std::move(tGroup);
  tGroup = GroupState{};
  if (simulate) return g.error;
  ncclResult_t first = g.error;
  if (!g.inits.empty()) {
    std::vector<ncclResult_t> results(g.inits.size(), ncclSuccess);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < g.inits.size(); ++i) threads.emplace_back([&, i] { results[i] = g.inits[i](); });
    for (std::thread& t : threads) t.join();
    for (ncclResult_t r : results)
      if (first == ncclSuccess) first = r;
  }
  if (first != ncclSuccess) return first;  // NCCL drops a group in which a call failed
  // One piece of work per communicator, in the order of their first operations.
  std::vector<ncclComm*> order;
  for (const Pending& p : g.ops)
    if (std::find(order.begin(), order.end(), p.comm) == order.end()) order.push_back(p.comm);
  for (ncclComm* c : order) {
    std::vector<Op> ops;
    std::vector<cudaStream_t> streams;
    for (const Pending& p : g.ops) {
      if (p.comm != c) continue;
      ops.push_back(p.op);
      if (std::find(streams.begin(), streams.end(), p.stream) == streams.end()) streams.push_back(p.stream);
    }
    const ncclResult_t r = launch(c, std::move(ops), streams);
    if (first == ncclSuccess) first = r;
  }
  return first;
}

ncclResult_t ncclGroupEnd() { return endGroup(false); }

ncclResult_t ncclGroupSimulateEnd(ncclSimInfo_t* info) {
  if (info != nullptr) info->estimatedTime = 0;  // no model of a network: nothing to estimate
  return endGroup(true);
}

}  // extern "C"
