// The communicator behind zcclComm_t: its transport, its engine (memory space + codec) and its
// resolved configuration, plus the registry of live communicators that lets every API call refuse
// a destroyed or invalid handle without dereferencing it.
#pragma once

#include <memory>

#include "algo/engine.h"
#include "algo/quant_engine.h"
#include "transport/transport.h"
#include "zccl/zccl.h"

namespace zccl::api {

// zcclConfig_t with every field decided (config field, else ZCCL_* variable, else default).
struct ResolvedConfig {
  int compression;    // ZCCL_COMPRESSION_*
  int codecMode;      // zcclCodecMode_t
  size_t chunkBytes;  // > 0
  size_t minCompressBytes;
  int algorithm;                   // ZCCL_ALGO_*
  int checksum;                    // 0 or 1
  int reducePrecision;             // ZCCL_REDUCE_PRECISION_*
  size_t reducePrecisionMinBytes;  // smallest contribution reduced in 8 bits under _8BIT
  bool reduceStochastic;           // 8-bit codes rounded stochastically (ZCCL_REDUCE_ROUNDING)
  uint64_t reduceSeed;             // ZCCL_REDUCE_SEED
};

zcclResult_t resolveConfig(const zcclConfig_t* config, ResolvedConfig* out);
// The 8-bit reduction fields of resolveConfig (quantized_collectives.cc); logs once at INFO when on.
zcclResult_t resolveReducePrecision(const zcclConfig_t& config, ResolvedConfig* out);

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
  zcclCommStats_t stats{};                               // codecSeconds is read from the engine
  std::unique_ptr<zccl::algo::QuantEngine> quantEngine;  // 8-bit reductions, made at first use
  uint64_t quantizedCalls = 0;                           // 8-bit calls so far (stochastic seeds)
};

namespace zccl::api {

// Registers a new communicator (takes ownership) and returns its handle.
zcclComm_t registerComm(std::unique_ptr<zcclComm> comm);
// The communicator of a live handle, or nullptr.
zcclComm* liveComm(const zcclComm* handle);
// Unregisters and frees; false if the handle was not live.
bool destroyComm(zcclComm_t handle);

}  // namespace zccl::api
