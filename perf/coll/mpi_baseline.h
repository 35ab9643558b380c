// -B: Open MPI's own collective (MPI_Allreduce, MPI_Allgather, MPI_Reduce_scatter_block,
// MPI_Alltoall, MPI_Bcast, MPI_Reduce, MPI_Sendrecv) timed on the same host buffers, as the
// outside baseline. MPI has no bf16, fp16 or fp8 types: those travel as opaque 1- or 2-byte types
// reduced by user-defined operations that widen to fp32, apply the op and round back (what a user
// of plain Open MPI writes). MPI has no average either: sum, then a local division. Results are not
// compared with ZipCCL's (MPI's reduction order is its own); only the time is reported.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <string>

#include "coll_desc.h"

namespace zccl::perf {

class MpiBaseline {
 public:
  MpiBaseline() = default;
  MpiBaseline(const MpiBaseline&) = delete;
  MpiBaseline& operator=(const MpiBaseline&) = delete;
  ~MpiBaseline();

  // Sets up the MPI datatype and op for dtype and op, and caches this rank's place in
  // MPI_COMM_WORLD. False with *error if MPI cannot run it. Call it before run().
  bool prepare(zcclDataType_t dtype, zcclRedOp_t op, std::string* error);
  // Runs the collective once on the buffers of one size (counts c, pointers as for runZccl).
  // Returns an MPI error code.
  int run(const CollDesc& desc, const CollCounts& c, const void* send, void* recv, bool inPlace, int root);

 private:
  void release();
  zcclDataType_t dtype_ = zcclFloat32;
  zcclRedOp_t zop_ = zcclSum;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  MPI_Op op_ = MPI_OP_NULL;
  bool ownType_ = false, ownOp_ = false;
  int rank_ = 0, size_ = 1;  // in MPI_COMM_WORLD
  size_t elemBytes_ = 1;     // of dtype_ (= MPI_Type_size of type_)
};

}  // namespace zccl::perf
