#include "process_group_zccl.h"

#include <cstring>
#include <future>
#include <set>

#include "mpi_world.h"
#include "peer_transport.h"
#include "zccl/zccl_custom.h"

namespace zccl_torch {
namespace {

std::mutex registryMu;
std::set<ProcessGroupZccl*> registry;  // live groups, shut down at interpreter exit

uint8_t* bytes(const at::Tensor& t) { return static_cast<uint8_t*>(t.data_ptr()); }

void checkSameType(const at::Tensor& a, const at::Tensor& b, const char* call) {
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), "ZipCCL backend: ", call, ": tensors of different types (",
              a.scalar_type(), ", ", b.scalar_type(), ")");
  checkHost(b, call);
}

void checkOwnBlock(const std::vector<size_t>& sendCounts, const std::vector<size_t>& recvCounts, int me) {
  TORCH_CHECK(sendCounts[me] == recvCounts[me], "ZipCCL backend: all_to_all sends ", sendCounts[me],
              " elements to its own rank but receives ", recvCounts[me]);
}

}  // namespace

void shutdownAll() {
  std::set<ProcessGroupZccl*> groups;
  {
    std::lock_guard<std::mutex> lock(registryMu);
    groups = registry;
  }
  for (ProcessGroupZccl* g : groups) g->shutdown();
  finalizeMpi();
}

ProcessGroupZccl::ProcessGroupZccl(int rank, int size, const std::string& transport,
                                   c10::intrusive_ptr<PeerGroup> peers)
    : BackendBase(rank, size), transport_(transport) {
  if (transport == "mpi") {
    comm_ = mpiComm(rank, size);
  } else if (transport == "gloo") {
    TORCH_CHECK(peers && peers->getRank() == rank && peers->getSize() == size,
                "ZipCCL backend: the gloo group must have this group's rank and size");
    auto* t = new PeerTransport(peers);
    const zcclCustomTransport_t callbacks = t->callbacks();
    const zcclResult_t r = zcclCommInitCustom(&comm_, &callbacks, nullptr);
    if (r != zcclSuccess) delete t;  // zcclCommDestroy owns it only on success
    check(r, "zcclCommInitCustom");
  } else {
    TORCH_CHECK(false, "ZipCCL backend: unknown transport '", transport, "' (mpi, gloo)");
  }
  queue_ = std::make_unique<WorkQueue>();
  std::lock_guard<std::mutex> lock(registryMu);
  registry.insert(this);
}

ProcessGroupZccl::~ProcessGroupZccl() {
  shutdown();
  std::lock_guard<std::mutex> lock(registryMu);
  registry.erase(this);
}

void ProcessGroupZccl::shutdown() {
  std::unique_ptr<WorkQueue> queue;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue = std::move(queue_);
  }
  queue.reset();  // runs what was issued, joins the worker
  std::lock_guard<std::mutex> lock(mu_);
  if (comm_ != nullptr) zcclCommDestroy(comm_);
  comm_ = nullptr;
}

zcclCommStats_t ProcessGroupZccl::stats() {
  auto done = std::make_shared<std::promise<zcclCommStats_t>>();
  std::future<zcclCommStats_t> result = done->get_future();
  enqueue(OpType::UNKNOWN, {}, [this, done] {
    zcclCommStats_t s{};
    check(zcclCommGetStats(comm_, &s), "zcclCommGetStats");
    done->set_value(s);
  })->wait();
  return result.get();
}

c10::intrusive_ptr<Work> ProcessGroupZccl::enqueue(OpType type, std::vector<at::Tensor> outputs, Job job) {
  auto work = c10::make_intrusive<ZcclWork>(getRank(), type, std::move(outputs));
  std::lock_guard<std::mutex> lock(mu_);
  TORCH_CHECK(queue_ != nullptr, "ZipCCL backend: the process group has been shut down");
  queue_->push([work, job = std::move(job)] {
    try {
      job();
    } catch (...) {
      work->complete(std::current_exception());
      return;
    }
    work->complete(nullptr);
  });
  return work;
}

void ProcessGroupZccl::requireNotCoalescing(const char* call) {
  std::lock_guard<std::mutex> lock(mu_);
  TORCH_CHECK(!coalescing_, "ZipCCL backend: ", call, " inside batch_isend_irecv (only send and recv can be batched)");
}

