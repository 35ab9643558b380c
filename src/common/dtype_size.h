// Size in bytes of one element of every NCCL datatype, for the API validation, the host
// reductions, the transports, the perf binaries and the tests. The codec's per-dtype table
// (codec/dtype_traits.h) repeats the sizes and checks at compile time that they agree.
#pragma once

#include <cstddef>

#include "common/host_device.h"
#include "zccl/zccl_types.h"

namespace zccl {

// Returns 0 for a value outside zcclDataType_t, so callers can reject it as an invalid argument.
ZCCL_HD constexpr size_t dtypeBytes(int d) {
  switch (d) {
    case zcclInt8:
    case zcclUint8:
    case zcclFloat8e4m3:
    case zcclFloat8e5m2:
      return 1;
    case zcclFloat16:
    case zcclBfloat16:
      return 2;
    case zcclInt32:
    case zcclUint32:
    case zcclFloat32:
      return 4;
    case zcclInt64:
    case zcclUint64:
    case zcclFloat64:
      return 8;
    default:
      return 0;
  }
}

}  // namespace zccl
