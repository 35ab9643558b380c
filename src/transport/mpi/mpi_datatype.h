// The MPI datatype of a ZipCCL dtype, where MPI has one: shared by the MPI transport (its plain
// path) and the perf binaries' Open MPI baseline. fp16, bf16 and fp8 have none.
#pragma once

#include <mpi.h>

#include "zccl/zccl_types.h"

namespace zccl::transport {

// MPI's type for reductions and typed transfers of `d`, or MPI_DATATYPE_NULL.
inline MPI_Datatype mpiNativeType(zcclDataType_t d) {
  switch (d) {
    case zcclInt8:
      return MPI_INT8_T;
    case zcclUint8:
      return MPI_UINT8_T;
    case zcclInt32:
      return MPI_INT32_T;
    case zcclUint32:
      return MPI_UINT32_T;
    case zcclInt64:
      return MPI_INT64_T;
    case zcclUint64:
      return MPI_UINT64_T;
    case zcclFloat32:
      return MPI_FLOAT;
    case zcclFloat64:
      return MPI_DOUBLE;
    default:
      return MPI_DATATYPE_NULL;
  }
}

}  // namespace zccl::transport
