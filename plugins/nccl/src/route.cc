// Routing of collectives to ZipCCL or NCCL (route.h).
#include "route.h"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "comm_table.h"
#include "group_replay.h"
#include "shim_state.h"
#include "zccl/zccl_nccl.h"

namespace zccl_shim {
namespace {

size_t elementBytes(ncclDataType_t d) {
  switch (d) {
    case ncclFloat16:
    case ncclBfloat16:
      return 2;
    case ncclFloat32:
      return 4;
    default:
      return 0;  // not compressed
  }
}

bool routedOp(ncclRedOp_t op) { return op == ncclSum || op == ncclProd || op == ncclMax || op == ncclMin; }
bool hasOp(Coll c) { return c == Coll::kAllReduce || c == Coll::kReduce || c == Coll::kReduceScatter; }

// The real library's communicator queries the routing asks, looked up once.
struct RealQueries {
  decltype(&ncclCommCount) count = realFunction<decltype(&ncclCommCount)>("ncclCommCount");
  decltype(&ncclCommCuDevice) device = realFunction<decltype(&ncclCommCuDevice)>("ncclCommCuDevice");
  decltype(&ncclCommUserRank) rank = realFunction<decltype(&ncclCommUserRank)>("ncclCommUserRank");
  decltype(&ncclCommGetAsyncError) asyncError = realFunction<decltype(&ncclCommGetAsyncError)>("ncclCommGetAsyncError");
};
const RealQueries& realQueries() {
  static const RealQueries q;
  return q;
}

template <typename F, typename... A>
ncclResult_t callReal(F fn, const char* name, A... args) {
  if (fn == nullptr) return reportMissing(name);
  ForwardScope scope;
  return fn(args...);
}

bool deviceMemory(const void* p) {
  cudaPointerAttributes attr{};
  if (cudaPointerGetAttributes(&attr, p) != cudaSuccess) {
    cudaGetLastError();  // clear it: the application must not see the shim's probe
    return false;
  }
  return attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged;
}

bool capturing(cudaStream_t stream) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &status) != cudaSuccess) {
    cudaGetLastError();
    return true;  // unknown: leave it to NCCL
  }
  return status != cudaStreamCaptureStatusNone;
}

// Sets the communicator's device for the scope (ZipCCL works on the current device).
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    if (cudaGetDevice(&previous_) == cudaSuccess && previous_ != device && cudaSetDevice(device) == cudaSuccess) {
      restore_ = true;
    }
  }
  ~DeviceScope() {
    if (restore_) cudaSetDevice(previous_);
  }

 private:
  int previous_ = 0;
  bool restore_ = false;
};

// The buffers do not overlap, or they are the collective's documented in-place form (all-reduce,
// broadcast, reduce: the same buffer; all-gather: send = recv + rank * count; reduce-scatter:
// recv = send + rank * count). Any other overlap (an in-place all-to-all among them) is NCCL's.
bool disjointOrInPlace(const CallArgs& a, size_t esize, int nranks, int rank) {
  const auto send = reinterpret_cast<uintptr_t>(a.send), recv = reinterpret_cast<uintptr_t>(a.recv);
  size_t n = 0, all = 0, at = 0;
  if (__builtin_mul_overflow(a.count, esize, &n) || __builtin_mul_overflow(n, static_cast<size_t>(nranks), &all)) {
    return false;
  }
  at = n * static_cast<size_t>(rank);  // rank < nranks: no overflow
  size_t sendBytes = n, recvBytes = n;
  switch (a.coll) {
    case Coll::kAllReduce:
    case Coll::kBroadcast:
    case Coll::kReduce:
      if (send == recv) return true;
      break;
    case Coll::kAllGather:
      recvBytes = all;
      if (send == recv + at) return true;
      break;
    case Coll::kReduceScatter:
      sendBytes = all;
      if (recv == send + at) return true;
      break;
    case Coll::kAlltoAll:
      sendBytes = recvBytes = all;
      break;
  }
  uintptr_t sendEnd = 0, recvEnd = 0;
  if (__builtin_add_overflow(send, sendBytes, &sendEnd) || __builtin_add_overflow(recv, recvBytes, &recvEnd)) {
    return false;
  }
  return sendEnd <= recv || recvEnd <= send;
}

const char* dtypeName(ncclDataType_t d) { return d == ncclFloat16 ? "fp16" : d == ncclBfloat16 ? "bf16" : "fp32"; }

// The entry's ZipCCL communicator, made at the first routed call; nullptr if it cannot be
// (*released: because the communicator was aborted or destroyed meanwhile, from another thread).
zcclComm_t zcclFor(CommEntry& e, bool* released) {
  {
    std::lock_guard<std::mutex> lock(e.mu);
    *released = e.released;
    if (e.zccl != nullptr || e.zcclFailed || e.released || e.finalized) return e.zccl;
  }
  zcclComm_t made = nullptr;
  zcclResult_t r;
  {
    ForwardScope scope;
    r = zcclCommInitFromNccl(&made, e.nccl, nullptr);
  }
  std::lock_guard<std::mutex> lock(e.mu);
  *released = e.released;
  if (r != zcclSuccess) {
    e.zcclFailed = true;
    log(kWarn, "communicator %p: ZipCCL could not start on it (%s: %s); NCCL carries every call",
        static_cast<void*>(e.nccl), zcclGetErrorString(r), zcclGetLastError(nullptr));
    return nullptr;
  }
  if (e.released) {  // destroyed or aborted meanwhile, from another thread
    ForwardScope scope;
    zcclCommDestroy(made);
    return nullptr;
  }
  e.zccl = made;
  log(kInfo, "communicator %p: ZipCCL started on it%s", static_cast<void*>(e.nccl), e.blocking ? "" : " (nonblocking)");
  return made;
}

