#include "transport/nccl/nccl_transport.h"

#include <thread>

#include "common/check.h"
#include "common/cuda_result.h"

namespace zccl::transport {
namespace {

zcclResult_t ncclResult(ncclResult_t r, const char* what) {
  // ncclResult_t values are zcclResult_t values (zccl_types.h).
  ZCCL_REQUIRE(r == ncclSuccess, static_cast<zcclResult_t>(r), "NCCL: %s failed: %s", what, ncclGetErrorString(r));
  return zcclSuccess;
}

// A grouped send or receive NCCL took: on a nonblocking communicator it may answer ncclInProgress
// (the group's end is then waited out, NcclTransport::settled).
bool enqueued(ncclResult_t r) { return r == ncclSuccess || r == ncclInProgress; }

ncclDataType_t ncclType(zcclDataType_t d) { return static_cast<ncclDataType_t>(d); }
ncclRedOp_t ncclOp(zcclRedOp_t op) { return static_cast<ncclRedOp_t>(op); }

}  // namespace

NcclTransport::~NcclTransport() {
  if (deviceSizes_ != nullptr) cudaFree(deviceSizes_);
  if (comm_ != nullptr && ownsComm_) ncclCommDestroy(comm_);
}

void NcclTransport::abort() {
  ncclCommAbort(comm_);
  comm_ = nullptr;
}

zcclResult_t NcclTransport::isend(int peer, int, const void* data, size_t bytes, Request* req) {
  req->id = static_cast<int64_t>(sizes_.size());
  sizes_.push_back(bytes);
  ++outstanding_;
  pending_.push_back(Posted{true, peer, const_cast<void*>(data), bytes});
  return zcclSuccess;
}

zcclResult_t NcclTransport::irecv(int peer, int, void* data, size_t capacity, Request* req) {
  req->id = static_cast<int64_t>(sizes_.size());
  sizes_.push_back(capacity);  // exactReceiveSizes: the capacity is the size
  ++outstanding_;
  pending_.push_back(Posted{false, peer, data, capacity});
  return zcclSuccess;
}

// NCCL reports a failed or aborted peer asynchronously: checked before posting and after every
// wait on the stream, so a collective fails instead of returning what never arrived.
zcclResult_t NcclTransport::checkAsyncError() {
  // After zcclCommAbort the NCCL communicator is gone (ncclCommAbort frees it): not touched again.
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  ncclResult_t async = ncclSuccess;
  ZCCL_CHECK(ncclResult(ncclCommGetAsyncError(comm_, &async), "ncclCommGetAsyncError"));
  ZCCL_REQUIRE(async == ncclSuccess || async == ncclInProgress, static_cast<zcclResult_t>(async),
               "NCCL: the communicator failed (%s): a peer failed or aborted", ncclGetErrorString(async));
  return zcclSuccess;
}

zcclResult_t NcclTransport::settled(ncclResult_t r, const char* what) {
  while (r == ncclInProgress) {  // a nonblocking communicator, still launching
    ZCCL_REQUIRE(!abortRequested(), zcclInvalidUsage, "NCCL: the communicator was aborted");
    ncclResult_t state = ncclSuccess;
    ZCCL_CHECK(ncclResult(ncclCommGetAsyncError(comm_, &state), "ncclCommGetAsyncError"));
    r = state;
    if (r == ncclInProgress) std::this_thread::yield();
  }
  return ncclResult(r, what);
}

zcclResult_t NcclTransport::flush() {
  if (pending_.empty()) return zcclSuccess;
  ZCCL_CHECK(checkAsyncError());
  ZCCL_CHECK(settled(ncclGroupStart(), "ncclGroupStart"));
  for (const Posted& p : pending_) {
    const ncclResult_t r = p.send ? ncclSend(p.data, p.bytes, ncclUint8, p.peer, comm_, stream_)
                                  : ncclRecv(p.data, p.bytes, ncclUint8, p.peer, comm_, stream_);
    if (!enqueued(r)) {
      ncclGroupEnd();
      pending_.clear();
      return ncclResult(r, p.send ? "ncclSend" : "ncclRecv");
    }
  }
  pending_.clear();
  return settled(ncclGroupEnd(), "ncclGroupEnd");
}

zcclResult_t NcclTransport::wait(Request* req, size_t* bytes) {
  if (bytes != nullptr) *bytes = 0;
  if (!req->active()) return zcclSuccess;
  ZCCL_CHECK(flush());  // completion is stream order: later work on the stream sees the data
  if (bytes != nullptr) *bytes = sizes_[req->id];
  req->id = -1;
  if (--outstanding_ == 0) sizes_.clear();
  return zcclSuccess;
}

zcclResult_t NcclTransport::exchangeSizes(int sendPeer, const uint64_t* send, size_t nsend, int recvPeer,
                                          uint64_t* recv, size_t nrecv) {
  ZCCL_CHECK(flush());
  ZCCL_CHECK(checkAsyncError());
  const size_t need = nsend + nrecv;
  if (deviceSizesCap_ < need) {
    if (deviceSizes_ != nullptr) cudaFree(deviceSizes_);
    ZCCL_CHECK(cudaResult(cudaMalloc(&deviceSizes_, need * sizeof(uint64_t)), "cudaMalloc"));
    deviceSizesCap_ = need;
  }
  if (sendPeer >= 0 && nsend != 0) {
    ZCCL_CHECK(cudaResult(cudaMemcpyAsync(deviceSizes_, send, nsend * 8, cudaMemcpyHostToDevice, stream_), "copy"));
  }
  ZCCL_CHECK(settled(ncclGroupStart(), "ncclGroupStart"));
  ncclResult_t posted = ncclSuccess;
  if (sendPeer >= 0) posted = ncclSend(deviceSizes_, nsend, ncclUint64, sendPeer, comm_, stream_);
  if (recvPeer >= 0 && enqueued(posted)) {
    posted = ncclRecv(deviceSizes_ + nsend, nrecv, ncclUint64, recvPeer, comm_, stream_);
  }
  const ncclResult_t ended = ncclGroupEnd();
  ZCCL_CHECK(ncclResult(enqueued(posted) ? ncclSuccess : posted, "ncclSend/ncclRecv of frame sizes"));
  ZCCL_CHECK(settled(ended, "ncclGroupEnd"));
  if (recvPeer >= 0 && nrecv != 0) {
    ZCCL_CHECK(
        cudaResult(cudaMemcpyAsync(recv, deviceSizes_ + nsend, nrecv * 8, cudaMemcpyDeviceToHost, stream_), "copy"));
  }
  ZCCL_CHECK(cudaResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
  return checkAsyncError();
}

// NCCL has every dtype and op, but its avg of a floating type multiplies each input by 1/nranks
// before summing, where ZipCCL's avg divides the sum once (docs/algorithms.md). Where the device
// engine can reduce (bf16, fp16, fp32) the avg therefore runs through ZipCCL's algorithms; fp64
// and fp8, which have no device reduce kernel, keep NCCL's avg (the documented exception).
bool NcclTransport::plainSupports(Coll coll, zcclDataType_t dtype, zcclRedOp_t op, size_t) const {
  const bool reduction = coll == Coll::kAllReduce || coll == Coll::kReduce || coll == Coll::kReduceScatter;
  const bool engineReduces = dtype == zcclBfloat16 || dtype == zcclFloat16 || dtype == zcclFloat32;
  return !(reduction && op == zcclAvg && engineReduces);
}

zcclResult_t NcclTransport::plainAllReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                           zcclRedOp_t op) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclAllReduce(send, recv, count, ncclType(dtype), ncclOp(op), comm_, stream_), "ncclAllReduce");
}

