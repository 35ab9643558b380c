// TEST STAND-IN (never installed or shipped): communicators, errors and memory of the host
// stand-in NCCL, NCCL 2.28's API (the toolkit's nccl.h) over host memory.
//
// A unique id names a shared-memory segment (shm_world.h); ranks are threads or processes.
// Initialisation inside a group runs at the group's end; with config->blocking == 0 it runs on its
// own thread and the call returns ncclInProgress (ncclCommGetAsyncError reports it until done).
// Like NCCL 2.28, two ranks of one communicator on one device of one process are refused
// (ncclInvalidUsage, "Duplicate GPU detected"). Settings: NCCL_STANDIN_TIMEOUT (seconds a rank
// waits for its peers, default 300), NCCL_DEBUG (print errors to stderr when set).
#include <cuda_runtime_api.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "comm_state.h"
#include "group.h"

namespace nccl_standin {
namespace {

constexpr char kIdMagic[] = "ZCCL-NCCL-STANDIN";

// Process-wide, as NCCL's (the text of the last error any thread hit).
std::mutex gLastErrorMu;
char gLastError[1024] = "";

double timeoutSeconds() {
  const char* v = std::getenv("NCCL_STANDIN_TIMEOUT");
  return v != nullptr && std::atof(v) > 0 ? std::atof(v) : 300.0;
}

ncclResult_t refuse(ncclResult_t r, const std::string& why) {
  setLastError("NCCL stand-in: " + why);
  return groupError(r);
}

// Opens the world `name` as `rank` of `nranks` on `device` and fills comm.
ncclResult_t initComm(ncclComm* comm, const std::string& name, int nranks, int rank, int device) {
  auto s = std::make_shared<CommState>();
  s->name = name;
  s->rank = rank;
  s->nranks = nranks;
  s->device = device;
  s->timeoutS = timeoutSeconds();
  std::string why;
  s->world.reset(World::open(name, nranks, rank, device, s->timeoutS, &why));
  ncclResult_t r = ncclSuccess;
  if (s->world == nullptr) {
    r = refuse(ncclSystemError, why);
  } else {
    const int64_t mine = s->world->header().placement[rank].load();
    for (int q = 0; q < nranks && r == ncclSuccess; ++q) {
      if (q != rank && s->world->header().placement[q].load() == mine) {
        r = refuse(ncclInvalidUsage, "Duplicate GPU detected: rank " + std::to_string(rank) + " and rank " +
                                         std::to_string(q) + " both on CUDA device " + std::to_string(device));
      }
    }
  }
  if (r == ncclSuccess) comm->state = std::move(s);
  comm->initResult.store(r);
  return r;
}

std::string worldName(const ncclUniqueId& id) {
  char name[64];
  uint64_t a, b;
  std::memcpy(&a, id.internal + 32, 8);
  std::memcpy(&b, id.internal + 40, 8);
  std::snprintf(name, sizeof(name), "/zccl-nccl-standin-%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return name;
}

}  // namespace

void setLastError(const std::string& text) {
  {
    std::lock_guard<std::mutex> l(gLastErrorMu);
    std::snprintf(gLastError, sizeof(gLastError), "%s", text.c_str());
  }
  if (std::getenv("NCCL_DEBUG") != nullptr) std::fprintf(stderr, "%s\n", text.c_str());
}

// A live, initialised communicator, or the error for the handle (also the last error).
ncclResult_t checkComm(ncclComm* comm, const char* fn) {
  if (comm == nullptr) return refuse(ncclInvalidArgument, std::string(fn) + ": comm argument is NULL");
  if (comm->magic != ncclComm::kLive) return refuse(ncclInvalidUsage, std::string(fn) + ": communicator destroyed");
  if (comm->state == nullptr) {
    const int r = comm->initResult.load();
    return refuse(r == ncclInProgress ? ncclInvalidUsage : static_cast<ncclResult_t>(r),
                  std::string(fn) + ": communicator not initialised");
  }
  return ncclSuccess;
}

}  // namespace nccl_standin

using namespace nccl_standin;

extern "C" {

ncclResult_t ncclGetVersion(int* version) {
  if (version == nullptr) return refuse(ncclInvalidArgument, "ncclGetVersion: version is NULL");
  *version = NCCL_VERSION_CODE;
  return ncclSuccess;
}

const char* ncclGetErrorString(ncclResult_t r) {
  switch (r) {
    case ncclSuccess:
      return "no error";
    case ncclUnhandledCudaError:
      return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
    case ncclSystemError:
      return "unhandled system error (run with NCCL_DEBUG=INFO for details)";
    case ncclInternalError:
      return "internal error - please report this issue to the NCCL developers";
    case ncclInvalidArgument:
      return "invalid argument (run with NCCL_DEBUG=WARN for details)";
    case ncclInvalidUsage:
      return "invalid usage (run with NCCL_DEBUG=WARN for details)";
    case ncclRemoteError:
      return "remote process exited or there was a network error";
    case ncclInProgress:
      return "NCCL operation in progress";
    default:
      return "unknown result code";
  }
}

const char* ncclGetLastError(ncclComm_t) { return gLastError; }

ncclResult_t ncclGetUniqueId(ncclUniqueId* id) {
  if (id == nullptr) return refuse(ncclInvalidArgument, "ncclGetUniqueId: uniqueId is NULL");
  std::memset(id->internal, 0, sizeof(id->internal));
  std::memcpy(id->internal, kIdMagic, sizeof(kIdMagic));
  std::random_device rd;
  const uint64_t a = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(getpid());
  const uint64_t b = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  std::memcpy(id->internal + 32, &a, 8);
  std::memcpy(id->internal + 40, &b, 8);
  return ncclSuccess;
}

ncclResult_t ncclCommInitRankConfig(ncclComm_t* out, int nranks, ncclUniqueId id, int rank, ncclConfig_t* config) {
  if (out == nullptr) return refuse(ncclInvalidArgument, "ncclCommInitRank: comm is NULL");
  *out = nullptr;
  if (nranks < 1 || rank < 0 || rank >= nranks)
    return refuse(ncclInvalidArgument,
                  "ncclCommInitRank: rank " + std::to_string(rank) + " of " + std::to_string(nranks) + " is not valid");
  if (std::memcmp(id.internal, kIdMagic, sizeof(kIdMagic)) != 0)
    return refuse(ncclInvalidArgument, "ncclCommInitRank: the unique id does not come from ncclGetUniqueId");
  bool blocking = true;
  if (config != nullptr) {
    if (config->magic != 0xcafebeef || config->size < offsetof(ncclConfig_t, blocking) + sizeof(int))
      return refuse(ncclInvalidArgument, "ncclCommInitRank: config not initialised with NCCL_CONFIG_INITIALIZER");
    blocking = config->blocking == NCCL_CONFIG_UNDEF_INT || config->blocking != 0;
  }
  int devices = 0, device = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0)
    return refuse(ncclUnhandledCudaError, std::string("no CUDA device: ") + cudaGetErrorString(e));
  cudaGetDevice(&device);
  ncclComm* comm = new ncclComm;
  comm->blocking = blocking;
  const std::string name = worldName(id);
  auto init = [comm, name, nranks, rank, device] { return initComm(comm, name, nranks, rank, device); };
  *out = comm;
  if (deferInit(init)) return ncclSuccess;
  if (!blocking) {
    std::thread(init).detach();
    return ncclInProgress;
  }
  const ncclResult_t r = init();
  if (r != ncclSuccess) {
    comm->magic = ncclComm::kDead;
    *out = nullptr;
  }
  return r;
}

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId id, int rank) {
  return ncclCommInitRankConfig(comm, nranks, id, rank, nullptr);
}

