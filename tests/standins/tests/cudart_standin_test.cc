// The host CUDA runtime stand-in checked against the CUDA runtime's documented behaviour, so that
// a test passing on it means something: stream order and asynchrony, the legacy default stream's
// implicit synchronisation (and its absence for non-blocking streams), events (query, wait,
// elapsed time, the flags that forbid timing), staging of pageable copies, stream capture (nothing
// runs, unsafe calls invalidate it) and graph replay (captured work runs again at every launch),
// virtual devices, last-error semantics and the refusal of kernel launches.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "gate.h"

extern "C" {  // nvcc's registration entry points (crt/host_runtime.h), as a compiled .cu calls them
void** __cudaRegisterFatBinary(void*);
void __cudaRegisterFunction(void**, const char*, char*, const char*, int, uint3*, uint3*, dim3*, dim3*, int*);
}

namespace {

using standin_test::Gate;

void append(void* p) {
  auto* v = static_cast<std::vector<int>*>(p);
  v->push_back(static_cast<int>(v->size()));
}

TEST(CudartStandin, StreamWorkRunsInOrderAfterTheCallReturns) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreate(&s), cudaSuccess);
  Gate gate;
  std::vector<int> seen;
  ASSERT_EQ(gate.hold(s), cudaSuccess);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(cudaLaunchHostFunc(s, append, &seen), cudaSuccess);
  EXPECT_EQ(cudaStreamQuery(s), cudaErrorNotReady);
  EXPECT_TRUE(seen.empty()) << "work ran before the stream reached it";
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "not ready is a status, not an error";
  gate.release();
  EXPECT_EQ(cudaStreamSynchronize(s), cudaSuccess);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(cudaStreamQuery(s), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(s), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(s), cudaErrorInvalidResourceHandle);
}

TEST(CudartStandin, LegacyStreamWaitsForBlockingStreamsButNotNonBlockingOnes) {
  cudaStream_t blocking, nonBlocking;
  ASSERT_EQ(cudaStreamCreate(&blocking), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&nonBlocking, cudaStreamNonBlocking), cudaSuccess);
  int *dev = nullptr, host = 0;
  ASSERT_EQ(cudaMalloc(&dev, sizeof(int)), cudaSuccess);
  ASSERT_EQ(cudaMemset(dev, 0, sizeof(int)), cudaSuccess);
  const int seven = 7;
  Gate g1;
  ASSERT_EQ(g1.hold(blocking), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(dev, &seven, sizeof(int), cudaMemcpyHostToDevice, blocking), cudaSuccess);
  std::thread opener([&] {
    standin_test::sleepMs(30);
    g1.release();
  });
  // cudaMemcpy is on the legacy stream: it must wait for the blocking stream's copy.
  ASSERT_EQ(cudaMemcpy(&host, dev, sizeof(int), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(host, 7);
  opener.join();
  Gate g2;
  ASSERT_EQ(g2.hold(nonBlocking), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(&host, dev, sizeof(int), cudaMemcpyDeviceToHost), cudaSuccess);  // does not wait
  EXPECT_EQ(cudaStreamQuery(nonBlocking), cudaErrorNotReady);
  g2.release();
  EXPECT_EQ(cudaStreamSynchronize(nonBlocking), cudaSuccess);
  cudaFree(dev);
  cudaStreamDestroy(blocking);
  cudaStreamDestroy(nonBlocking);
}

TEST(CudartStandin, EventsQueryWaitAndTime) {
  cudaStream_t a, b;
  ASSERT_EQ(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking), cudaSuccess);
  cudaEvent_t start, stop, never, untimed;
  ASSERT_EQ(cudaEventCreate(&start), cudaSuccess);
  ASSERT_EQ(cudaEventCreate(&stop), cudaSuccess);
  ASSERT_EQ(cudaEventCreate(&never), cudaSuccess);
  ASSERT_EQ(cudaEventCreateWithFlags(&untimed, cudaEventDisableTiming), cudaSuccess);
  EXPECT_EQ(cudaEventQuery(never), cudaSuccess) << "an event never recorded is complete";
  EXPECT_EQ(cudaEventCreateWithFlags(&never, cudaEventInterprocess), cudaErrorInvalidValue)
      << "interprocess events must disable timing";
  Gate gate;
  ASSERT_EQ(cudaEventRecord(start, a), cudaSuccess);
  ASSERT_EQ(gate.hold(a), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(stop, a), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(untimed, a), cudaSuccess);
  std::vector<int> seen;
  ASSERT_EQ(cudaStreamWaitEvent(b, stop, 0), cudaSuccess);
  ASSERT_EQ(cudaLaunchHostFunc(b, append, &seen), cudaSuccess);
  float ms = 0;
  EXPECT_EQ(cudaEventQuery(stop), cudaErrorNotReady);
  EXPECT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaErrorNotReady);
  standin_test::sleepMs(40);
  EXPECT_TRUE(seen.empty()) << "a stream waiting on an event ran early";
  gate.release();
  EXPECT_EQ(cudaEventSynchronize(stop), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(b), cudaSuccess);
  EXPECT_EQ(seen.size(), 1u);
  ASSERT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
  EXPECT_GE(ms, 35.0f);
  EXPECT_LT(ms, 5000.0f);
  EXPECT_EQ(cudaEventElapsedTime(&ms, start, untimed), cudaErrorInvalidResourceHandle);
  cudaEvent_t fresh;
  ASSERT_EQ(cudaEventCreate(&fresh), cudaSuccess);
  EXPECT_EQ(cudaEventElapsedTime(&ms, start, fresh), cudaErrorInvalidResourceHandle);
  cudaGetLastError();
  cudaStreamDestroy(a);
  cudaStreamDestroy(b);
}

