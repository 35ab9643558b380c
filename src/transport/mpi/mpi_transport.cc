#include "transport/mpi/mpi_transport.h"

#include <sched.h>

#include <chrono>
#include <climits>
#include <cstring>
#include <vector>

#include "common/check.h"
#include "common/dtype_size.h"
#include "common/host_reduce.h"
#include "common/params.h"
#include "transport/mpi/mpi_datatype.h"

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

zcclResult_t mpiResult(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return zcclSuccess;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  ZCCL_FAIL(zcclSystemError, "MPI: %s failed: %s", what, msg);
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

MpiTransport::MpiTransport(MPI_Comm comm) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized || MPI_Comm_dup(comm, &comm_) != MPI_SUCCESS) {
    comm_ = MPI_COMM_NULL;
    return;
  }
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);  // errors come back as codes, never abort
  spinUs_ = paramInt(Param::kMpiSpinUs);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

MpiTransport::~MpiTransport() {
  for (auto& [id, req] : requests_) {
    MPI_Cancel(&req);
    MPI_Request_free(&req);
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

zcclResult_t MpiTransport::isend(int peer, int tag, const void* data, size_t bytes, Request* req) {
  ZCCL_REQUIRE(bytes <= INT_MAX, zcclInternalError, "MPI transport: message of %zu bytes", bytes);
  MPI_Request r;
  ZCCL_CHECK(mpiResult(MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, peer, tag, comm_, &r), "MPI_Isend"));
  req->id = nextId_++;
  requests_[req->id] = r;
  return zcclSuccess;
}

zcclResult_t MpiTransport::irecv(int peer, int tag, void* data, size_t capacity, Request* req) {
  ZCCL_REQUIRE(capacity <= INT_MAX, zcclInternalError, "MPI transport: receive of %zu bytes", capacity);
  MPI_Request r;
  ZCCL_CHECK(mpiResult(MPI_Irecv(data, static_cast<int>(capacity), MPI_BYTE, peer, tag, comm_, &r), "MPI_Irecv"));
  req->id = nextId_++;
  requests_[req->id] = r;
  return zcclSuccess;
}

int MpiTransport::politeWait(MPI_Request* request, MPI_Status* status) const {
  if (spinUs_ < 0) return MPI_Wait(request, status);
  const auto start = std::chrono::steady_clock::now();
  const auto spin = std::chrono::microseconds(spinUs_);
  for (;;) {
    int done = 0;
    const int rc = MPI_Test(request, &done, status);
    if (rc != MPI_SUCCESS || done) return rc;
    if (std::chrono::steady_clock::now() - start >= spin) sched_yield();
  }
}

zcclResult_t MpiTransport::wait(Request* req, size_t* bytes) {
  if (bytes != nullptr) *bytes = 0;
  if (!req->active()) return zcclSuccess;
  auto it = requests_.find(req->id);
  ZCCL_REQUIRE(it != requests_.end(), zcclInternalError, "MPI transport: unknown request");
  MPI_Status status;
  const int rc = politeWait(&it->second, &status);
  requests_.erase(it);
  req->id = -1;
  ZCCL_CHECK(mpiResult(rc, "MPI_Wait"));
  if (bytes != nullptr) {
    int n = 0;
    MPI_Get_count(&status, MPI_BYTE, &n);
    *bytes = static_cast<size_t>(n);
  }
  return zcclSuccess;
}

// A probe that matches nothing ZipCCL waits on runs one pass of Open MPI's progress engine (ob1
// matches arrived rendezvous headers and answers them, the TCP BTL reads and writes its sockets)
// and returns; it receives nothing.
void MpiTransport::progress() {
  if (requests_.empty()) return;
  int flag = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, MPI_STATUS_IGNORE);
}

