// The 8-bit reductions at the API: configuration, the path choice, the run, and the explicit
// per-call entry points (include/zccl/zccl.h, "8-bit reductions").
#include "api/quantized_collectives.h"

#include <algorithm>

#include "algo/quantized_reduce.h"
#include "codec/q8_format.h"
#include "common/check.h"
#include "common/dtype_size.h"
#include "common/params.h"
#include "tune/reduce_precision.h"

namespace zccl::api {
namespace {

bool deviceMemory(const zcclComm* comm) { return comm->engineStream != nullptr; }

// Refuses an explicit 8-bit request that cannot be honoured, before any communication. A dead
// communicator is left for submit() to report.
zcclResult_t checkExplicitRequest(const CallArgs& a, const char* fn) {
  const zcclComm* comm = liveComm(a.comm);
  if (comm == nullptr) return zcclSuccess;
  const tune::PrecisionDecision d = tune::decidePrecision(comm->settings, true, a.dtype, a.op, 0, true);
  ZCCL_REQUIRE(d.supported, zcclInvalidArgument, "%s: %s (dtype %d, op %d)", fn, d.why, static_cast<int>(a.dtype),
               static_cast<int>(a.op));
  return zcclSuccess;
}

}  // namespace

bool takesQuantizedPath(const zcclComm* comm, const CallArgs& a) {
  const bool reduction = a.kind == Kind::kAllReduce || a.kind == Kind::kReduceScatter;
  return tune::decidePrecision(comm->settings, reduction, a.dtype, a.op, a.count * dtypeBytes(a.dtype), a.quantized)
      .quantized;
}

zcclResult_t runQuantized(zcclComm* comm, const CallArgs& a) {
  const bool allReduce = a.kind == Kind::kAllReduce;
  const char* fn = allReduce ? "zcclAllReduce (8-bit)" : "zcclReduceScatter (8-bit)";
  ZCCL_INFO(kLogTune, "%s: %zu x dtype %d, op %d: 8-bit reduction (%s)", fn, a.count, static_cast<int>(a.dtype),
            static_cast<int>(a.op), a.quantized ? "explicit call" : "communicator setting");
  if (comm->quantEngine == nullptr)
    comm->quantEngine = deviceMemory(comm) ? algo::makeDeviceQuantEngine() : algo::makeHostQuantEngine();
  // GPU communicators exist only in builds with NCCL, which have the device engine too.
  ZCCL_REQUIRE(comm->quantEngine != nullptr, zcclInternalError, "%s: no 8-bit engine for this memory space", fn);
  comm->quantEngine->setStream(a.stream);
  const size_t eb = dtypeBytes(a.dtype);
  // Rounds of ZCCL_CHUNK_BYTES of each segment, a whole number of 8-bit blocks.
  const size_t chunk = comm->settings.chunkBytes != 0 ? comm->settings.chunkBytes : size_t{1} << 20;
  const size_t blocks = std::max<size_t>(1, chunk / eb / codec::kQ8BlockElems);
  algo::QuantizedCall call{a.send, a.recv, a.count, a.dtype, a.op, allReduce, blocks * codec::kQ8BlockElems};
  call.stochastic = comm->settings.reduceStochastic;
  call.seed = comm->settings.reduceSeed + 0x632BE59BD9B4E019ull * comm->quantizedCalls++;
  algo::QuantizedTraffic traffic;
  const zcclResult_t rc = algo::quantizedReduce(*comm->transport, *comm->quantEngine, call, &traffic);
  comm->stats.calls++;
  comm->stats.compressedCalls++;
  comm->stats.rawBytes += traffic.rawBytes;
  comm->stats.wireBytes += traffic.wireBytes;
  ZCCL_CHECK(rc);
  ZCCL_REQUIRE(traffic.decodeError == zcclSuccess, traffic.decodeError,
               "%s: rank %d received a corrupt 8-bit frame (or a peer's lost marker); the affected segments of its "
               "output were not written",
               fn, comm->transport->rank());
  return zcclSuccess;
}

}  // namespace zccl::api

extern "C" {

zcclResult_t zcclAllReduceQuantized(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype,
                                    zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream) {
  zccl::api::CallArgs a{zccl::api::Kind::kAllReduce, sendbuff, recvbuff, count, datatype, op, 0, comm, stream, true};
  ZCCL_CHECK(zccl::api::checkExplicitRequest(a, "zcclAllReduceQuantized"));
  return zccl::api::submit(a);
}

zcclResult_t zcclReduceScatterQuantized(const void* sendbuff, void* recvbuff, size_t recvcount, zcclDataType_t datatype,
                                        zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream) {
  zccl::api::CallArgs a{
      zccl::api::Kind::kReduceScatter, sendbuff, recvbuff, recvcount, datatype, op, 0, comm, stream, true};
  ZCCL_CHECK(zccl::api::checkExplicitRequest(a, "zcclReduceScatterQuantized"));
  return zccl::api::submit(a);
}

}  // extern "C"
