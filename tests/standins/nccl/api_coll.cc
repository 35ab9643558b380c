// TEST STAND-IN (never installed or shipped): the collectives, send/recv and PreMulSum ops of the
// host stand-in NCCL. Arguments are checked as NCCL's ArgsCheck does (NULL or destroyed comm, type,
// op, root, peer, missing buffers; count 0 is a valid no-op), and more strictly in one respect: a
// buffer must be device-accessible memory of the communicator's device (cudaMalloc, pinned host or
// managed), checked at both ends, because a GPU would fault on pageable memory where real NCCL
// checks only with NCCL_CHECK_POINTERS=1. Each accepted call becomes work on `stream` (group.h).
#include <cuda_runtime_api.h>

#include <cstring>

#include "comm_state.h"
#include "group.h"

namespace nccl_standin {
ncclResult_t checkComm(ncclComm* comm, const char* fn);  // api_comm.cc
}

using namespace nccl_standin;

namespace {

ncclResult_t refuse(ncclResult_t r, const std::string& why) {
  setLastError("NCCL stand-in: " + why);
  return groupError(r);
}

bool deviceAccessible(const void* p, int device) {
  cudaPointerAttributes a;
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) return false;
  if (a.type == cudaMemoryTypeUnregistered) return false;
  return a.type != cudaMemoryTypeDevice || a.device == device;
}

ncclResult_t checkBuffer(const char* fn, const char* which, const void* p, size_t bytes, int device) {
  if (bytes == 0) return ncclSuccess;
  if (p == nullptr) return refuse(ncclInvalidArgument, std::string(fn) + ": " + which + " is NULL");
  if (!deviceAccessible(p, device) || !deviceAccessible(static_cast<const uint8_t*>(p) + bytes - 1, device)) {
    return refuse(ncclInvalidArgument, std::string(fn) + ": " + which + " is not device memory of CUDA device " +
                                           std::to_string(device) + " over its whole extent");
  }
  return ncclSuccess;
}

// Validates and enqueues. sendBytes/recvBytes: what this rank reads and writes (0: not used here).
ncclResult_t post(const char* fn, ncclComm* comm, Op op, ncclRedOp_t redop, bool reduction, size_t sendBytes,
                  size_t recvBytes, cudaStream_t stream) {
  if (const ncclResult_t r = checkComm(comm, fn); r != ncclSuccess) return r;
  CommState& s = *comm->state;
  const size_t eb = typeBytes(op.type_);
  if (eb == 0) return refuse(ncclInvalidArgument, std::string(fn) + ": invalid type " + std::to_string(op.type_));
  const bool p2p = op.type == OpType::kSend || op.type == OpType::kRecv;
  if (op.root < 0 || op.root >= s.nranks) {
    return refuse(ncclInvalidArgument,
                  std::string(fn) + (p2p ? ": invalid peer " : ": invalid root ") + std::to_string(op.root));
  }
  if (reduction) {
    if (redop >= 0 && redop < ncclNumOps) {
      op.red = builtinReduction(redop, op.type_, s.nranks);
    } else {
      std::lock_guard<std::mutex> l(comm->opsMu);
      auto it = comm->premulSums.find(redop);
      if (it == comm->premulSums.end())
        return refuse(ncclInvalidArgument, std::string(fn) + ": invalid op " + std::to_string(redop));
      if (it->second.type_ != op.type_)
        return refuse(ncclInvalidArgument, std::string(fn) + ": PreMulSum op created for another datatype");
      op.red = it->second.red;
      op.deviceScalar = it->second.deviceScalar;
    }
  }
  if (op.count == 0) return ncclSuccess;
  if (const ncclResult_t r = checkBuffer(fn, "sendbuff", op.send, sendBytes * eb, s.device); r != ncclSuccess) return r;
  if (const ncclResult_t r = checkBuffer(fn, "recvbuff", op.recv, recvBytes * eb, s.device); r != ncclSuccess) return r;
  return groupError(submit(comm, op, stream));
}

Op makeOp(OpType t, const void* send, void* recv, size_t count, ncclDataType_t type, int root) {
  Op op;
  op.type = t;
  op.send = send;
  op.recv = recv;
  op.count = count;
  op.type_ = type;
  op.root = root;
  return op;
}

int ranksOf(ncclComm* comm) { return comm != nullptr && comm->state != nullptr ? comm->state->nranks : 1; }
int rankOf(ncclComm* comm) { return comm != nullptr && comm->state != nullptr ? comm->state->rank : 0; }

}  // namespace

extern "C" {

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                           ncclComm_t comm, cudaStream_t stream) {
  return post("ncclAllReduce", comm, makeOp(OpType::kAllReduce, sendbuff, recvbuff, count, datatype, 0), op, true,
              count, count, stream);
}