zcclResult_t NcclTransport::plainBroadcast(const void* send, void* recv, size_t count, zcclDataType_t dtype, int root) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclBroadcast(send, recv, count, ncclType(dtype), root, comm_, stream_), "ncclBroadcast");
}

zcclResult_t NcclTransport::plainReduce(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                        zcclRedOp_t op, int root) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclReduce(send, recv, count, ncclType(dtype), ncclOp(op), root, comm_, stream_), "ncclReduce");
}

zcclResult_t NcclTransport::plainAllGather(const void* send, void* recv, size_t count, zcclDataType_t dtype) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclAllGather(send, recv, count, ncclType(dtype), comm_, stream_), "ncclAllGather");
}

zcclResult_t NcclTransport::plainReduceScatter(const void* send, void* recv, size_t count, zcclDataType_t dtype,
                                               zcclRedOp_t op) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclReduceScatter(send, recv, count, ncclType(dtype), ncclOp(op), comm_, stream_),
                 "ncclReduceScatter");
}

zcclResult_t NcclTransport::plainAlltoAll(const void* send, void* recv, size_t count, zcclDataType_t dtype) {
  ZCCL_REQUIRE(!abortRequested() && comm_ != nullptr, zcclInvalidUsage, "NCCL: the communicator was aborted");
  return settled(ncclAlltoAll(send, recv, count, ncclType(dtype), comm_, stream_), "ncclAlltoAll");
}

}  // namespace zccl::transport
