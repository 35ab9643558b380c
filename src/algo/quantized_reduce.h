// The opt-in 8-bit all-reduce and reduce-scatter (quantized_reduce.cc; docs/algorithms.md,
// "8-bit reductions"). Lossy: every element is quantized twice whatever the number of ranks, so
// the error does not grow with it. All ranks call with the same arguments (their own buffers).
#pragma once

#include <cstddef>
#include <cstdint>

#include "algo/quant_engine.h"
#include "transport/transport.h"

namespace zccl::algo {

struct QuantizedCall {
  const void* send;
  void* recv;
  size_t count;             // all-reduce: elements of the buffer; reduce-scatter: elements per rank (recvcount)
  zcclDataType_t dtype;     // bf16, fp16 or fp32
  zcclRedOp_t op;           // sum or avg
  bool allReduce;           // else reduce-scatter
  size_t pieceElems;        // elements of a rank's segment handled per round (bounds scratch)
  bool stochastic = false;  // stochastic rounding, seeded (else to nearest even)
  uint64_t seed = 0;        // the call's seed: the same on every rank
};

struct QuantizedTraffic {
  uint64_t rawBytes = 0;                   // what the same messages would have been uncompressed
  uint64_t wireBytes = 0;                  // bytes of the frames sent
  zcclResult_t decodeError = zcclSuccess;  // first frame that failed validation (outputs left unwritten)
};

// Runs the call on transport `t` with engine `e` (buffers in e's memory space).
zcclResult_t quantizedReduce(transport::Transport& t, QuantEngine& e, const QuantizedCall& call,
                             QuantizedTraffic* traffic);

}  // namespace zccl::algo