c10::intrusive_ptr<Work> ProcessGroupZccl::allreduce(std::vector<at::Tensor>& tensors,
                                                     const c10d::AllreduceOptions& opts) {
  const at::Tensor& t = singleTensor(tensors, "all_reduce");
  requireNotCoalescing("all_reduce");
  const Elements e = reductionElements(t, "all_reduce");
  const zcclRedOp_t op = reductionOp(opts.reduceOp, "all_reduce");
  Staged s(t, true);
  return enqueue(OpType::ALLREDUCE, tensors, [this, s, e, op] {
    check(zcclAllReduce(s.buf.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, op, comm_, nullptr), "all_reduce");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::allreduce8bit(at::Tensor& tensor, bool average) {
  requireNotCoalescing("all_reduce_8bit");
  const Elements e = reductionElements(tensor, "all_reduce_8bit");
  const zcclRedOp_t op = average ? zcclAvg : zcclSum;
  TORCH_CHECK(e.dtype == zcclBfloat16 || e.dtype == zcclFloat16 || e.dtype == zcclFloat32,
              "ZipCCL backend: all_reduce_8bit takes bfloat16, float16 or float32 tensors, not ", tensor.scalar_type());
  Staged s(tensor, true);
  std::vector<at::Tensor> outputs{tensor};
  return enqueue(OpType::ALLREDUCE, outputs, [this, s, e, op] {
    check(zcclAllReduceQuantized(s.buf.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, op, comm_, nullptr),
          "all_reduce_8bit");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::broadcast(std::vector<at::Tensor>& tensors,
                                                     const c10d::BroadcastOptions& opts) {
  const at::Tensor& t = singleTensor(tensors, "broadcast");
  requireNotCoalescing("broadcast");
  TORCH_CHECK(opts.rootTensor == 0, "ZipCCL backend: broadcast takes one tensor per process");
  const int root = static_cast<int>(opts.rootRank);  // ZipCCL checks that it is a rank
  const Elements e = movedElements(t);
  Staged s(t, root == getRank());
  return enqueue(OpType::BROADCAST, tensors, [this, s, e, root] {
    check(zcclBroadcast(s.buf.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, root, comm_, nullptr), "broadcast");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::reduce(std::vector<at::Tensor>& tensors, const c10d::ReduceOptions& opts) {
  const at::Tensor& t = singleTensor(tensors, "reduce");
  requireNotCoalescing("reduce");
  const int root = static_cast<int>(opts.rootRank);
  TORCH_CHECK(opts.rootTensor == 0 && root >= 0 && root < getSize(), "ZipCCL backend: reduce root ", root,
              " out of range");
  const Elements e = reductionElements(t, "reduce");
  const zcclRedOp_t op = reductionOp(opts.reduceOp, "reduce");
  Staged s(t, true);
  const bool isRoot = root == getRank();
  return enqueue(OpType::REDUCE, tensors, [this, s, e, op, root, isRoot] {
    check(zcclReduce(s.buf.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, op, root, comm_, nullptr), "reduce");
    if (isRoot) s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::allgather(std::vector<std::vector<at::Tensor>>& outputs,
                                                     std::vector<at::Tensor>& inputs, const c10d::AllgatherOptions&) {
  const at::Tensor& in = singleTensor(inputs, "all_gather");
  requireNotCoalescing("all_gather");
  TORCH_CHECK(outputs.size() == 1 && static_cast<int>(outputs[0].size()) == getSize(),
              "ZipCCL backend: all_gather needs one output tensor per rank");
  for (const at::Tensor& o : outputs[0]) {
    checkSameType(in, o, "all_gather");
    TORCH_CHECK(o.numel() == in.numel(), "ZipCCL backend: all_gather output of ", o.numel(), " elements, input ",
                in.numel());
  }
  const Elements e = movedElements(in);
  const at::Tensor src = in.contiguous();
  std::vector<at::Tensor> outs = outputs[0];
  return enqueue(OpType::ALLGATHER, outs, [this, src, outs, e] {
    const int64_t n = src.numel();
    at::Tensor flat = at::empty({n * static_cast<int64_t>(outs.size())}, src.options());
    check(zcclAllGather(src.data_ptr(), flat.data_ptr(), e.count, e.dtype, comm_, nullptr), "all_gather");
    for (size_t r = 0; r < outs.size(); ++r) outs[r].copy_(flat.narrow(0, r * n, n).view(outs[r].sizes()));
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::_allgather_base(at::Tensor& output, at::Tensor& input,
                                                           const c10d::AllgatherOptions&) {
  checkHost(input, "all_gather_into_tensor");
  checkSameType(input, output, "all_gather_into_tensor");
  requireNotCoalescing("all_gather_into_tensor");
  TORCH_CHECK(output.numel() == input.numel() * getSize(), "ZipCCL backend: all_gather_into_tensor output of ",
              output.numel(), " elements, needs ", input.numel() * getSize());
  const Elements e = movedElements(input);
  const at::Tensor src = input.contiguous();
  Staged s(output, false);
  return enqueue(OpType::_ALLGATHER_BASE, {output}, [this, src, s, e] {
    check(zcclAllGather(src.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, comm_, nullptr), "all_gather_into_tensor");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::reduce_scatter(std::vector<at::Tensor>& outputs,
                                                          std::vector<std::vector<at::Tensor>>& inputs,
                                                          const c10d::ReduceScatterOptions& opts) {
  const at::Tensor& out = singleTensor(outputs, "reduce_scatter");
  requireNotCoalescing("reduce_scatter");
  TORCH_CHECK(inputs.size() == 1 && static_cast<int>(inputs[0].size()) == getSize(),
              "ZipCCL backend: reduce_scatter needs one input tensor per rank");
  for (const at::Tensor& i : inputs[0]) {
    checkSameType(out, i, "reduce_scatter");
    TORCH_CHECK(i.numel() == out.numel(), "ZipCCL backend: reduce_scatter input of ", i.numel(), " elements, output ",
                out.numel());
  }
  const Elements e = reductionElements(out, "reduce_scatter");
  const zcclRedOp_t op = reductionOp(opts.reduceOp, "reduce_scatter");
  std::vector<at::Tensor> ins = inputs[0];
  Staged s(out, false);
  return enqueue(OpType::REDUCE_SCATTER, outputs, [this, ins, s, e, op] {
    std::vector<at::Tensor> flat;
    for (const at::Tensor& i : ins) flat.push_back(i.reshape({-1}));
    const at::Tensor src = at::cat(flat);
    check(zcclReduceScatter(src.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, op, comm_, nullptr), "reduce_scatter");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::_reduce_scatter_base(at::Tensor& output, at::Tensor& input,
                                                                const c10d::ReduceScatterOptions& opts) {
  checkHost(input, "reduce_scatter_tensor");
  checkSameType(input, output, "reduce_scatter_tensor");
  requireNotCoalescing("reduce_scatter_tensor");
  TORCH_CHECK(input.numel() == output.numel() * getSize(), "ZipCCL backend: reduce_scatter_tensor input of ",
              input.numel(), " elements, needs ", output.numel() * getSize());
  const Elements e = reductionElements(output, "reduce_scatter_tensor");
  const zcclRedOp_t op = reductionOp(opts.reduceOp, "reduce_scatter_tensor");
  const at::Tensor src = input.contiguous();
  Staged s(output, false);
  return enqueue(OpType::_REDUCE_SCATTER_BASE, {output}, [this, src, s, e, op] {
    check(zcclReduceScatter(src.data_ptr(), s.buf.data_ptr(), e.count, e.dtype, op, comm_, nullptr),
          "reduce_scatter_tensor");
    s.finish();
  });
}

void ProcessGroupZccl::exchange(const at::Tensor& send, const std::vector<size_t>& sendCounts, const at::Tensor& recv,
                                const std::vector<size_t>& recvCounts, zcclDataType_t dtype) {
  const size_t unit = dtype == zcclUint8 ? 1 : static_cast<size_t>(send.element_size());
  const int me = getRank();
  size_t sendOff = 0, recvOff = 0;
  zcclResult_t first = zcclGroupStart();
  for (int p = 0; p < getSize(); ++p) {
    if (p == me) {  // equal counts: checked when issued
      std::memcpy(bytes(recv) + recvOff * unit, bytes(send) + sendOff * unit, sendCounts[p] * unit);
    } else if (first == zcclSuccess) {
      first = zcclSend(bytes(send) + sendOff * unit, sendCounts[p], dtype, p, comm_, nullptr);
      if (first == zcclSuccess) first = zcclRecv(bytes(recv) + recvOff * unit, recvCounts[p], dtype, p, comm_, nullptr);
    }
    sendOff += sendCounts[p];
    recvOff += recvCounts[p];
  }
  const zcclResult_t ended = zcclGroupEnd();
  check(first != zcclSuccess ? first : ended, "all_to_all");
}

c10::intrusive_ptr<Work> ProcessGroupZccl::alltoall_base(at::Tensor& output, at::Tensor& input,
                                                         std::vector<int64_t>& outputSplits,
                                                         std::vector<int64_t>& inputSplits,
                                                         const c10d::AllToAllOptions&) {
  checkHost(input, "all_to_all_single");
  checkSameType(input, output, "all_to_all_single");
  requireNotCoalescing("all_to_all_single");
  const int P = getSize();
  const Elements e = movedElements(input);
  const size_t scale = e.dtype == zcclUint8 && input.scalar_type() != at::kByte ? input.element_size() : 1;
  const at::Tensor src = input.contiguous();
  Staged s(output, false);
  if (outputSplits.empty() && inputSplits.empty()) {
    TORCH_CHECK(input.numel() % P == 0 && output.numel() == input.numel(), "ZipCCL backend: all_to_all_single of ",
                input.numel(), " elements into ", output.numel(), " over ", P, " ranks");
    return enqueue(OpType::ALLTOALL_BASE, {output}, [this, src, s, e, P] {
      check(zcclAlltoAll(src.data_ptr(), s.buf.data_ptr(), e.count / P, e.dtype, comm_, nullptr), "all_to_all_single");
      s.finish();
    });
  }
  // Uneven: splits count rows of dimension 0; an empty list means equal splits.
  auto counts = [&](const at::Tensor& t, const std::vector<int64_t>& splits, const char* which) {
    TORCH_CHECK(t.dim() >= 1, "ZipCCL backend: all_to_all_single with splits needs tensors of 1 or more dimensions");
    const int64_t rows = t.size(0), rowElems = rows == 0 ? 0 : t.numel() / rows;
    std::vector<size_t> c(P);
    int64_t total = 0;
    for (int p = 0; p < P; ++p) {
      const int64_t r = splits.empty() ? rows / P : splits[p];
      TORCH_CHECK(r >= 0, "ZipCCL backend: negative split");
      c[p] = static_cast<size_t>(r * rowElems) * scale;
      total += r;
    }
    TORCH_CHECK((splits.empty() || static_cast<int>(splits.size()) == P) && total == rows, "ZipCCL backend: ", which,
                " splits do not cover the ", rows, " rows of dimension 0 over ", P, " ranks");
    return c;
  };
  const std::vector<size_t> sendCounts = counts(src, inputSplits, "input");
  const std::vector<size_t> recvCounts = counts(output, outputSplits, "output");
  checkOwnBlock(sendCounts, recvCounts, getRank());
  return enqueue(OpType::ALLTOALL_BASE, {output}, [this, src, s, e, sendCounts, recvCounts] {
    exchange(src, sendCounts, s.buf, recvCounts, e.dtype);
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::alltoall(std::vector<at::Tensor>& outputs, std::vector<at::Tensor>& inputs,
                                                    const c10d::AllToAllOptions&) {
  requireNotCoalescing("all_to_all");
  const int P = getSize();
  TORCH_CHECK(static_cast<int>(inputs.size()) == P && static_cast<int>(outputs.size()) == P,
              "ZipCCL backend: all_to_all needs one input and one output tensor per rank");
  std::vector<size_t> sendCounts(P), recvCounts(P);
  Elements e = movedElements(inputs[0]);
  const size_t scale = e.dtype == zcclUint8 && inputs[0].scalar_type() != at::kByte ? inputs[0].element_size() : 1;
  for (int p = 0; p < P; ++p) {
    checkSameType(inputs[0], inputs[p], "all_to_all");
    checkSameType(inputs[0], outputs[p], "all_to_all");
    sendCounts[p] = inputs[p].numel() * scale;
    recvCounts[p] = outputs[p].numel() * scale;
  }
  checkOwnBlock(sendCounts, recvCounts, getRank());
  return enqueue(OpType::ALLTOALL, outputs, [this, inputs, outputs, e, sendCounts, recvCounts] {
    std::vector<at::Tensor> flat;
    for (const at::Tensor& i : inputs) flat.push_back(i.reshape({-1}));
    const at::Tensor src = at::cat(flat);
    int64_t total = 0;
    for (const at::Tensor& o : outputs) total += o.numel();
    at::Tensor dst = at::empty({total}, src.options());
    exchange(src, sendCounts, dst, recvCounts, e.dtype);
    int64_t off = 0;
    for (const at::Tensor& o : outputs) {
      o.copy_(dst.narrow(0, off, o.numel()).view(o.sizes()));
      off += o.numel();
    }
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::pointToPoint(bool isSend, std::vector<at::Tensor>& tensors, int peer,
                                                        const char* call) {
  const at::Tensor& t = singleTensor(tensors, call);
  TORCH_CHECK(peer >= 0 && peer < getSize() && peer != getRank(), "ZipCCL backend: ", call, " peer ", peer, " (rank ",
              getRank(), " of ", getSize(), ")");
  const Elements e = movedElements(t);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (coalescing_) {
      auto work = c10::make_intrusive<ZcclWork>(getRank(), isSend ? OpType::SEND : OpType::RECV, tensors);
      pending_.push_back(PointToPoint{isSend, peer, t, work});
      return work;
    }
  }
  if (isSend) {
    const at::Tensor src = t.contiguous();
    return enqueue(OpType::SEND, tensors, [this, src, e, peer] {
      check(zcclSend(src.data_ptr(), e.count, e.dtype, peer, comm_, nullptr), "send");
    });
  }
  Staged s(t, false);
  return enqueue(OpType::RECV, tensors, [this, s, e, peer] {
    check(zcclRecv(s.buf.data_ptr(), e.count, e.dtype, peer, comm_, nullptr), "recv");
    s.finish();
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::send(std::vector<at::Tensor>& tensors, int dstRank, int) {
  return pointToPoint(true, tensors, dstRank, "send");
}

c10::intrusive_ptr<Work> ProcessGroupZccl::recv(std::vector<at::Tensor>& tensors, int srcRank, int) {
  return pointToPoint(false, tensors, srcRank, "recv");
}

void ProcessGroupZccl::startCoalescing() {
  std::lock_guard<std::mutex> lock(mu_);
  TORCH_CHECK(!coalescing_, "ZipCCL backend: batch_isend_irecv inside batch_isend_irecv");
  coalescing_ = true;
}

void ProcessGroupZccl::endCoalescing(std::vector<c10::intrusive_ptr<Work>>&) {
  std::vector<PointToPoint> ops;
  {
    std::lock_guard<std::mutex> lock(mu_);
    coalescing_ = false;
    ops.swap(pending_);
  }
  if (ops.empty()) return;
  // One job runs the batch as a ZipCCL group, then completes each operation's work.
  enqueue(OpType::UNKNOWN, {}, [this, ops] {
    std::vector<Staged> staged;
    zcclResult_t first = zcclGroupStart();
    for (const PointToPoint& op : ops) {
      staged.emplace_back(op.isSend ? op.tensor.contiguous() : op.tensor, false);  // contiguous: itself
      const Elements e = movedElements(op.tensor);
      void* buf = staged.back().buf.data_ptr();
      if (first != zcclSuccess) continue;
      first = op.isSend ? zcclSend(buf, e.count, e.dtype, op.peer, comm_, nullptr)
                        : zcclRecv(buf, e.count, e.dtype, op.peer, comm_, nullptr);
    }
    const zcclResult_t ended = zcclGroupEnd();
    std::exception_ptr error;
    try {
      check(first != zcclSuccess ? first : ended, "batch_isend_irecv");
      for (size_t i = 0; i < ops.size(); ++i) {
        if (!ops[i].isSend) staged[i].finish();
      }
    } catch (...) {
      error = std::current_exception();
    }
    for (const PointToPoint& op : ops) op.work->complete(error);
    if (error) std::rethrow_exception(error);
  });
}

c10::intrusive_ptr<Work> ProcessGroupZccl::barrier(const c10d::BarrierOptions&) {
  requireNotCoalescing("barrier");
  return enqueue(OpType::BARRIER, {}, [this] {
    uint8_t token = 0;
    check(zcclAllReduce(&token, &token, 1, zcclUint8, zcclSum, comm_, nullptr), "barrier");
  });
}

}  // namespace zccl_torch
