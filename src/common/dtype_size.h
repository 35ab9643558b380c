// Size in bytes of one element of every NCCL datatype, for the API validation, the host
// reductions, the transports, the perf binaries and the tests.
#pragma once

#include <cstddef>

#include "codec/dtype_traits.h"
#include "zccl/zccl_types.h"

namespace zccl {

// Returns 0 for a value outside zcclDataType_t, so callers can reject it as an invalid argument.
// The sizes are the codec's (codec/dtype_traits.h), the one table of per-dtype facts.
constexpr size_t dtypeBytes(zcclDataType_t d) { return codec::codecTraits(d).elemBytes; }

}  // namespace zccl
