// The selector: the plan of one call, from the call's arguments, the communicator's settings and
// the fabric figures all its ranks agreed on. A pure function, so every rank takes the same
// decision for the same call (tests/tune/selector_test.cc checks it with skewed local figures).
//
//   0. A call under CUDA graph capture takes the transport's own collective where it has one,
//      whatever the settings (ZipCCL's algorithms need the host between kernels); else it goes on
//      and fails cleanly.
//   0. The site's rules file (src/tune/rules.h) may fix the compression, algorithm and chunk of
//      the calls it matches, where the config and the variables leave them to the model.
//   1. Types the codec does not code go to the transport's own collective where it has one
//      (whatever algorithm is forced: the device engine reduces only the coded float types), else
//      to ZipCCL's algorithm uncompressed.
//   2. ZCCL_COMPRESSION off / on (per collective): ZipCCL's algorithm (the forced one, else
//      direct, ring, chain or pairwise by collective) with raw / compressed frames: the two modes
//      differ only in the frames, which is what makes compressed and uncompressed runs
//      bit-identical; chunk ZCCL_CHUNK_BYTES or 1 MiB.
//   3. auto: every candidate (the transport's own collective where available, each ZipCCL
//      algorithm that runs the collective, raw and, from minCompressBytes on, compressed; chunks
//      of 1 MiB and 4 MiB unless forced) is priced by the cost model
//      (src/tune/cost_model.h); compression is taken only if it beats the best uncompressed
//      candidate by kCompressMargin, and the transport's own collective is preferred to
//      ZipCCL's uncompressed ones unless those are faster by kPlainMargin (its implementation
//      is tuned where the model is coarse).
// A forced algorithm that cannot run the call (plain without a transport collective for it,
// hierarchical without uniform nodes) falls back to the model; the caller warns once.
#pragma once

#include <cstddef>
#include <string>

#include "algo/plan.h"
#include "tune/fabric.h"
#include "tune/settings.h"

namespace zccl::tune {

constexpr double kCompressMargin = 0.05;
constexpr double kPlainMargin = 0.10;

struct Query {
  algo::Collective coll;
  int dtype;               // zcclDataType_t
  size_t messageBytes;     // count * element size (one block for all-gather, reduce-scatter, all-to-all)
  bool plainAvailable;     // the transport has its own collective for this dtype, op and count
  bool capturing = false;  // the call is being captured into a CUDA graph: plain where available
};

struct Choice {
  algo::Plan plan;
  double seconds = -1;          // predicted time of the plan
  double bestRaw = -1;          // of the best uncompressed candidate (the plan itself if it is one)
  double bestCoded = -1;        // of the best compressed candidate, -1 if none was priced
  bool forcedFellBack = false;  // a forced algorithm could not run this call
};

Choice select(const Query& q, const Settings& s, const Fabric& f);

// "plain", "ring/on/1M" and friends, for logs, statistics and zccl-plan.
std::string describe(const algo::Plan& plan);
// A predicted time in milliseconds ("%.3g"), or "-" for none (negative).
std::string milliseconds(double seconds);

}  // namespace zccl::tune
