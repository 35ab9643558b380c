// Open MPI on host memory: point-to-point as MPI_Isend / MPI_Irecv of bytes on a communicator
// duplicated from the user's (ZipCCL's traffic never matches the application's messages), and
// MPI's own collectives for the plain path where MPI has the type (no fp16, bf16 or fp8
// reductions) and the count fits an int. Every MPI call is made from the calling thread
// (MPI_THREAD_SINGLE suffices). Waits poll MPI_Test for ZCCL_MPI_SPIN_US, then yield the core
// between polls, so a rank waiting on a slow link leaves it to the codec (docs/env.md).
#pragma once

#include <mpi.h>

#include <map>

#include "transport/transport.h"

namespace zccl::transport {

class MpiTransport final : public Transport {
 public:
  // Duplicates `comm` (collective over it). Check ok() afterwards.
  explicit MpiTransport(MPI_Comm comm);
  ~MpiTransport() override;
  bool ok() const { return comm_ != MPI_COMM_NULL; }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool exactReceiveSizes() const override { return false; }

  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override;
  void progress() override;
  zcclResult_t nodeKey(uint64_t* key) override;
  zcclResult_t exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer, uint64_t* recv,
                             size_t nrecv) override;

  bool plainSupports(Coll coll, zcclDataType_t dtype, zcclRedOp_t op, size_t count) const override;
  zcclResult_t plainAllReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                              zcclRedOp_t op) override;
  zcclResult_t plainBroadcast(const void* send, void* recv, size_t count, zcclDataType_t dtype, int root) override;
  zcclResult_t plainReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                           int root) override;
  zcclResult_t plainAllGather(const void* send, void* recv, size_t count, zcclDataType_t dtype) override;
  zcclResult_t plainReduceScatter(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                  zcclRedOp_t op) override;
  zcclResult_t plainAlltoAll(const void* send, void* recv, size_t count, zcclDataType_t dtype) override;

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 0;
  int64_t nextId_ = 0;
  int64_t spinUs_ = 50;  // ZCCL_MPI_SPIN_US, read at construction
  std::map<int64_t, MPI_Request> requests_;

  int politeWait(MPI_Request* request, MPI_Status* status) const;
};

}  // namespace zccl::transport
