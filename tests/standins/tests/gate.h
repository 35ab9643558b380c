// A host function that holds a stream until the test opens the gate: makes "the work has not run
// yet" deterministic in the stand-ins' own tests.
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace standin_test {

struct Gate {
  std::atomic<bool> open{false};
  static void wait(void* p) {
    auto* g = static_cast<Gate*>(p);
    while (!g->open.load()) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // Enqueues the wait on `s`.
  cudaError_t hold(cudaStream_t s) { return cudaLaunchHostFunc(s, wait, this); }
  void release() { open.store(true); }
};

inline void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace standin_test
