// Stream-ordered host launchers of the emulated-device build (stream_ordered.h).
#include "kernels/sim/stream_ordered.h"

#include <cuda_runtime_api.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>

namespace zccl::kernels::emulated {
namespace {

std::atomic<int> gDeferredFailure{0};

struct Job {
  std::function<zcclResult_t()> run;
  bool keep;  // captured into a graph: may run again
};

void runJob(void* p) {
  Job* job = static_cast<Job*>(p);
  const zcclResult_t r = job->run();
  if (r != zcclSuccess) {
    std::fprintf(stderr, "zccl emulated kernels: a launch failed on the stream (%d)\n", static_cast<int>(r));
    gDeferredFailure.store(static_cast<int>(r));
  }
  if (!job->keep) delete job;
}

zcclResult_t enqueue(cudaStream_t stream, std::function<zcclResult_t()> run) {
  const int failed = gDeferredFailure.exchange(0);
  if (failed != 0) return zcclInternalError;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess) return zcclUnhandledCudaError;
  Job* job = new Job{std::move(run), capture == cudaStreamCaptureStatusActive};
  if (cudaLaunchHostFunc(stream, runJob, job) != cudaSuccess) {
    delete job;
    return zcclUnhandledCudaError;
  }
  return zcclSuccess;
}

// The workspace a launch needs, checked on the calling thread as a real launcher would.
template <class Query>
zcclResult_t checkWorkspace(const Query& query, void* workspace, const size_t* workspaceBytes) {
  if (workspaceBytes == nullptr || workspace == nullptr) return zcclInvalidArgument;
  size_t need = 0;
  const zcclResult_t r = query(&need);
  if (r != zcclSuccess) return r;
  return *workspaceBytes < need ? zcclInvalidArgument : zcclSuccess;
}

}  // namespace

zcclResult_t launchEncode(const EncodeBatch& batch, const void* input, void* output, uint64_t* frameBytes,
                          void* workspace, size_t* workspaceBytes, cudaStream_t stream) {
  if (workspace == nullptr) return sim::launchEncode(batch, input, output, frameBytes, nullptr, workspaceBytes, stream);
  auto query = [&](size_t* need) { return sim::launchEncode(batch, nullptr, nullptr, nullptr, nullptr, need, stream); };
  if (const zcclResult_t r = checkWorkspace(query, workspace, workspaceBytes); r != zcclSuccess) return r;
  auto copy = std::make_shared<EncodeBatch>(batch);
  const size_t ws = *workspaceBytes;
  return enqueue(stream, [=]() mutable {
    size_t bytes = ws;
    return sim::launchEncode(*copy, input, output, frameBytes, workspace, &bytes, stream);
  });
}

zcclResult_t launchDecode(const DecodeBatch& batch, const void* input, void* output, int32_t* status, void* workspace,
                          size_t* workspaceBytes, cudaStream_t stream) {
  if (workspace == nullptr) return sim::launchDecode(batch, input, output, status, nullptr, workspaceBytes, stream);
  auto query = [&](size_t* need) { return sim::launchDecode(batch, nullptr, nullptr, nullptr, nullptr, need, stream); };
  if (const zcclResult_t r = checkWorkspace(query, workspace, workspaceBytes); r != zcclSuccess) return r;
  auto copy = std::make_shared<DecodeBatch>(batch);
  const size_t ws = *workspaceBytes;
  return enqueue(stream, [=]() mutable {
    size_t bytes = ws;
    return sim::launchDecode(*copy, input, output, status, workspace, &bytes, stream);
  });
}

zcclResult_t launchDecodeReduce(const ReduceBatch& batch, const void* frames, const void* raw, void* output,
                                int32_t* status, void* workspace, size_t* workspaceBytes, cudaStream_t stream) {
  if (workspace == nullptr)
    return sim::launchDecodeReduce(batch, frames, raw, output, status, nullptr, workspaceBytes, stream);
  auto query = [&](size_t* need) {
    return sim::launchDecodeReduce(batch, nullptr, nullptr, nullptr, nullptr, nullptr, need, stream);
  };
  if (const zcclResult_t r = checkWorkspace(query, workspace, workspaceBytes); r != zcclSuccess) return r;
  auto copy = std::make_shared<ReduceBatch>(batch);
  const size_t ws = *workspaceBytes;
  return enqueue(stream, [=]() mutable {
    size_t bytes = ws;
    return sim::launchDecodeReduce(*copy, frames, raw, output, status, workspace, &bytes, stream);
  });
}

}  // namespace zccl::kernels::emulated
