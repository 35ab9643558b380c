// NCCL on device memory: point-to-point as grouped ncclSend / ncclRecv on the caller's stream,
// and NCCL's own collectives for the plain path (NCCL has every dtype and op).
//
// NCCL needs a message's exact size when the receive is posted, and a send and its matching
// receive in one group: posted sends and receives are queued and issued together in one
// ncclGroupStart / ncclGroupEnd at the first wait, so an algorithm's step (all its sends and
// receives posted, then waited) becomes one NCCL group; "waiting" then only orders the stream,
// which the engine's kernels share. Frame sizes travel ahead of the frames (exchangeSizes): a
// small device copy each way and one stream synchronisation, the price of compressed messages
// on NCCL.
//
// A nonblocking NCCL communicator (config.blocking = 0) may answer ncclInProgress where NCCL
// finishes launching in the background: every such answer is waited out (ncclCommGetAsyncError
// polled until it leaves ncclInProgress) before the transport goes on, since its callers wait
// for their operations anyway.
#pragma once

#include <cuda_runtime.h>
#include <nccl.h>

#include <vector>

#include "common/stream_bound.h"
#include "transport/transport.h"

namespace zccl::transport {

class NcclTransport final : public Transport, public StreamBound {
 public:
  // ownsComm: destroyed with the transport (zcclCommInitRank's own); false for a communicator
  // the caller keeps (zcclCommInitFromNccl). abort() aborts it either way.
  NcclTransport(ncclComm_t comm, int rank, int size, bool ownsComm = true)
      : comm_(comm), rank_(rank), size_(size), ownsComm_(ownsComm) {}
  ~NcclTransport() override;

  void setStream(cudaStream_t stream) override { stream_ = stream; }
  bool streamCapturing() const override {
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    return cudaStreamIsCapturing(stream_, &status) == cudaSuccess && status != cudaStreamCaptureStatusNone;
  }
  void abort() override;  // ncclCommAbort now, before the engine frees memory the operations use
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool exactReceiveSizes() const override { return true; }

  zcclResult_t isend(int peer, int tag, const void* data, size_t bytes, Request* req) override;
  zcclResult_t irecv(int peer, int tag, void* data, size_t capacity, Request* req) override;
  zcclResult_t wait(Request* req, size_t* bytes) override;
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
  struct Posted {
    bool send;
    int peer;
    void* data;
    size_t bytes;
  };
  zcclResult_t flush();
  zcclResult_t checkAsyncError();
  // `r` of the NCCL call `what` as ZipCCL's result, ncclInProgress waited out first.
  zcclResult_t settled(ncclResult_t r, const char* what);

  ncclComm_t comm_;
  int rank_, size_;
  bool ownsComm_;
  cudaStream_t stream_ = nullptr;
  std::vector<Posted> pending_;
  std::vector<size_t> sizes_;  // by request id, until every request is waited on
  size_t outstanding_ = 0;
  uint64_t* deviceSizes_ = nullptr;
  size_t deviceSizesCap_ = 0;
};

}  // namespace zccl::transport
