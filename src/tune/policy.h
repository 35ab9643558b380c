// Which path a call takes, until the adaptive selector exists (a pure function: no MPI, no GPU).
//
//   types ZipCCL does not code (all but bf16, fp16, fp32): the transport's own collective when it
//     has one for the type, op and count, else ZipCCL's algorithm uncompressed;
//   compression off: ZipCCL's algorithm, frames not compressed;
//   compression on: ZipCCL's algorithm, compressed;
//   compression auto: compressed if the message is at least minCompressBytes, else the plain path.
// On and off run the same algorithm on the same messages, which is what makes a compressed
// collective return exactly the bytes of an uncompressed one.
#pragma once

#include <cstddef>

#include "api/comm.h"
#include "transport/transport.h"

namespace zccl::tune {

struct Decision {
  bool plain;     // the transport's own collective
  bool compress;  // otherwise: ZipCCL's algorithm with compression on or off
};

// messageBytes: the bytes one rank contributes (count * element size; per block for all-gather,
// reduce-scatter and all-to-all).
Decision decide(const api::ResolvedConfig& config, bool plainAvailable, zcclDataType_t dtype, size_t messageBytes);

}  // namespace zccl::tune
