// Size in bytes of one element of every NCCL datatype. One table shared by the API validation, the host
// reductions, the MPI transport and the tests, so a new dtype is added in exactly one place.
#pragma once

#include <cstddef>

#include "zccl/zccl_types.h"

namespace zccl {

// Returns 0 for a value outside zcclDataType_t, so callers can reject it as an invalid argument.
constexpr size_t dtypeBytes(zcclDataType_t d) {
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
