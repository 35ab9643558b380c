// TEST STAND-IN, never installed or shipped: the communicator of the host stand-in NCCL and the
// operations it runs (tests/standins/nccl, docs/emulation.md).
//
// Every operation is work on the caller's CUDA stream: a host function enqueued through the CUDA
// runtime (the host stand-in runtime in the emulated build), so NCCL's stream semantics hold (the
// call returns at once, the data is there when the stream reaches the operation, a captured
// operation is replayed by the graph). Operations of one communicator execute one at a time in
// issue order, whatever stream they were issued on, as NCCL orders a communicator's kernels.
#pragma once

#include <nccl.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reduce_ops.h"
#include "shm_world.h"

namespace nccl_standin {

enum class OpType {
  kAllReduce,
  kReduce,
  kBroadcast,
  kAllGather,
  kReduceScatter,
  kAlltoAll,
  kGather,
  kScatter,
  kSend,
  kRecv
};

struct Op {
  OpType type = OpType::kAllReduce;
  const void* send = nullptr;
  void* recv = nullptr;
  size_t count = 0;  // NCCL's meaning: per rank for all-gather, reduce-scatter, all-to-all, gather, scatter
  ncclDataType_t type_ = ncclFloat32;
  Reduction red;
  const void* deviceScalar = nullptr;  // PreMulSum with ncclScalarDevice: read when the op runs
  int root = 0;                        // or the peer of a send / receive
};

struct CommState {
  std::unique_ptr<World> world;
  std::string name;
  int rank = 0, nranks = 1, device = 0;
  double timeoutS = 300;
  int splits = 0;  // sub-communicators made from this one (names them)

  std::atomic<int> asyncError{ncclSuccess};
  std::mutex errorMu;
  std::string errorText;

  // Issue order: tickets are taken when work is enqueued and executed in order.
  std::mutex execMu;
  std::condition_variable execCv;
  uint64_t issued = 0, executed = 0;
  bool busy = false;

  void setAsyncError(ncclResult_t r, const std::string& why);
};

// Runs `ops` as one group on this rank (collectives in order, then every send and receive
// together); `ticket` is the issue position (or -1 for replayed graph work: mutual exclusion
// only). Errors become the communicator's asynchronous error.
void execute(CommState& s, const std::vector<Op>& ops, int64_t ticket);

// Sets the text of ncclGetLastError; also printed to stderr when NCCL_DEBUG is set.
void setLastError(const std::string& text);

}  // namespace nccl_standin

// The handle behind ncclComm_t. Never freed (a destroyed handle stays recognisable as such).
struct ncclComm {
  static constexpr uint32_t kLive = 0x5CC1A11E, kDead = 0xDEADC0DE;
  uint32_t magic = kLive;
  std::shared_ptr<nccl_standin::CommState> state;  // null until initialised
  std::atomic<int> initResult{ncclInProgress};
  bool blocking = true;
  // Nonblocking: NCCL finishes launching a group's work in the background; ncclGroupEnd (or the
  // ungrouped call) returns ncclInProgress and ncclCommGetAsyncError reports it until then. The
  // stand-in's launch is done at once, so the next query sees it done (and clears this).
  std::atomic<bool> launching{false};
  std::mutex opsMu;
  std::map<int, nccl_standin::Op> premulSums;  // PreMulSum ops by id (red and deviceScalar used)
  int nextOp = ncclNumOps;
};
