// Asynchronous work of the ZipCCL backend: every operation runs on the process group's one worker
// thread (a communicator is used by one thread at a time), in issue order, and completes a
// ZcclWork: wait() returns when it has run (rethrowing its error as a Python RuntimeError), and
// its future (what DDP's gradient buckets wait on) carries the output tensors or the error.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "torch_compat.h"

namespace zccl_torch {

class ZcclWork : public Work {
 public:
  ZcclWork(int rank, OpType type, std::vector<at::Tensor> outputs);
  c10::intrusive_ptr<c10::ivalue::Future> getFuture() override { return future_; }
  std::vector<at::Tensor> result() override { return outputs_; }
  // Marks the work done (error == nullptr) or failed; wakes waiters, completes the future.
  void complete(std::exception_ptr error);

 private:
  std::vector<at::Tensor> outputs_;
  c10::intrusive_ptr<c10::ivalue::Future> future_;
};

// One thread running jobs in the order they were pushed. The destructor runs the jobs already
// pushed, then joins.
class WorkQueue {
 public:
  WorkQueue();
  ~WorkQueue();
  void push(std::function<void()> job);

 private:
  void loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zccl_torch
