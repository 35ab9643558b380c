// The communicator behind zcclComm_t: its transport, its engine (memory space + codec) and its
// resolved configuration, plus the registry of live communicators that lets every API call refuse
// a destroyed or invalid handle without dereferencing it.
#pragma once

#include <atomic>
#include <memory>

#include "algo/engine.h"
#include "transport/transport.h"
#include "zccl/zccl.h"

namespace zccl::api {

// zcclConfig_t with every field decided (config field, else ZCCL_* variable, else default).
struct ResolvedConfig {
  int compression;    // ZCCL_COMPRESSION_*
  int codecMode;      // zcclCodecMode_t
  size_t chunkBytes;  // > 0
  size_t minCompressBytes;
  int algorithm;  // ZCCL_ALGO_*
  int checksum;   // 0 or 1
};

zcclResult_t resolveConfig(const zcclConfig_t* config, ResolvedConfig* out);

// Whether a device-memory communicator's work goes to a stream (set per call).
class StreamBound {
 public:
  virtual ~StreamBound() = default;
  virtual void setStream(cudaStream_t stream) = 0;
};

}  // namespace zccl::api

struct zcclComm {
  std::unique_ptr<zccl::transport::Transport> transport;
  std::unique_ptr<zccl::algo::Engine> engine;
  zccl::api::ResolvedConfig config;
  zccl::api::StreamBound* streamBound = nullptr;  // device communicators: transport and engine
  zccl::api::StreamBound* engineStream = nullptr;
  zcclCommStats_t stats{};  // codecSeconds is read from the engine
  // Reliability (docs/algorithms.md, "Error semantics"): collectives issued so far (the call
  // sequence number in every message's envelope) and the API calls running on it now (an abort
  // frees it only once they have returned).
  uint64_t callSeq = 0;
  std::atomic<int> inFlight{0};
};

namespace zccl::api {

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