zcclResult_t runZccl(const CallArgs& a, zcclComm_t z) {
  const auto dt = static_cast<zcclDataType_t>(a.dtype);
  const auto op = static_cast<zcclRedOp_t>(a.op);
  switch (a.coll) {
    case Coll::kAllReduce:
      return zcclAllReduce(a.send, a.recv, a.count, dt, op, z, a.stream);
    case Coll::kBroadcast:
      return zcclBroadcast(a.send, a.recv, a.count, dt, a.root, z, a.stream);
    case Coll::kReduce:
      return zcclReduce(a.send, a.recv, a.count, dt, op, a.root, z, a.stream);
    case Coll::kAllGather:
      return zcclAllGather(a.send, a.recv, a.count, dt, z, a.stream);
    case Coll::kReduceScatter:
      return zcclReduceScatter(a.send, a.recv, a.count, dt, op, z, a.stream);
    case Coll::kAlltoAll:
      return zcclAlltoAll(a.send, a.recv, a.count, dt, z, a.stream);
  }
  return zcclInternalError;
}

// Logs the plan of the first routed call per (collective, dtype, size bucket) of a communicator.
void logPlan(CommEntry& e, const CallArgs& a, zcclComm_t z, size_t bytes) {
  if (settings().logLevel < kInfo) return;
  int bucket = 0;
  while ((size_t{1} << (bucket + 1)) <= bytes) ++bucket;
  const int key = static_cast<int>(a.coll) << 16 | static_cast<int>(a.dtype) << 8 | bucket;
  static std::mutex mu;
  static std::set<std::pair<ncclComm_t, int>> logged;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!logged.insert({e.nccl, key}).second) return;
  }
  zcclCommStats_t stats{};
  zcclCommGetStats(z, &stats);
  log(kInfo, "%s %zu x %s (%zu bytes a rank) on %p: ZipCCL plan %s", a.name, a.count, dtypeName(a.dtype), bytes,
      static_cast<void*>(e.nccl), stats.lastPlan);
}

}  // namespace

bool routableArgs(const CallArgs& a, bool anySize, RouteCheck* check) {
  const size_t esize = elementBytes(a.dtype);
  if (esize == 0 || (hasOp(a.coll) && !routedOp(a.op))) return false;
  size_t bytes = 0;
  if (__builtin_mul_overflow(a.count, esize, &bytes)) return false;  // NCCL's to refuse
  const bool perRankBlocks = a.coll == Coll::kReduceScatter || a.coll == Coll::kAlltoAll;
  const size_t minBytes = anySize ? 0 : settings().minBytes;
  if (!perRankBlocks && bytes < minBytes) return false;  // before any lookup: small calls are cheap
  std::shared_ptr<CommEntry> e = CommTable::instance().find(a.comm);
  if (e == nullptr || !e->mayCompress.load()) return false;
  int nranks = 0, device = 0, rank = 0;
  if (callReal(realQueries().count, "ncclCommCount", a.comm, &nranks) != ncclSuccess ||
      callReal(realQueries().device, "ncclCommCuDevice", a.comm, &device) != ncclSuccess ||
      callReal(realQueries().rank, "ncclCommUserRank", a.comm, &rank) != ncclSuccess) {
    return false;
  }
  if (perRankBlocks && __builtin_mul_overflow(bytes, static_cast<size_t>(nranks), &bytes)) return false;
  if (bytes < minBytes) return false;
  const bool rooted = a.coll == Coll::kBroadcast || a.coll == Coll::kReduce;
  if (rooted && (a.root < 0 || a.root >= nranks)) return false;  // NCCL's argument error
  // Broadcast reads the send buffer on the root only, reduce writes the receive buffer there only.
  check->readsSend = a.coll != Coll::kBroadcast || rank == a.root;
  check->writesRecv = a.coll != Coll::kReduce || rank == a.root;
  if ((check->readsSend && a.send == nullptr) || (check->writesRecv && a.recv == nullptr)) return false;
  if (check->readsSend && check->writesRecv && !disjointOrInPlace(a, esize, nranks, rank)) return false;
  check->entry = std::move(e);
  check->device = device;
  check->bytes = bytes;
  return true;
}

bool routableBuffers(const CallArgs& a, const RouteCheck& check) {
  if (capturing(a.stream)) return false;
  return (!check.readsSend || deviceMemory(a.send)) && (!check.writesRecv || deviceMemory(a.recv));
}

