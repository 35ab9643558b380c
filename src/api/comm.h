// The communicator behind zcclComm_t: its transport, its engine (memory space + codec), its
// settings and the fabric figures its ranks agreed on (what the selector reads), plus the registry of live
// communicators that lets every API call refuse a destroyed or invalid handle without dereferencing it.
#pragma once

#include <atomic>
#include <memory>
#include <set>

#include "algo/engine.h"
#include "algo/quant_engine.h"
#include "common/stream_bound.h"
#include "transport/transport.h"
#include "tune/fabric.h"
#include "tune/settings.h"
#include "zccl/zccl.h"

struct zcclComm {
  std::unique_ptr<zccl::transport::Transport> transport;
  std::unique_ptr<zccl::algo::Engine> engine;
  zccl::tune::Settings settings;
  zccl::tune::Fabric fabric;
  zccl::StreamBound* streamBound = nullptr;  // device communicators: transport and engine
  zccl::StreamBound* engineStream = nullptr;
  zcclCommStats_t stats{};                               // codecSeconds is read from the engine
  std::unique_ptr<zccl::algo::QuantEngine> quantEngine;  // 8-bit reductions, made at first use
  uint64_t quantizedCalls = 0;                           // 8-bit calls so far (stochastic seeds)
  // The communicator's two levels where its nodes hold the same number of ranks (hierarchical
  // plans), else null.
  std::unique_ptr<zccl::transport::Transport> intraLevel, interLevel;
  std::set<uint64_t> loggedBuckets;  // decisions already logged (collective, dtype, size bucket)
  std::set<int> warnedFallbacks;     // collectives whose forced algorithm could not run, warned
  // Reliability (docs/algorithms.md, "Error semantics"): collectives issued so far (the call
  // sequence number in every message's envelope) and the API calls running on it now (an abort
  // frees it only once they have returned).
  uint64_t callSeq = 0;
  std::atomic<int> inFlight{0};
};

namespace zccl::api {

// What a communicator knows of its machine, learnt at creation (collective over its ranks, after
// transport and engine exist): nodes, then the measured and agreed links and codec where
// ZCCL_PROBE says so (auto: where probeByDefault, i.e. host memory over MPI), else the defaults
// of its memory space; ZCCL_NET_* / ZCCL_INTRA_* override. Logs the figures and the decision
// table at INFO (subsystem TUNE) on rank 0.
zcclResult_t initFabric(zcclComm* comm, bool hostMemory, bool probeByDefault);

// Registers a new communicator (takes ownership) and returns its handle. Handles are ids that are
// never reused (not addresses): a destroyed communicator's handle stays invalid for good.
zcclComm_t registerComm(std::unique_ptr<zcclComm> comm);
// The communicator of a live handle, or nullptr.
zcclComm* liveComm(const zcclComm* handle);
// Unregisters and frees; false if the handle was not live.
bool destroyComm(zcclComm_t handle);
// zcclCommAbort: unregisters at once, makes the calls blocked on it return, frees it once they
// have; false if the handle was not live.
bool abortComm(zcclComm_t handle);

// Keeps a live communicator from being freed by an abort while an API call runs on it.
class CommPin {
 public:
  explicit CommPin(const zcclComm* handle);
  ~CommPin();
  CommPin(const CommPin&) = delete;
  CommPin& operator=(const CommPin&) = delete;

 private:
  zcclComm* comm_ = nullptr;
};

}  // namespace zccl::api