ncclResult_t ncclCommInitRankScalable(ncclComm_t* comm, int nranks, int rank, int nId, ncclUniqueId* ids,
                                      ncclConfig_t* config) {
  if (nId < 1 || ids == nullptr) return refuse(ncclInvalidArgument, "ncclCommInitRankScalable: no unique id");
  return ncclCommInitRankConfig(comm, nranks, ids[0], rank, config);
}

ncclResult_t ncclCommInitAll(ncclComm_t* comms, int ndev, const int* devlist) {
  if (comms == nullptr || ndev < 1) return refuse(ncclInvalidArgument, "ncclCommInitAll: bad arguments");
  ncclUniqueId id;
  ncclGetUniqueId(&id);
  int saved = 0;
  cudaGetDevice(&saved);
  ncclGroupStart();
  for (int i = 0; i < ndev; ++i) {
    cudaSetDevice(devlist != nullptr ? devlist[i] : i);
    ncclCommInitRank(&comms[i], ndev, id, i);
  }
  cudaSetDevice(saved);
  return ncclGroupEnd();
}

ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* error) {
  if (comm == nullptr || error == nullptr) return refuse(ncclInvalidArgument, "ncclCommGetAsyncError: NULL argument");
  if (comm->magic != ncclComm::kLive) return refuse(ncclInvalidUsage, "ncclCommGetAsyncError: communicator destroyed");
  const int init = comm->initResult.load();
  *error =
      init != ncclSuccess ? static_cast<ncclResult_t>(init) : static_cast<ncclResult_t>(comm->state->asyncError.load());
  if (*error == ncclSuccess && comm->launching.exchange(false)) *error = ncclInProgress;
  return ncclSuccess;
}

