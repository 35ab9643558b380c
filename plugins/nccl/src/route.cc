// Routing of collectives to ZipCCL or NCCL (route.h).
#include "route.h"

#include <set>
#include <string>

#include "comm_table.h"
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
  log(kInfo, "communicator %p: ZipCCL started on it", static_cast<void*>(e.nccl));
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

bool runRouted(const CallArgs& a, ncclResult_t* result) {
  if (bypass() || groupDepth() > 0) return false;
  const size_t esize = elementBytes(a.dtype);
  if (esize == 0 || (hasOp(a.coll) && !routedOp(a.op))) return false;
  size_t bytes = a.count * esize;
  const bool perRankBlocks = a.coll == Coll::kReduceScatter || a.coll == Coll::kAlltoAll;
  if (!perRankBlocks && bytes < settings().minBytes) return false;  // before any lookup: small calls are cheap
  std::shared_ptr<CommEntry> e = CommTable::instance().find(a.comm);
  if (e == nullptr || !e->notCompressed.empty()) return false;
  if (perRankBlocks) {
    int nranks = 0;
    if (callReal(realQueries().count, "ncclCommCount", a.comm, &nranks) != ncclSuccess) return false;
    bytes *= static_cast<size_t>(nranks);
  }
  if (bytes < settings().minBytes || capturing(a.stream)) return false;
  int device = 0, rank = 0;
  if (callReal(realQueries().device, "ncclCommCuDevice", a.comm, &device) != ncclSuccess ||
      callReal(realQueries().rank, "ncclCommUserRank", a.comm, &rank) != ncclSuccess) {
    return false;
  }
  DeviceScope deviceScope(device);
  // Broadcast reads the send buffer on the root only, reduce writes the receive buffer there only.
  const bool readsSend = a.coll != Coll::kBroadcast || rank == a.root;
  const bool writesRecv = a.coll != Coll::kReduce || rank == a.root;
  if ((readsSend && !deviceMemory(a.send)) || (writesRecv && !deviceMemory(a.recv))) return false;
  bool released = false;
  zcclComm_t z = zcclFor(*e, &released);
  if (released) {  // NCCL has freed it: nothing may be forwarded to it
    lastShimError() = std::string("ZipCCL NCCL shim: ") + a.name + ": the communicator was aborted or destroyed";
    *result = ncclInvalidUsage;
    return true;
  }
  if (z == nullptr) return false;
  zcclResult_t r;
  {
    ForwardScope scope;
    r = runZccl(a, z);
  }
  if (r == zcclSuccess) {
    lastShimError().clear();
    logPlan(*e, a, z, bytes);
    *result = ncclSuccess;
  } else {
    lastShimError() = zcclGetLastError(z);
    log(kWarn, "%s on %p failed in ZipCCL: %s", a.name, static_cast<void*>(a.comm), lastShimError().c_str());
    // ZipCCL's codes below 100 are NCCL's; its own (a corrupt frame) have no NCCL equivalent.
    *result = static_cast<int>(r) < 100 ? static_cast<ncclResult_t>(r) : ncclInternalError;
  }
  return true;
}

}  // namespace zccl_shim