TEST(CudartStandin, PageableSourcesAreStagedAndPageableDestinationsAreSynchronous) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreate(&s), cudaSuccess);
  char* dev = nullptr;
  ASSERT_EQ(cudaMalloc(&dev, 8), cudaSuccess);
  char src[8] = "before", dst[8] = {};
  Gate gate;
  ASSERT_EQ(gate.hold(s), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(dev, src, 8, cudaMemcpyHostToDevice, s), cudaSuccess);
  std::strcpy(src, "after");  // allowed: the pageable source was staged by the call
  std::thread opener([&] {
    standin_test::sleepMs(20);
    gate.release();
  });
  ASSERT_EQ(cudaMemcpyAsync(dst, dev, 8, cudaMemcpyDeviceToHost, s), cudaSuccess);
  EXPECT_STREQ(dst, "before") << "a copy to pageable memory returns when done";
  opener.join();
  EXPECT_EQ(cudaMemcpyAsync(dev, src, 8, cudaMemcpyDeviceToHost, s), cudaErrorInvalidValue)
      << "pageable memory named as the device side";
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  cudaFree(dev);
  cudaStreamDestroy(s);
}

int gReplays = 0;
void countReplay(void*) { ++gReplays; }

TEST(CudartStandin, CapturedWorkRunsOnlyWhenTheGraphIsLaunchedAndAtEveryLaunch) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  int *src = nullptr, *dst = nullptr;
  ASSERT_EQ(cudaMallocHost(&src, sizeof(int)), cudaSuccess);
  ASSERT_EQ(cudaMallocHost(&dst, sizeof(int)), cudaSuccess);
  *src = 1;
  *dst = 0;
  gReplays = 0;
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), cudaSuccess);
  cudaStreamCaptureStatus status;
  ASSERT_EQ(cudaStreamIsCapturing(s, &status), cudaSuccess);
  EXPECT_EQ(status, cudaStreamCaptureStatusActive);
  ASSERT_EQ(cudaMemcpyAsync(dst, src, sizeof(int), cudaMemcpyHostToHost, s), cudaSuccess);
  ASSERT_EQ(cudaLaunchHostFunc(s, countReplay, nullptr), cudaSuccess);
  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamEndCapture(s, &graph), cudaSuccess);
  EXPECT_EQ(gReplays, 0);
  EXPECT_EQ(*dst, 0) << "captured work must not run during capture";
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  for (int i = 1; i <= 3; ++i) {
    *src = 10 * i;
    ASSERT_EQ(cudaGraphLaunch(exec, s), cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
    EXPECT_EQ(*dst, 10 * i) << "replay " << i << " must copy again";
    EXPECT_EQ(gReplays, i);
  }
  EXPECT_EQ(cudaGraphExecDestroy(exec), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
  // Waiting for a capturing stream is illegal and invalidates the capture.
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(s), cudaErrorStreamCaptureUnsupported);
  void* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, 16), cudaErrorStreamCaptureUnsupported) << "global mode forbids allocation";
  EXPECT_EQ(cudaStreamEndCapture(s, &graph), cudaErrorStreamCaptureInvalidated);
  EXPECT_EQ(cudaStreamBeginCapture(nullptr, cudaStreamCaptureModeGlobal), cudaErrorStreamCaptureUnsupported);
  cudaGetLastError();
  cudaFreeHost(src);
  cudaFreeHost(dst);
  cudaStreamDestroy(s);
}

