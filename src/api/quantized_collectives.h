// The opt-in 8-bit reductions at the API: which calls take them (src/tune/reduce_precision.h)
// and how they run (src/algo/quantized_reduce.cc). collectives.cc branches here first thing in
// its dispatch; the C entry points zcclAllReduceQuantized / zcclReduceScatterQuantized live in
// quantized_collectives.cc too.
#pragma once

#include "api/collectives.h"

namespace zccl::api {

// True if the validated call `a` (count > 0) runs the 8-bit algorithm.
bool takesQuantizedPath(const zcclComm* comm, const CallArgs& a);
// Runs it; zcclCorruptFrame (outputs it could not compute left unwritten) if a frame was bad.
zcclResult_t runQuantized(zcclComm* comm, const CallArgs& a);

}  // namespace zccl::api