// Waits for every operation issued on the communicator so far.
ncclResult_t ncclCommFinalize(ncclComm_t comm) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommFinalize"); r != ncclSuccess) return r;
  CommState& s = *comm->state;
  std::unique_lock<std::mutex> l(s.execMu);
  const uint64_t target = s.issued;
  s.execCv.wait(l, [&] { return s.executed >= target; });
  return static_cast<ncclResult_t>(s.asyncError.load());
}

// Like NCCL's, destroying a communicator not finalized finalizes it first: it waits for the
// operations issued on it (a peer that never comes makes them fail after the timeout), unlike
// ncclCommAbort. Graph work keeps the state alive until it has run.
ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (comm == nullptr) return ncclSuccess;
  if (comm->magic != ncclComm::kLive) return refuse(ncclInvalidUsage, "ncclCommDestroy: communicator destroyed");
  if (comm->state != nullptr) {
    CommState& s = *comm->state;
    std::unique_lock<std::mutex> l(s.execMu);
    const uint64_t target = s.issued;
    s.execCv.wait(l, [&] { return s.executed >= target; });
  }
  comm->magic = ncclComm::kDead;
  comm->state.reset();
  return ncclSuccess;
}

// Every rank's pending and future transfers fail with ncclRemoteError instead of waiting.
ncclResult_t ncclCommAbort(ncclComm_t comm) {
  if (comm == nullptr) return ncclSuccess;
  if (comm->magic != ncclComm::kLive) return refuse(ncclInvalidUsage, "ncclCommAbort: communicator destroyed");
  if (comm->state != nullptr) comm->state->world->header().aborted.store(1);
  comm->magic = ncclComm::kDead;
  comm->state.reset();
  return ncclSuccess;
}

ncclResult_t ncclCommRevoke(ncclComm_t comm, int) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommRevoke"); r != ncclSuccess) return r;
  comm->state->world->header().aborted.store(1);
  return ncclSuccess;
}

ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommCount"); r != ncclSuccess) return r;
  if (count == nullptr) return refuse(ncclInvalidArgument, "ncclCommCount: count is NULL");
  *count = comm->state->nranks;
  return ncclSuccess;
}

ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommCuDevice"); r != ncclSuccess) return r;
  if (device == nullptr) return refuse(ncclInvalidArgument, "ncclCommCuDevice: device is NULL");
  *device = comm->state->device;
  return ncclSuccess;
}

ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommUserRank"); r != ncclSuccess) return r;
  if (rank == nullptr) return refuse(ncclInvalidArgument, "ncclCommUserRank: rank is NULL");
  *rank = comm->state->rank;
  return ncclSuccess;
}

