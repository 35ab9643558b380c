// The plain path of the Open MPI transport: MPI's own collectives where MPI has the type, op and
// count (mpi_transport.h).
#include <climits>
#include <cstring>
#include <vector>

#include "common/check.h"
#include "common/dtype_size.h"
#include "common/host_reduce.h"
#include "transport/mpi/mpi_datatype.h"
#include "transport/mpi/mpi_transport.h"

namespace zccl::transport {
namespace {

// avg is a sum followed by a division on every rank.
MPI_Op nativeOp(zcclRedOp_t op) {
  switch (op) {
    case zcclProd:
      return MPI_PROD;
    case zcclMax:
      return MPI_MAX;
    case zcclMin:
      return MPI_MIN;
    default:
      return MPI_SUM;
  }
}

// In-place buffer argument as MPI spells it.
const void* inPlace(const void* send, const void* recv) { return send == recv ? MPI_IN_PLACE : send; }

// avg on top of a sum: divide each element by the rank count (truncating for integers).
void divideForAvg(void* data, size_t count, zcclDataType_t dtype, int ranks) {
  ReduceAccumulator acc(dtype, zcclAvg, count);
  acc.add(data);
  acc.finish(ranks, data);
}

}  // namespace

// Every op: MPI has all five (zcclAvg through a sum and a division), but float max and min are
// ZipCCL's own: MPI's MPI_MAX / MPI_MIN drop a NaN or keep it depending on operand order and break
// -0/+0 ties either way, where ZipCCL follows one rule on every path (common/reduce_ops.h).
bool MpiTransport::plainSupports(Coll coll, zcclDataType_t dtype, zcclRedOp_t op, size_t count) const {
  const size_t bytes = count * dtypeBytes(dtype);
  const bool reduction = coll == Coll::kAllReduce || coll == Coll::kReduce || coll == Coll::kReduceScatter;
  const bool floatType = dtype == zcclFloat32 || dtype == zcclFloat64;
  if (reduction && floatType && (op == zcclMax || op == zcclMin)) return false;
  if (reduction) return mpiNativeType(dtype) != MPI_DATATYPE_NULL && count <= INT_MAX;
  // Byte-moving collectives: counts in bytes, per rank block for all-gather and all-to-all.
  return bytes <= INT_MAX && bytes * static_cast<size_t>(size_) <= (size_t{1} << 62);
}

zcclResult_t MpiTransport::plainAllReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                          zcclRedOp_t op) {
  ZCCL_CHECK(usable());
  ZCCL_CHECK(mpiResult(
      MPI_Allreduce(inPlace(send, recv), recv, static_cast<int>(count), mpiNativeType(dtype), nativeOp(op), comm_),
      "MPI_Allreduce"));
  if (op == zcclAvg) divideForAvg(recv, count, dtype, size_);
  return zcclSuccess;
}

zcclResult_t MpiTransport::plainBroadcast(const void* send, void* recv, size_t count, zcclDataType_t dtype, int root) {
  ZCCL_CHECK(usable());
  const size_t bytes = count * dtypeBytes(dtype);
  if (rank_ == root && send != recv) std::memcpy(recv, send, bytes);
  return mpiResult(MPI_Bcast(recv, static_cast<int>(bytes), MPI_BYTE, root, comm_), "MPI_Bcast");
}

zcclResult_t MpiTransport::plainReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                                       int root) {
  ZCCL_CHECK(usable());
  const void* s = rank_ == root ? inPlace(send, recv) : send;
  ZCCL_CHECK(mpiResult(MPI_Reduce(s, recv, static_cast<int>(count), mpiNativeType(dtype), nativeOp(op), root, comm_),
                       "MPI_Reduce"));
  if (op == zcclAvg && rank_ == root) divideForAvg(recv, count, dtype, size_);
  return zcclSuccess;
}

zcclResult_t MpiTransport::plainAllGather(const void* send, void* recv, size_t count, zcclDataType_t dtype) {
  ZCCL_CHECK(usable());
  const int bytes = static_cast<int>(count * dtypeBytes(dtype));
  const void* s = send == static_cast<const uint8_t*>(recv) + static_cast<size_t>(rank_) * bytes ? MPI_IN_PLACE : send;
  return mpiResult(MPI_Allgather(s, bytes, MPI_BYTE, recv, bytes, MPI_BYTE, comm_), "MPI_Allgather");
}

zcclResult_t MpiTransport::plainReduceScatter(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                              zcclRedOp_t op) {
  ZCCL_CHECK(usable());
  const size_t bytes = count * dtypeBytes(dtype);
  // In place (recv == send + rank * count): MPI wants MPI_IN_PLACE with the data in recv's buffer
  // holding all blocks, i.e. send itself; results land in block 0 of it, so copy them over.
  const bool inPlaceCall = static_cast<const uint8_t*>(send) + static_cast<size_t>(rank_) * bytes == recv;
  std::vector<uint8_t> tmp;
  void* out = recv;
  if (inPlaceCall) {
    tmp.resize(bytes);
    out = tmp.data();
  }
  ZCCL_CHECK(
      mpiResult(MPI_Reduce_scatter_block(send, out, static_cast<int>(count), mpiNativeType(dtype), nativeOp(op), comm_),
                "MPI_Reduce_scatter_block"));
  if (inPlaceCall && bytes != 0) std::memcpy(recv, tmp.data(), bytes);
  if (op == zcclAvg) divideForAvg(recv, count, dtype, size_);
  return zcclSuccess;
}

zcclResult_t MpiTransport::plainAlltoAll(const void* send, void* recv, size_t count, zcclDataType_t dtype) {
  ZCCL_CHECK(usable());
  const int bytes = static_cast<int>(count * dtypeBytes(dtype));
  return mpiResult(MPI_Alltoall(send, bytes, MPI_BYTE, recv, bytes, MPI_BYTE, comm_), "MPI_Alltoall");
}

}  // namespace zccl::transport