TEST(CudartStandin, VirtualDevicesArePerThreadAndTagTheirMemory) {
  int n = 0;
  ASSERT_EQ(cudaGetDeviceCount(&n), cudaSuccess);
  ASSERT_GE(n, 4);
  EXPECT_EQ(cudaSetDevice(n), cudaErrorInvalidDevice);
  ASSERT_EQ(cudaSetDevice(3), cudaSuccess);
  void* p = nullptr;
  ASSERT_EQ(cudaMalloc(&p, 64), cudaSuccess);
  std::thread([] {
    int d = -1;
    cudaGetDevice(&d);
    EXPECT_EQ(d, 0) << "a new thread starts on device 0";
  }).join();
  cudaPointerAttributes a;
  ASSERT_EQ(cudaPointerGetAttributes(&a, static_cast<char*>(p) + 10), cudaSuccess);
  EXPECT_EQ(a.type, cudaMemoryTypeDevice);
  EXPECT_EQ(a.device, 3);
  int local = 0;
  ASSERT_EQ(cudaPointerGetAttributes(&a, &local), cudaSuccess);
  EXPECT_EQ(a.type, cudaMemoryTypeUnregistered);
  cudaDeviceProp prop;
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 2), cudaSuccess);
  EXPECT_NE(std::string(prop.name).find("stand-in"), std::string::npos);
  EXPECT_EQ(cudaFree(&local), cudaErrorInvalidValue);
  EXPECT_EQ(cudaFree(p), cudaSuccess);
  cudaSetDevice(0);
  cudaGetLastError();
}

TEST(CudartStandin, LastErrorIsPeekedOrConsumed) {
  cudaGetLastError();
  EXPECT_EQ(cudaSetDevice(-1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

void fakeKernel() {}

TEST(CudartStandin, KernelLaunchesFailLoudly) {
  void** handle = __cudaRegisterFatBinary(nullptr);
  __cudaRegisterFunction(handle, reinterpret_cast<const char*>(&fakeKernel), nullptr, "fakeKernel", -1, nullptr,
                         nullptr, nullptr, nullptr, nullptr);
  cudaGetLastError();
  EXPECT_EQ(cudaLaunchKernel(reinterpret_cast<const void*>(&fakeKernel), dim3(1), dim3(32), nullptr, 0, nullptr),
            cudaErrorNoKernelImageForDevice);
  EXPECT_EQ(cudaGetLastError(), cudaErrorNoKernelImageForDevice);
}

}  // namespace