// The ranks MPI says share memory with this one are its node; the key is their first rank here.
zcclResult_t MpiTransport::nodeKey(uint64_t* key) {
  MPI_Comm local = MPI_COMM_NULL;
  if (MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local) != MPI_SUCCESS) {
    return Transport::nodeKey(key);
  }
  int first = rank_;
  const int rc = MPI_Bcast(&first, 1, MPI_INT, 0, local);
  MPI_Comm_free(&local);
  ZCCL_CHECK(mpiResult(rc, "MPI_Bcast"));
  *key = static_cast<uint64_t>(first) + 1;
  return zcclSuccess;
}

zcclResult_t MpiTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                                         size_t nrecv) {
  return mpiResult(MPI_Sendrecv(send, static_cast<int>(nsend), MPI_UINT64_T, sendPeer < 0 ? MPI_PROC_NULL : sendPeer,
                                kTagSizes, recv, static_cast<int>(nrecv), MPI_UINT64_T,
                                recvPeer < 0 ? MPI_PROC_NULL : recvPeer, kTagSizes, comm_, MPI_STATUS_IGNORE),
                   "MPI_Sendrecv");
}

// Every op: MPI has all five (zcclAvg through a sum and a division).
bool MpiTransport::plainSupports(Coll coll, zcclDataType_t dtype, zcclRedOp_t, size_t count) const {
  const size_t bytes = count * dtypeBytes(dtype);
  const bool reduction = coll == Coll::kAllReduce || coll == Coll::kReduce || coll == Coll::kReduceScatter;
  if (reduction) return mpiNativeType(dtype) != MPI_DATATYPE_NULL && count <= INT_MAX;
  // Byte-moving collectives: counts in bytes, per rank block for all-gather and all-to-all.
  return bytes <= INT_MAX && bytes * static_cast<size_t>(size_) <= (size_t{1} << 62);
}

zcclResult_t MpiTransport::plainAllReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                          zcclRedOp_t op) {
  ZCCL_CHECK(mpiResult(
      MPI_Allreduce(inPlace(send, recv), recv, static_cast<int>(count), mpiNativeType(dtype), nativeOp(op), comm_),
      "MPI_Allreduce"));
  if (op == zcclAvg) divideForAvg(recv, count, dtype, size_);
  return zcclSuccess;
}

zcclResult_t MpiTransport::plainBroadcast(const void* send, void* recv, size_t count, zcclDataType_t dtype, int root) {
  const size_t bytes = count * dtypeBytes(dtype);
  if (rank_ == root && send != recv) std::memcpy(recv, send, bytes);
  return mpiResult(MPI_Bcast(recv, static_cast<int>(bytes), MPI_BYTE, root, comm_), "MPI_Bcast");
}

zcclResult_t MpiTransport::plainReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                                       int root) {
  const void* s = rank_ == root ? inPlace(send, recv) : send;
  ZCCL_CHECK(mpiResult(MPI_Reduce(s, recv, static_cast<int>(count), mpiNativeType(dtype), nativeOp(op), root, comm_),
                       "MPI_Reduce"));
  if (op == zcclAvg && rank_ == root) divideForAvg(recv, count, dtype, size_);
  return zcclSuccess;
}

zcclResult_t MpiTransport::plainAllGather(const void* send, void* recv, size_t count, zcclDataType_t dtype) {
  const int bytes = static_cast<int>(count * dtypeBytes(dtype));
  const void* s = send == static_cast<const uint8_t*>(recv) + static_cast<size_t>(rank_) * bytes ? MPI_IN_PLACE : send;
  return mpiResult(MPI_Allgather(s, bytes, MPI_BYTE, recv, bytes, MPI_BYTE, comm_), "MPI_Allgather");
}

zcclResult_t MpiTransport::plainReduceScatter(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                              zcclRedOp_t op) {
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
  const int bytes = static_cast<int>(count * dtypeBytes(dtype));
  return mpiResult(MPI_Alltoall(send, bytes, MPI_BYTE, recv, bytes, MPI_BYTE, comm_), "MPI_Alltoall");
}

}  // namespace zccl::transport