// A nonblocking communicator: waits until NCCL has finished what it was launching (ncclSuccess),
// or returns its error; ncclInvalidUsage if the communicator is aborted or destroyed meanwhile
// (from another thread: NCCL's handle is not queried again).
static ncclResult_t settle(CommEntry& e) {
  ncclResult_t state = ncclInProgress;
  while (state == ncclInProgress) {
    {
      std::lock_guard<std::mutex> lock(e.mu);
      if (e.released) return ncclInvalidUsage;
    }
    const ncclResult_t r = callReal(realQueries().asyncError, "ncclCommGetAsyncError", e.nccl, &state);
    if (r != ncclSuccess) return r;
    if (state == ncclInProgress) std::this_thread::yield();
  }
  return state;
}

ncclResult_t ncclState(const RouteCheck& check) {
  if (!check.entry->blocking) return settle(*check.entry);
  ncclResult_t state = ncclSuccess;
  const ncclResult_t r = callReal(realQueries().asyncError, "ncclCommGetAsyncError", check.entry->nccl, &state);
  return r != ncclSuccess ? r : state;
}

ncclResult_t runOnZipccl(const CallArgs& a, const RouteCheck& check) {
  // NCCL's own error, or a communicator still being made: NCCL answers the call as it would.
  if (!check.entry->blocking) {
    const ncclResult_t state = settle(*check.entry);
    if (state == ncclInvalidUsage) {
      lastShimError() = std::string("ZipCCL NCCL shim: ") + a.name + ": the communicator was aborted or destroyed";
      return state;
    }
    if (state != ncclSuccess) return forwardToNccl(a);
  }
  DeviceScope deviceScope(check.device);
  bool released = false;
  zcclComm_t z = zcclFor(*check.entry, &released);
  if (released) {  // NCCL has freed it: nothing may be forwarded to it
    lastShimError() = std::string("ZipCCL NCCL shim: ") + a.name + ": the communicator was aborted or destroyed";
    return ncclInvalidUsage;
  }
  if (z == nullptr) return forwardToNccl(a);  // ZipCCL could not start on it: NCCL's, as every later call
  zcclResult_t r;
  {
    ForwardScope scope;
    r = runZccl(a, z);
  }
  if (r == zcclSuccess) {
    lastShimError().clear();
    logPlan(*check.entry, a, z, check.bytes);
    return ncclSuccess;
  }
  lastShimError() = zcclGetLastError(z);
  log(kWarn, "%s on %p failed in ZipCCL: %s", a.name, static_cast<void*>(a.comm), lastShimError().c_str());
  // ZipCCL's codes below 100 are NCCL's; its own (a corrupt frame) have no NCCL equivalent.
  return static_cast<int>(r) < 100 ? static_cast<ncclResult_t>(r) : ncclInternalError;
}

ncclResult_t forwardToNccl(const CallArgs& a) {
  switch (a.coll) {
    case Coll::kAllReduce: {
      static const auto f = realFunction<decltype(&ncclAllReduce)>("ncclAllReduce");
      return callReal(f, "ncclAllReduce", a.send, a.recv, a.count, a.dtype, a.op, a.comm, a.stream);
    }
    case Coll::kBroadcast: {
      if (a.send == a.recv && std::strcmp(a.name, "ncclBcast") == 0) {
        static const auto f = realFunction<decltype(&ncclBcast)>("ncclBcast");
        return callReal(f, "ncclBcast", a.recv, a.count, a.dtype, a.root, a.comm, a.stream);
      }
      static const auto f = realFunction<decltype(&ncclBroadcast)>("ncclBroadcast");
      return callReal(f, "ncclBroadcast", a.send, a.recv, a.count, a.dtype, a.root, a.comm, a.stream);
    }
    case Coll::kReduce: {
      static const auto f = realFunction<decltype(&ncclReduce)>("ncclReduce");
      return callReal(f, "ncclReduce", a.send, a.recv, a.count, a.dtype, a.op, a.root, a.comm, a.stream);
    }
    case Coll::kAllGather: {
      static const auto f = realFunction<decltype(&ncclAllGather)>("ncclAllGather");
      return callReal(f, "ncclAllGather", a.send, a.recv, a.count, a.dtype, a.comm, a.stream);
    }
    case Coll::kReduceScatter: {
      static const auto f = realFunction<decltype(&ncclReduceScatter)>("ncclReduceScatter");
      return callReal(f, "ncclReduceScatter", a.send, a.recv, a.count, a.dtype, a.op, a.comm, a.stream);
    }
    case Coll::kAlltoAll: {
      static const auto f = realFunction<decltype(&ncclAlltoAll)>("ncclAlltoAll");
      return callReal(f, "ncclAlltoAll", a.send, a.recv, a.count, a.dtype, a.comm, a.stream);
    }
  }
  return ncclInternalError;
}

bool runRouted(const CallArgs& a, ncclResult_t* result) {
  if (bypass()) return false;
  if (groupDepth() > 0) return recordGrouped(a, result);
  RouteCheck check;
  if (!routableArgs(a, false, &check) || !routableBuffers(a, check)) return false;
  *result = runOnZipccl(a, check);
  return true;
}

}  // namespace zccl_shim
