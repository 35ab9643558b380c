// ProcessGroupZccl: the torch.distributed backend "zccl". Every operation is checked on the
// caller's thread, then runs on the group's worker thread (WorkQueue) against one ZipCCL
// communicator: Open MPI's (zcclCommInitMpi) when the job was started by mpirun, else ZipCCL's
// custom transport over torch's gloo send/recv (PeerTransport), chosen by ZCCL_TORCH_TRANSPORT.
// bf16/fp16/fp32 tensors go through ZipCCL's compressed path as its policy (ZCCL_COMPRESSION)
// decides; the results are bit-identical to compression off.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tensor_args.h"
#include "torch_compat.h"
#include "zccl_work.h"

namespace zccl_torch {

// Shuts every live group down, then ends MPI if the plugin started it (at interpreter exit).
void shutdownAll();

class ProcessGroupZccl : public BackendBase {
 public:
  // transport: "mpi" or "gloo" (then peers carries the bytes). Collective over the group.
  ProcessGroupZccl(int rank, int size, const std::string& transport, c10::intrusive_ptr<PeerGroup> peers);
  ~ProcessGroupZccl() override;
  const std::string getBackendName() const override { return "zccl"; }
  const std::string& transport() const { return transport_; }
  zcclCommStats_t stats();
  // Runs what was issued, then frees the communicator; later calls fail. Idempotent.
  void shutdown();

  // The opt-in 8-bit all-reduce (zcclAllReduceQuantized: lossy, docs/algorithms.md) of one bf16,
  // fp16 or fp32 tensor, in place; the sum, or with average the mean. Not a c10d collective:
  // zccl.torch's all_reduce_8bit and the DDP hook allreduce_8bit_hook call it.
  c10::intrusive_ptr<Work> allreduce8bit(at::Tensor& tensor, bool average);

  c10::intrusive_ptr<Work> broadcast(std::vector<at::Tensor>& tensors, const c10d::BroadcastOptions& opts) override;
  c10::intrusive_ptr<Work> allreduce(std::vector<at::Tensor>& tensors, const c10d::AllreduceOptions& opts) override;
  c10::intrusive_ptr<Work> reduce(std::vector<at::Tensor>& tensors, const c10d::ReduceOptions& opts) override;
  c10::intrusive_ptr<Work> allgather(std::vector<std::vector<at::Tensor>>& outputs, std::vector<at::Tensor>& inputs,
                                     const c10d::AllgatherOptions& opts) override;
  c10::intrusive_ptr<Work> _allgather_base(at::Tensor& output, at::Tensor& input,
                                           const c10d::AllgatherOptions& opts) override;
  c10::intrusive_ptr<Work> reduce_scatter(std::vector<at::Tensor>& outputs,
                                          std::vector<std::vector<at::Tensor>>& inputs,
                                          const c10d::ReduceScatterOptions& opts) override;
  c10::intrusive_ptr<Work> _reduce_scatter_base(at::Tensor& output, at::Tensor& input,
                                                const c10d::ReduceScatterOptions& opts) override;
  c10::intrusive_ptr<Work> alltoall_base(at::Tensor& output, at::Tensor& input, std::vector<int64_t>& outputSplits,
                                         std::vector<int64_t>& inputSplits, const c10d::AllToAllOptions& opts) override;
  c10::intrusive_ptr<Work> alltoall(std::vector<at::Tensor>& outputs, std::vector<at::Tensor>& inputs,
                                    const c10d::AllToAllOptions& opts) override;
  c10::intrusive_ptr<Work> send(std::vector<at::Tensor>& tensors, int dstRank, int tag) override;
  c10::intrusive_ptr<Work> recv(std::vector<at::Tensor>& tensors, int srcRank, int tag) override;
  c10::intrusive_ptr<Work> barrier(const c10d::BarrierOptions& opts) override;
  // batch_isend_irecv: the sends and receives issued in between run as one ZipCCL group.
  void startCoalescing() override;
  void endCoalescing(std::vector<c10::intrusive_ptr<Work>>& reqs) override;

 private:
  using Job = std::function<void()>;
  struct PointToPoint {
    bool isSend;
    int peer;
    at::Tensor tensor;
    c10::intrusive_ptr<ZcclWork> work;
  };
  c10::intrusive_ptr<Work> enqueue(OpType type, std::vector<at::Tensor> outputs, Job job);
  void requireOpen(const char* call);
  void requireNotCoalescing(const char* call);
  c10::intrusive_ptr<Work> pointToPoint(bool isSend, std::vector<at::Tensor>& tensors, int peer, const char* call);
  // Sends counts[p] elements at offsets[p] of send to each p and receives likewise (uneven
  // all-to-all: one ZipCCL group of sends and receives, the own block copied).
  void exchange(const at::Tensor& send, const std::vector<size_t>& sendCounts, const at::Tensor& recv,
                const std::vector<size_t>& recvCounts, zcclDataType_t dtype);

  std::string transport_;
  zcclComm_t comm_ = nullptr;
  std::unique_ptr<WorkQueue> queue_;
  std::mutex mu_;  // coalescing_, pending_, comm_ (open or shut)
  bool coalescing_ = false;
  std::vector<PointToPoint> pending_;
};

}  // namespace zccl_torch
