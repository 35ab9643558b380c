// Whether a reduction takes the opt-in 8-bit path (src/algo/quantized_reduce.cc) or stays
// lossless. A pure function, like the rest of src/tune.
//
//   supported: all-reduce or reduce-scatter, sum or avg, bf16 / fp16 / fp32 (host and GPU
//     communicators alike);
//   an explicit request (zcclAllReduceQuantized, zcclReduceScatterQuantized) runs 8-bit when
//     supported and is refused otherwise (the caller asked for something that cannot happen);
//   a communicator with reducePrecision = 8bit runs every supported call of at least
//     reducePrecisionMinBytes (one rank's contribution) 8-bit; every other call stays lossless.
#pragma once

#include <cstddef>

#include "tune/settings.h"

namespace zccl::tune {

struct PrecisionDecision {
  bool quantized;   // run the 8-bit algorithm
  bool supported;   // the call could be quantized at all
  const char* why;  // when !supported: the reason (for an explicit request's error)
};

PrecisionDecision decidePrecision(const Settings& config, bool allReduceOrReduceScatter, zcclDataType_t dtype,
                                  zcclRedOp_t op, size_t messageBytes, bool explicitRequest);

}  // namespace zccl::tune
