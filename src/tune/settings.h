// A communicator's settings with every field decided, the input of the selector besides the call
// and the fabric. Precedence, highest first: zcclConfig_t fields, ZCCL_* variables (including
// their per-collective entries), the cost model, the defaults. A forced choice that cannot run a
// call warns once and leaves that call to the model.
//
// ZCCL_COMPRESSION and ZCCL_ALGO take one value for every collective or `;`-separated entries in
// NCCL 2.24's style, `allreduce:ring;allgather:plain`; an entry without a collective sets them
// all (ZCCL_ALGO's `direct` and `ring` then mean the reductions, their historical meaning).
// Malformed entries are reported once at WARN level and ignored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "algo/plan.h"
#include "tune/fabric.h"
#include "tune/rules.h"
#include "zccl/zccl.h"

namespace zccl::tune {

constexpr int kAutoAlgorithm = -1;

struct Settings {
  int compressionFor[algo::kCollectives];  // ZCCL_COMPRESSION_* per collective
  int algorithmFor[algo::kCollectives];    // int(algo::Algorithm), or kAutoAlgorithm: the model
  int codecMode;                           // zcclCodecMode_t
  size_t chunkBytes;                       // forced pipeline chunk, or 0: the selector's
  size_t minCompressBytes;                 // never compress a smaller message under auto
  size_t scratchBytes;                     // scratch budget per engine (ZCCL_SCRATCH_BYTES): algo/window.h
  int checksum;                            // 0 or 1
  int probe;                               // ZCCL_PROBE: 0 off, 1 on, 2 auto (host communicators)
  Link interGiven, intraGiven;             // ZCCL_NET_* / ZCCL_INTRA_*: 0 = not given
  std::vector<Rule> rules;                 // ZCCL_TUNER_CONFIG_FILE's, in file order
  // The opt-in 8-bit reductions (src/tune/reduce_precision.h).
  int reducePrecision;             // ZCCL_REDUCE_PRECISION_*
  size_t reducePrecisionMinBytes;  // smallest contribution reduced in 8 bits under _8BIT
  bool reduceStochastic;           // 8-bit codes rounded stochastically (ZCCL_REDUCE_ROUNDING)
  uint64_t reduceSeed;             // ZCCL_REDUCE_SEED
};

// Resolves a communicator's settings from its config (may be nullptr) and the environment.
// Fields set explicitly in the config that are out of range are an error; malformed variables
// warn once and take their default.
zcclResult_t resolveSettings(const zcclConfig_t* config, Settings* out);

// The grammar of ZCCL_ALGO and ZCCL_COMPRESSION, as pure functions (tests call them directly).
// Entries are applied in order on top of `out`; each malformed or impossible entry adds a
// message to *problems and changes nothing.
void applyAlgorithmSpec(const std::string& spec, int out[algo::kCollectives], std::vector<std::string>* problems);
void applyCompressionSpec(const std::string& spec, int out[algo::kCollectives], std::vector<std::string>* problems);

}  // namespace zccl::tune