ncclResult_t ncclReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op,
                        int root, ncclComm_t comm, cudaStream_t stream) {
  const bool isRoot = rankOf(comm) == root;
  return post("ncclReduce", comm, makeOp(OpType::kReduce, sendbuff, recvbuff, count, datatype, root), op, true, count,
              isRoot ? count : 0, stream);
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                           ncclComm_t comm, cudaStream_t stream) {
  const bool isRoot = rankOf(comm) == root;
  return post("ncclBroadcast", comm, makeOp(OpType::kBroadcast, sendbuff, recvbuff, count, datatype, root), ncclSum,
              false, isRoot ? count : 0, count, stream);
}

ncclResult_t ncclBcast(void* buff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm,
                       cudaStream_t stream) {
  return ncclBroadcast(buff, buff, count, datatype, root, comm, stream);
}

ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype,
                           ncclComm_t comm, cudaStream_t stream) {
  return post("ncclAllGather", comm, makeOp(OpType::kAllGather, sendbuff, recvbuff, sendcount, datatype, 0), ncclSum,
              false, sendcount, sendcount * ranksOf(comm), stream);
}

ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, ncclDataType_t datatype,
                               ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream) {
  return post("ncclReduceScatter", comm, makeOp(OpType::kReduceScatter, sendbuff, recvbuff, recvcount, datatype, 0), op,
              true, recvcount * ranksOf(comm), recvcount, stream);
}

ncclResult_t ncclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclComm_t comm,
                          cudaStream_t stream) {
  const size_t all = count * ranksOf(comm);
  return post("ncclAlltoAll", comm, makeOp(OpType::kAlltoAll, sendbuff, recvbuff, count, datatype, 0), ncclSum, false,
              all, all, stream);
}

ncclResult_t ncclGather(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                        ncclComm_t comm, cudaStream_t stream) {
  const bool isRoot = rankOf(comm) == root;
  return post("ncclGather", comm, makeOp(OpType::kGather, sendbuff, recvbuff, count, datatype, root), ncclSum, false,
              count, isRoot ? count * ranksOf(comm) : 0, stream);
}

ncclResult_t ncclScatter(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
                         ncclComm_t comm, cudaStream_t stream) {
  const bool isRoot = rankOf(comm) == root;
  return post("ncclScatter", comm, makeOp(OpType::kScatter, sendbuff, recvbuff, count, datatype, root), ncclSum, false,
              isRoot ? count * ranksOf(comm) : 0, count, stream);
}

ncclResult_t ncclSend(const void* sendbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
                      cudaStream_t stream) {
  return post("ncclSend", comm, makeOp(OpType::kSend, sendbuff, nullptr, count, datatype, peer), ncclSum, false, count,
              0, stream);
}

ncclResult_t ncclRecv(void* recvbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
                      cudaStream_t stream) {
  return post("ncclRecv", comm, makeOp(OpType::kRecv, nullptr, recvbuff, count, datatype, peer), ncclSum, false, 0,
              count, stream);
}

// A PreMulSum belongs to one communicator; a host scalar is read now, a device scalar when each
// operation using it runs (NCCL's ncclScalarHostImmediate / ncclScalarDevice).
ncclResult_t ncclRedOpCreatePreMulSum(ncclRedOp_t* op, void* scalar, ncclDataType_t datatype,
                                      ncclScalarResidence_t residence, ncclComm_t comm) {
  if (const ncclResult_t r = checkComm(comm, "ncclRedOpCreatePreMulSum"); r != ncclSuccess) return r;
  const size_t eb = typeBytes(datatype);
  if (op == nullptr || scalar == nullptr || eb == 0)
    return refuse(ncclInvalidArgument, "ncclRedOpCreatePreMulSum: NULL argument or invalid type");
  if (residence != ncclScalarDevice && residence != ncclScalarHostImmediate)
    return refuse(ncclInvalidArgument, "ncclRedOpCreatePreMulSum: invalid scalar residence");
  Op o;
  o.type_ = datatype;
  o.red.kind = Kind::kPreMulSum;
  o.red.type = datatype;
  if (residence == ncclScalarHostImmediate) {
    std::memcpy(o.red.scalar, scalar, eb);
  } else {
    o.deviceScalar = scalar;
  }
  std::lock_guard<std::mutex> l(comm->opsMu);
  const int id = comm->nextOp++;
  comm->premulSums[id] = o;
  *op = static_cast<ncclRedOp_t>(id);
  return ncclSuccess;
}

// Work already enqueued keeps its copy of the op.
ncclResult_t ncclRedOpDestroy(ncclRedOp_t op, ncclComm_t comm) {
  if (const ncclResult_t r = checkComm(comm, "ncclRedOpDestroy"); r != ncclSuccess) return r;
  std::lock_guard<std::mutex> l(comm->opsMu);
  if (comm->premulSums.erase(op) == 0)
    return refuse(ncclInvalidArgument,
                  "ncclRedOpDestroy: op " + std::to_string(op) + " is not a PreMulSum of this comm");
  return ncclSuccess;
}

}  // extern "C"