// Sub-communicators: split exchanges (color, key) over the parent (ordered with the parent's
// stream work), shrink needs no exchange (the survivors pass the same exclusion list).
ncclResult_t ncclCommSplit(ncclComm_t comm, int color, int key, ncclComm_t* newcomm, ncclConfig_t* config) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommSplit"); r != ncclSuccess) return r;
  if (newcomm == nullptr) return refuse(ncclInvalidArgument, "ncclCommSplit: newcomm is NULL");
  *newcomm = nullptr;
  CommState& s = *comm->state;
  const int P = s.nranks;
  std::vector<int32_t> mine = {color, key}, all(2 * P);
  Op op;
  op.type = OpType::kAllGather;
  op.send = mine.data();
  op.recv = all.data();
  op.count = 2;
  op.type_ = ncclInt32;
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> l(s.execMu);
    ticket = s.issued++;
  }
  execute(s, {op}, static_cast<int64_t>(ticket));
  if (s.asyncError.load() != ncclSuccess)
    return refuse(static_cast<ncclResult_t>(s.asyncError.load()), "ncclCommSplit: exchange failed");
  const int generation = s.splits++;
  if (color == NCCL_SPLIT_NOCOLOR) return ncclSuccess;
  std::vector<std::pair<int, int>> members;  // (key, parent rank)
  for (int q = 0; q < P; ++q)
    if (all[2 * q] == color) members.push_back({all[2 * q + 1], q});
  std::sort(members.begin(), members.end());
  const int newRank =
      static_cast<int>(std::find(members.begin(), members.end(), std::make_pair(key, s.rank)) - members.begin());
  ncclComm* c = new ncclComm;
  c->blocking = config == nullptr || config->blocking != 0;
  const std::string name = s.name + "-s" + std::to_string(generation) + "c" + std::to_string(color);
  const ncclResult_t r = initComm(c, name, static_cast<int>(members.size()), newRank, s.device);
  if (r != ncclSuccess) return r;
  *newcomm = c;
  return ncclSuccess;
}

ncclResult_t ncclCommShrink(ncclComm_t comm, int* exclude, int nexclude, ncclComm_t* newcomm, ncclConfig_t*, int) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommShrink"); r != ncclSuccess) return r;
  if (newcomm == nullptr || (nexclude > 0 && exclude == nullptr))
    return refuse(ncclInvalidArgument, "ncclCommShrink: NULL argument");
  *newcomm = nullptr;
  CommState& s = *comm->state;
  std::vector<int> ex(exclude, exclude + std::max(nexclude, 0));
  if (std::find(ex.begin(), ex.end(), s.rank) != ex.end())
    return refuse(ncclInvalidArgument, "ncclCommShrink: this rank is in the exclusion list");
  int below = 0, kept = s.nranks;
  for (int q : ex) {
    if (q < 0 || q >= s.nranks) return refuse(ncclInvalidArgument, "ncclCommShrink: excluded rank out of range");
    below += q < s.rank;
    --kept;
  }
  ncclComm* c = new ncclComm;
  const std::string name = s.name + "-k" + std::to_string(s.splits++);
  const ncclResult_t r = initComm(c, name, kept, s.rank - below, s.device);
  if (r != ncclSuccess) return r;
  *newcomm = c;
  return ncclSuccess;
}

// --- memory --------------------------------------------------------------------------------------

ncclResult_t ncclMemAlloc(void** ptr, size_t size) {
  if (ptr == nullptr) return refuse(ncclInvalidArgument, "ncclMemAlloc: ptr is NULL");
  const cudaError_t e = cudaMalloc(ptr, size);
  return e == cudaSuccess ? ncclSuccess : refuse(ncclUnhandledCudaError, cudaGetErrorString(e));
}

ncclResult_t ncclMemFree(void* ptr) {
  const cudaError_t e = cudaFree(ptr);
  return e == cudaSuccess ? ncclSuccess : refuse(ncclUnhandledCudaError, cudaGetErrorString(e));
}

// Registration is an optimisation hint: accepted, nothing to do over host memory.
ncclResult_t ncclCommRegister(const ncclComm_t comm, void* buff, size_t, void** handle) {
  if (const ncclResult_t r = checkComm(comm, "ncclCommRegister"); r != ncclSuccess) return r;
  if (handle == nullptr) return refuse(ncclInvalidArgument, "ncclCommRegister: handle is NULL");
  *handle = buff;
  return ncclSuccess;
}

ncclResult_t ncclCommDeregister(const ncclComm_t comm, void*) { return checkComm(comm, "ncclCommDeregister"); }

// Symmetric windows need device-side NCCL: refused with a message (the device API: device_api.cc).
ncclResult_t ncclCommWindowRegister(ncclComm_t, void*, size_t, ncclWindow_t*, int) {
  return refuse(ncclInvalidUsage, "ncclCommWindowRegister: symmetric windows are not modelled by the host stand-in");
}
ncclResult_t ncclCommWindowDeregister(ncclComm_t, ncclWindow_t) {
  return refuse(ncclInvalidUsage, "ncclCommWindowDeregister: symmetric windows are not modelled by the host stand-in");
}

}  // extern "C"
