// An unmodified NCCL program that does what real callers do (docs/shim.md, "Tests"): it links
// only libnccl.so.2 and the CUDA runtime, never ZipCCL. tests/run_shim_tests.sh runs it without
// the shim, with the shim preloaded and through the drop-in libnccl.so.2, and compares what it
// writes bit for bit. Every line it writes is a result digest or a return code, per rank:
//
//   threads P OUT   ranks as P threads of one process, rank r on device r, then:
//     pytorch   ProcessGroupNCCL's habits: ncclGetVersion, blocking ncclCommInitRankConfig, DDP
//               buckets (all-reduce sum, exact in any order, and max of real gradients), a
//               1-element barrier all-reduce, parameter broadcast and in-place ncclBcast,
//               FSDP's all-gather / reduce-scatter (plain and coalesced in a group), all-to-all
//               (also in place),
//               reduce to a root, ncclAvg, a PreMulSum made and destroyed around one call,
//               ncclCommSplit with NCCL_SPLIT_NOCOLOR, a watchdog thread polling
//               ncclCommGetAsyncError while collectives run, graph capture and replay of an
//               all-reduce, a nonblocking communicator (ncclInProgress polled), and shutdown by
//               ncclCommFinalize then ncclCommDestroy;
//     groups    groups on one communicator per thread (nccl-tests -g 1, FSDP): made alone in a
//               group, one call a group (nested too), several in one group, a group with sends
//               and receives, a group of small calls, an argument error in a group;
//     misuse    bad calls and their codes: a null communicator, an unknown op, a null buffer,
//               a destroyed communicator (stand-in only: a use after free on the real library);
//     abort     a rank that never joins: the other's watchdog aborts, nothing hangs.
//   devices D OUT   nccl-tests' habits in one thread: D communicators made inside one group,
//               ncclMemAlloc buffers, every collective grouped across the D devices (out of place
//               and in place at recvbuff + rank * count), nested groups, a PreMulSum per call.
//   mpi OUT         one rank per MPI process, the unique id broadcast by MPI_Bcast (nccl-tests'
//               MPI=1 bootstrap), then the pytorch and groups scenarios.
//   nogpu OUT       what the real libnccl.so.2 answers without a GPU: version, error strings, a
//               unique id, ncclCommInitRank's error.
// Files OUT.rank<r> (one per rank; "nogpu" writes OUT.rank0).
#include <cuda_runtime.h>
#include <nccl.h>
#ifdef NCCL_CALLERS_WITH_MPI
#include <mpi.h>
#endif

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tensor_file.h"

namespace {

// Real tensors (../shared/data), cut to what a scenario needs; bf16 from a -bf16 file, fp32 from
// a -f32 one. The same bytes on every rank, shifted by rank so ranks differ.
struct RealData {
  std::vector<uint8_t> bf16, f32;
};

const RealData& realData() {
  static RealData d = [] {
    RealData out;
    for (const std::string& path : zccl::data::findSharedTensorFiles()) {
      zccl::data::TensorFile tf;
      std::string err;
      if (!zccl::data::readTensorFile(path, &tf, &err)) continue;
      const bool bf16 = path.find("bf16") != std::string::npos;
      std::vector<uint8_t>& dst = bf16 ? out.bf16 : out.f32;
      if (dst.size() >= (size_t{8} << 20)) continue;
      for (const auto& t : tf.tensors) {
        if (t.dtype != (bf16 ? zcclBfloat16 : zcclFloat32)) continue;
        dst.insert(dst.end(), t.bytes.begin(), t.bytes.end());
      }
    }
    if (out.bf16.empty() || out.f32.empty()) {
      std::fprintf(stderr, "nccl_callers: no real tensors found (set ZCCL_DATA_DIR to ../shared/data)\n");
      std::exit(2);
    }
    return out;
  }();
  return d;
}

size_t elemBytes(ncclDataType_t t) { return t == ncclFloat32 ? 4 : 2; }

// `bytes` of real data of `dtype` for `rank` (a window starting at a rank-dependent offset).
std::vector<uint8_t> realBytes(ncclDataType_t dtype, size_t bytes, int rank) {
  const std::vector<uint8_t>& src = dtype == ncclFloat32 ? realData().f32 : realData().bf16;
  std::vector<uint8_t> out(bytes);
  const size_t step = elemBytes(dtype);
  size_t at = (static_cast<size_t>(rank) * 7919 * step) % src.size();
  for (size_t i = 0; i < bytes; ++i) {
    out[i] = src[at];
    if (++at == src.size()) at = 0;
  }
  return out;
}

// Small integers, exactly representable and summed exactly in any order by fp16, bf16 and fp32
// (nccl-tests' "verifiable" idea): what a sum must be compared on, since ZipCCL and NCCL add in
// different orders.
std::vector<uint8_t> integerBytes(ncclDataType_t dtype, size_t count, int rank) {
  std::vector<uint8_t> out(count * elemBytes(dtype));
  for (size_t i = 0; i < count; ++i) {
    const float v = static_cast<float>(static_cast<int>((i * 31 + static_cast<size_t>(rank) * 17) % 33) - 16);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    if (dtype == ncclFloat32) {
      std::memcpy(&out[i * 4], &bits, 4);
    } else if (dtype == ncclBfloat16) {
      const uint16_t h = static_cast<uint16_t>(bits >> 16);  // exact for these integers
      std::memcpy(&out[i * 2], &h, 2);
    } else {  // fp16: sign, 5-bit exponent, 10-bit mantissa; exact for |v| <= 16
      uint16_t h = 0;
      if (v != 0) {
        const int e = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
        h = static_cast<uint16_t>((bits >> 16 & 0x8000) | e << 10 | (bits >> 13 & 0x3ff));
      }
      std::memcpy(&out[i * 2], &h, 2);
    }
  }
  return out;
}

uint64_t fnv1a(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

// One rank's record: lines written to OUT.rank<r> at the end.
struct Report {
  std::vector<std::string> lines;
  void add(const std::string& s) { lines.push_back(s); }
  void rc(const char* what, int r) { add(std::string(what) + " -> " + std::to_string(r)); }
};

struct DeviceBuffer {
  void* p = nullptr;
  size_t bytes = 0;
  explicit DeviceBuffer(size_t n) : bytes(n) { cudaMalloc(&p, n == 0 ? 1 : n); }
  ~DeviceBuffer() { cudaFree(p); }
  void upload(const std::vector<uint8_t>& v) { cudaMemcpy(p, v.data(), v.size(), cudaMemcpyHostToDevice); }
  void clear() { cudaMemset(p, 0xA5, bytes); }  // so that a call that wrote nothing shows
  uint64_t digest(cudaStream_t s, size_t n, size_t offset = 0) const {
    cudaStreamSynchronize(s);
    std::vector<uint8_t> host(n);
    cudaMemcpy(host.data(), static_cast<const uint8_t*>(p) + offset, n, cudaMemcpyDeviceToHost);
    return fnv1a(host.data(), n);
  }
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A collective's outcome: its return code and the digest of what it wrote.
void record(Report& rep, const std::string& what, ncclResult_t r, const DeviceBuffer& out, cudaStream_t s,
            size_t bytes, size_t offset = 0) {
  rep.add(what + " rc=" + std::to_string(r) + " digest=" + (r == ncclSuccess ? hex(out.digest(s, bytes, offset)) : "-"));
}

// Waits for a nonblocking communicator to leave ncclInProgress.
ncclResult_t settle(ncclComm_t comm) {
  ncclResult_t state = ncclInProgress;
  for (int i = 0; i < 200000 && state == ncclInProgress; ++i) {
    if (ncclCommGetAsyncError(comm, &state) != ncclSuccess) return ncclInternalError;
    if (state == ncclInProgress) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return state;
}

// PyTorch ProcessGroupNCCL's sequence on one rank.
void pytorchScenario(int P, int rank, const ncclUniqueId& id, const ncclUniqueId& nbId, Report& rep) {
  int version = 0;
  rep.rc("ncclGetVersion", ncclGetVersion(&version));
  rep.add("version " + std::to_string(version));
  cudaStream_t s;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  ncclComm_t comm = nullptr;
  rep.rc("ncclCommInitRankConfig", ncclCommInitRankConfig(&comm, P, id, rank, &config));
  int n = 0, me = -1;
  ncclCommCount(comm, &n);
  ncclCommUserRank(comm, &me);
  rep.add("count " + std::to_string(n) + " rank " + std::to_string(me));

  // The watchdog: polls the communicator's asynchronous error while collectives run.
  std::atomic<bool> stop{false};
  std::atomic<int> polls{0}, bad{0};
  std::thread watchdog([&] {
    while (!stop.load()) {
      ncclResult_t e = ncclSuccess;
      if (ncclCommGetAsyncError(comm, &e) != ncclSuccess || e != ncclSuccess) bad.fetch_add(1);
      polls.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });

  const size_t big = size_t{1} << 20;  // elements of the large buckets
  const ncclDataType_t kTypes[] = {ncclBfloat16, ncclFloat16, ncclFloat32};
  const char* kNames[] = {"bf16", "fp16", "fp32"};
  for (int ti = 0; ti < 3; ++ti) {
    const ncclDataType_t t = kTypes[ti];
    const size_t es = elemBytes(t);
    // DDP bucket: sum of integer gradients, out of place and in place.
    {
      DeviceBuffer in(big * es), out(big * es);
      in.upload(integerBytes(t, big, rank));
      record(rep, std::string("allreduce sum ") + kNames[ti], ncclAllReduce(in.p, out.p, big, t, ncclSum, comm, s),
             out, s, big * es);
      out.clear();
      record(rep, std::string("allreduce sum in place ") + kNames[ti],
             ncclAllReduce(in.p, in.p, big, t, ncclSum, comm, s), in, s, big * es);
      in.upload(integerBytes(t, big, rank));
      out.clear();
      record(rep, std::string("allreduce prod small ints ") + kNames[ti],
             ncclAllReduce(in.p, out.p, 4096, t, ncclProd, comm, s), out, s, 4096 * es);
      record(rep, std::string("allreduce avg ") + kNames[ti], ncclAllReduce(in.p, out.p, big, t, ncclAvg, comm, s), out,
             s, big * es);
    }
    if (t == ncclFloat16) continue;  // real tensors are bf16 and fp32
    // Real gradients: max and min (exact in any order), all-gather, broadcast, all-to-all.
    const size_t cnt = (size_t{3} << 18) + 5;  // not a multiple of anything
    DeviceBuffer in(cnt * es * P), out(cnt * es * P);
    in.upload(realBytes(t, cnt * es * P, rank));
    record(rep, std::string("allreduce max real ") + kNames[ti], ncclAllReduce(in.p, out.p, cnt, t, ncclMax, comm, s),
           out, s, cnt * es);
    out.clear();
    record(rep, std::string("allreduce min real ") + kNames[ti], ncclAllReduce(in.p, out.p, cnt, t, ncclMin, comm, s),
           out, s, cnt * es);
    out.clear();
    record(rep, std::string("broadcast root 1 ") + kNames[ti],
           ncclBroadcast(in.p, out.p, cnt, t, 1 % P, comm, s), out, s, cnt * es);
    record(rep, std::string("bcast in place root 0 ") + kNames[ti], ncclBcast(in.p, cnt, t, 0, comm, s), in, s,
           cnt * es);
    in.upload(realBytes(t, cnt * es * P, rank));
    out.clear();
    record(rep, std::string("allgather ") + kNames[ti], ncclAllGather(in.p, out.p, cnt, t, comm, s), out, s,
           cnt * es * P);
    out.clear();
    record(rep, std::string("reducescatter max ") + kNames[ti],
           ncclReduceScatter(in.p, out.p, cnt, t, ncclMax, comm, s), out, s, cnt * es);
    out.clear();
    record(rep, std::string("alltoall ") + kNames[ti], ncclAlltoAll(in.p, out.p, cnt, t, comm, s), out, s,
           cnt * es * P);
    // In place all-gather: sendbuff = recvbuff + rank * count.
    out.upload(realBytes(t, cnt * es * P, rank + 3));
    record(rep, std::string("allgather in place ") + kNames[ti],
           ncclAllGather(static_cast<uint8_t*>(out.p) + rank * cnt * es, out.p, cnt, t, comm, s), out, s,
           cnt * es * P);
    // In-place all-to-all (nccl-tests runs it): ZipCCL has no in-place form, so NCCL's.
    out.upload(realBytes(t, cnt * es * P, rank + 4));
    record(rep, std::string("alltoall in place ") + kNames[ti], ncclAlltoAll(out.p, out.p, cnt, t, comm, s), out, s,
           cnt * es * P);
  }
  // Reduce of integers to root 1, fp16; a 1-element barrier.
  {
    DeviceBuffer in(big * 2), out(big * 2);
    in.upload(integerBytes(ncclFloat16, big, rank));
    out.upload(std::vector<uint8_t>(big * 2, 0));
    const ncclResult_t r = ncclReduce(in.p, out.p, big, ncclFloat16, ncclSum, 1 % P, comm, s);
    if (rank == 1 % P) record(rep, "reduce sum fp16 root", r, out, s, big * 2);
    else rep.rc("reduce sum fp16 non-root", r);
    record(rep, "barrier", ncclAllReduce(in.p, out.p, 1, ncclFloat32, ncclSum, comm, s), out, s, 4);
  }
  // FSDP coalesced: all-gather and reduce-scatter in one group.
  {
    const size_t cnt = size_t{1} << 18;
    DeviceBuffer in(cnt * 4 * P), gathered(cnt * 4 * P), scattered(cnt * 4);
    in.upload(integerBytes(ncclFloat32, cnt * P, rank));
    rep.rc("group start", ncclGroupStart());
    rep.rc("coalesced allgather", ncclAllGather(in.p, gathered.p, cnt, ncclFloat32, comm, s));
    rep.rc("coalesced reducescatter", ncclReduceScatter(in.p, scattered.p, cnt, ncclFloat32, ncclSum, comm, s));
    rep.rc("group end", ncclGroupEnd());
    rep.add("coalesced digests " + hex(gathered.digest(s, cnt * 4 * P)) + " " + hex(scattered.digest(s, cnt * 4)));
  }
  // PreMulSum made and destroyed around one call (a rank-dependent host scalar).
  {
    const size_t cnt = size_t{1} << 18;
    DeviceBuffer in(cnt * 4), out(cnt * 4);
    in.upload(integerBytes(ncclFloat32, cnt, rank));
    float scalar = 0.5f * static_cast<float>(rank + 1);
    ncclRedOp_t op;
    rep.rc("premulsum create", ncclRedOpCreatePreMulSum(&op, &scalar, ncclFloat32, ncclScalarHostImmediate, comm));
    record(rep, "allreduce premulsum", ncclAllReduce(in.p, out.p, cnt, ncclFloat32, op, comm, s), out, s, cnt * 4);
    rep.rc("premulsum destroy", ncclRedOpDestroy(op, comm));
  }
  // Graph capture of a large all-reduce, replayed three times.
  {
    const size_t cnt = size_t{1} << 19;
    DeviceBuffer in(cnt * 2), out(cnt * 2);
    in.upload(integerBytes(ncclBfloat16, cnt, rank));
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    rep.rc("capture begin", cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    rep.rc("captured allreduce", ncclAllReduce(in.p, out.p, cnt, ncclBfloat16, ncclSum, comm, s));
    rep.rc("capture end", cudaStreamEndCapture(s, &graph));
    rep.rc("instantiate", cudaGraphInstantiate(&exec, graph, 0));
    for (int i = 0; i < 3; ++i) {
      cudaMemsetAsync(out.p, 0, cnt * 2, s);
      rep.rc("graph launch", cudaGraphLaunch(exec, s));
      rep.add("replay digest " + hex(out.digest(s, cnt * 2)));
    }
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
  }
  // Split: rank 1 takes no part (NCCL_SPLIT_NOCOLOR), the others all-reduce on the new one.
  {
    ncclComm_t sub = nullptr;
    const int color = rank == 1 ? NCCL_SPLIT_NOCOLOR : 0;
    rep.rc("split", ncclCommSplit(comm, color, rank, &sub, nullptr));
    rep.add(std::string("split member ") + (sub != nullptr ? "yes" : "no"));
    if (sub != nullptr) {
      const size_t cnt = size_t{1} << 18;
      DeviceBuffer in(cnt * 4), out(cnt * 4);
      in.upload(integerBytes(ncclFloat32, cnt, rank));
      record(rep, "split allreduce", ncclAllReduce(in.p, out.p, cnt, ncclFloat32, ncclSum, sub, s), out, s, cnt * 4);
      rep.rc("split finalize", ncclCommFinalize(sub));
      rep.rc("split destroy", ncclCommDestroy(sub));
    }
  }
  // A nonblocking communicator: init and calls may return ncclInProgress; the caller polls.
  {
    ncclConfig_t nb = NCCL_CONFIG_INITIALIZER;
    nb.blocking = 0;
    ncclComm_t c2 = nullptr;
    const ncclResult_t r = ncclCommInitRankConfig(&c2, P, nbId, rank, &nb);
    rep.add(std::string("nonblocking init ") + (r == ncclSuccess || r == ncclInProgress ? "ok" : "failed"));
    rep.rc("nonblocking settled", settle(c2));
    const size_t cnt = size_t{1} << 18;
    DeviceBuffer in(cnt * 2), out(cnt * 2);
    in.upload(integerBytes(ncclBfloat16, cnt, rank));
    const ncclResult_t ar = ncclAllReduce(in.p, out.p, cnt, ncclBfloat16, ncclSum, c2, s);
    rep.add(std::string("nonblocking allreduce ") + (ar == ncclSuccess || ar == ncclInProgress ? "ok" : "failed"));
    rep.rc("nonblocking allreduce settled", settle(c2));
    rep.add("nonblocking digest " + hex(out.digest(s, cnt * 2)));
    ncclCommFinalize(c2);
    rep.rc("nonblocking finalize settled", settle(c2));
    rep.rc("nonblocking destroy", ncclCommDestroy(c2));
  }
  stop.store(true);
  watchdog.join();
  rep.add(std::string("watchdog polled ") + (polls.load() > 0 ? "yes" : "no") + ", errors seen " +
          std::to_string(bad.load()));
  rep.rc("finalize", ncclCommFinalize(comm));
  rep.rc("destroy", ncclCommDestroy(comm));
  cudaStreamDestroy(s);
}

// Groups on one communicator per thread, as nccl-tests (-g 1) and FSDP make them: the
// communicator made alone inside a group, one collective a group (1 and 2 deep), several
// collectives in one group, a group that also sends and receives, a group of small calls, an
// argument error inside a group, then an ungrouped call.
void groupsScenario(int P, int rank, const ncclUniqueId& id, Report& rep) {
  cudaStream_t s;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  ncclComm_t comm = nullptr;
  rep.rc("group start (init)", ncclGroupStart());
  rep.rc("init in a group", ncclCommInitRank(&comm, P, id, rank));
  rep.rc("group end (init)", ncclGroupEnd());
  const size_t cnt = (size_t{1} << 18) + 7;
  DeviceBuffer a(cnt * 2 * P), b(cnt * 2 * P), c(cnt * 4 * P), d(cnt * 4 * P);
  a.upload(realBytes(ncclBfloat16, cnt * 2 * P, rank));
  c.upload(integerBytes(ncclFloat32, cnt * P, rank));
  for (int nest = 1; nest <= 2; ++nest) {  // nccl-tests: every call in a group, -m nests them
    const std::string n = " nest " + std::to_string(nest);
    b.clear();
    for (int i = 0; i < nest; ++i) ncclGroupStart();
    const ncclResult_t r = ncclAllGather(a.p, b.p, cnt, ncclBfloat16, comm, s);
    for (int i = 0; i < nest; ++i) rep.rc(("group end" + n).c_str(), ncclGroupEnd());
    record(rep, "grouped allgather bf16" + n, r, b, s, cnt * 2 * P);
    d.clear();
    for (int i = 0; i < nest; ++i) ncclGroupStart();
    const ncclResult_t r2 = ncclAllReduce(c.p, d.p, cnt, ncclFloat32, ncclSum, comm, s);
    for (int i = 0; i < nest; ++i) rep.rc(("group end" + n).c_str(), ncclGroupEnd());
    record(rep, "grouped allreduce sum fp32" + n, r2, d, s, cnt * 4);
  }
  {  // FSDP coalesced: several collectives of one communicator in one group
    DeviceBuffer g(cnt * 2 * P), m(cnt * 2), x(cnt * 4);
    g.clear();
    m.clear();
    x.clear();
    rep.rc("coalesced start", ncclGroupStart());
    rep.rc("coalesced allgather", ncclAllGather(a.p, g.p, cnt, ncclBfloat16, comm, s));
    rep.rc("coalesced reducescatter max", ncclReduceScatter(a.p, m.p, cnt, ncclBfloat16, ncclMax, comm, s));
    rep.rc("coalesced broadcast", ncclBroadcast(c.p, x.p, cnt, ncclFloat32, P - 1, comm, s));
    rep.rc("coalesced end", ncclGroupEnd());
    rep.add("coalesced digests " + hex(g.digest(s, cnt * 2 * P)) + " " + hex(m.digest(s, cnt * 2)) + " " +
            hex(x.digest(s, cnt * 4)));
  }
  {  // a group with point-to-point calls as well: the whole group is NCCL's
    DeviceBuffer in(cnt * 2), got(cnt * 2);
    in.upload(realBytes(ncclBfloat16, cnt * 2, rank + 5));
    got.clear();
    d.clear();
    rep.rc("mixed start", ncclGroupStart());
    rep.rc("mixed allreduce", ncclAllReduce(c.p, d.p, cnt, ncclFloat32, ncclSum, comm, s));
    rep.rc("mixed send", ncclSend(in.p, cnt, ncclBfloat16, (rank + 1) % P, comm, s));
    rep.rc("mixed recv", ncclRecv(got.p, cnt, ncclBfloat16, (rank + P - 1) % P, comm, s));
    rep.rc("mixed end", ncclGroupEnd());
    rep.add("mixed digests " + hex(d.digest(s, cnt * 4)) + " " + hex(got.digest(s, cnt * 2)));
  }
  {  // small calls, together under ZCCL_NCCL_MIN_BYTES
    d.clear();
    rep.rc("small start", ncclGroupStart());
    rep.rc("small allreduce 1", ncclAllReduce(c.p, d.p, 1000, ncclFloat32, ncclSum, comm, s));
    rep.rc("small allreduce 2", ncclAllReduce(c.p, static_cast<float*>(d.p) + 1000, 1000, ncclFloat32, ncclMax, comm, s));
    rep.rc("small end", ncclGroupEnd());
    rep.add("small digest " + hex(d.digest(s, 2000 * 4)));
  }
  b.clear();
  record(rep, "ungrouped allgather bf16", ncclAllGather(a.p, b.p, cnt, ncclBfloat16, comm, s), b, s, cnt * 2 * P);
  {  // an argument error inside a group: NCCL's code from the call and from the group's end
    rep.rc("error start", ncclGroupStart());
    rep.rc("error allreduce ok", ncclAllReduce(c.p, d.p, cnt, ncclFloat32, ncclSum, comm, s));
    rep.rc("error allreduce null recvbuff", ncclAllReduce(c.p, nullptr, cnt, ncclFloat32, ncclSum, comm, s));
    rep.rc("error end", ncclGroupEnd());
    cudaStreamSynchronize(s);
  }
  rep.rc("groups destroy", ncclCommDestroy(comm));
  cudaStreamDestroy(s);
}

// Bad calls: the codes NCCL gives them (run with or without the shim, the same).
void misuseScenario(int P, int rank, const ncclUniqueId& id, Report& rep) {
  cudaStream_t s;
  cudaStreamCreate(&s);
  ncclComm_t comm = nullptr;
  rep.rc("init", ncclCommInitRank(&comm, P, id, rank));
  DeviceBuffer buf(size_t{1} << 20);
  rep.rc("allreduce null comm", ncclAllReduce(buf.p, buf.p, 1 << 18, ncclFloat32, ncclSum, nullptr, s));
  rep.rc("allreduce unknown op", ncclAllReduce(buf.p, buf.p, 1 << 18, ncclFloat32, static_cast<ncclRedOp_t>(77),
                                               comm, s));
  rep.rc("allgather null recvbuff", ncclAllGather(buf.p, nullptr, 1 << 16, ncclFloat32, comm, s));
  rep.rc("count null comm", ncclCommCount(nullptr, nullptr));
  rep.rc("destroy", ncclCommDestroy(comm));
  // A destroyed communicator: use after free on the real library; the stand-in keeps its memory
  // and answers ncclInvalidUsage, which the shim must pass on (the side table forgot the handle).
  rep.rc("allreduce destroyed comm", ncclAllReduce(buf.p, buf.p, 1 << 18, ncclFloat32, ncclSum, comm, s));
  rep.add(std::string("error string 3: ") + ncclGetErrorString(ncclInternalError));
  cudaStreamDestroy(s);
}

// Rank 0 starts a large all-reduce that rank 1 never joins; rank 0's watchdog aborts after a
// second. Nothing may hang; rank 1 aborts its own communicator.
void abortScenario(int P, int rank, const ncclUniqueId& id, Report& rep) {
  cudaStream_t s;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  ncclComm_t comm = nullptr;
  rep.rc("init", ncclCommInitRank(&comm, P, id, rank));
  if (rank != 0) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    rep.rc("abort (idle rank)", ncclCommAbort(comm));
    cudaStreamDestroy(s);
    return;
  }
  const size_t cnt = size_t{1} << 20;
  DeviceBuffer in(cnt * 2), out(cnt * 2);
  in.upload(integerBytes(ncclBfloat16, cnt, rank));
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    const auto start = std::chrono::steady_clock::now();
    while (!done.load() && std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!done.load()) ncclCommAbort(comm);
  });
  ncclAllReduce(in.p, out.p, cnt, ncclBfloat16, ncclSum, comm, s);  // returns at once (NCCL) or fails (shim)
  const auto start = std::chrono::steady_clock::now();
  while (cudaStreamQuery(s) == cudaErrorNotReady &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  done.store(true);
  watchdog.join();
  rep.add(std::string("aborted call came back: ") +
          (std::chrono::steady_clock::now() - start < std::chrono::seconds(30) ? "yes" : "no"));
  cudaStreamDestroy(s);
}

// nccl-tests' habits: one thread, D devices, communicators made in one group, grouped calls.
void devicesScenario(int D, std::vector<Report>& reps) {
  ncclUniqueId id;
  ncclGetUniqueId(&id);
  std::vector<ncclComm_t> comms(D);
  std::vector<cudaStream_t> streams(D);
  std::vector<void*> send(D), recv(D);
  const size_t cnt = (size_t{1} << 18) + 3;
  ncclGroupStart();
  for (int d = 0; d < D; ++d) {
    cudaSetDevice(d);
    ncclCommInitRank(&comms[d], D, id, d);
  }
  reps[0].rc("group init", ncclGroupEnd());
  for (int d = 0; d < D; ++d) {
    cudaSetDevice(d);
    cudaStreamCreate(&streams[d]);
    ncclMemAlloc(&send[d], cnt * 4 * D);
    ncclMemAlloc(&recv[d], cnt * 4 * D);
    const std::vector<uint8_t> v = integerBytes(ncclFloat32, cnt * D, d);
    cudaMemcpy(send[d], v.data(), v.size(), cudaMemcpyHostToDevice);
  }
  auto digest = [&](int d, void* p, size_t bytes) {
    cudaStreamSynchronize(streams[d]);
    std::vector<uint8_t> h(bytes);
    cudaMemcpy(h.data(), p, bytes, cudaMemcpyDeviceToHost);
    return hex(fnv1a(h.data(), bytes));
  };
  using Op = std::function<ncclResult_t(int, void*, void*)>;
  const std::vector<std::pair<std::string, Op>> ops = {
      {"allreduce", [&](int d, void* a, void* b) { return ncclAllReduce(a, b, cnt, ncclFloat32, ncclSum, comms[d], streams[d]); }},
      {"allgather", [&](int d, void* a, void* b) { return ncclAllGather(a, b, cnt, ncclFloat32, comms[d], streams[d]); }},
      {"reducescatter", [&](int d, void* a, void* b) { return ncclReduceScatter(a, b, cnt, ncclFloat32, ncclSum, comms[d], streams[d]); }},
      {"alltoall", [&](int d, void* a, void* b) { return ncclAlltoAll(a, b, cnt, ncclFloat32, comms[d], streams[d]); }},
      {"broadcast", [&](int d, void* a, void* b) { return ncclBroadcast(a, b, cnt, ncclFloat32, 0, comms[d], streams[d]); }},
      {"reduce", [&](int d, void* a, void* b) { return ncclReduce(a, b, cnt, ncclFloat32, ncclSum, 0, comms[d], streams[d]); }},
  };
  for (const auto& [name, op] : ops) {
    for (int nest = 1; nest <= 2; ++nest) {  // nccl-tests -m: groups inside groups
      for (int d = 0; d < D; ++d) cudaMemset(recv[d], 0, cnt * 4 * D);  // a call that did nothing shows
      for (int i = 0; i < nest; ++i) ncclGroupStart();
      for (int d = 0; d < D; ++d) reps[d].rc((name + " enqueue").c_str(), op(d, send[d], recv[d]));
      for (int i = 0; i < nest; ++i) ncclGroupEnd();
      for (int d = 0; d < D; ++d) {
        const size_t bytes = name == "allgather" || name == "alltoall" ? cnt * 4 * D : cnt * 4;
        if (name == "reduce" && d != 0) continue;
        reps[d].add(name + " nest " + std::to_string(nest) + " digest " + digest(d, recv[d], bytes));
      }
    }
  }
  // In place: all-gather at recvbuff + rank * count.
  ncclGroupStart();
  for (int d = 0; d < D; ++d) {
    cudaMemcpy(static_cast<uint8_t*>(recv[d]) + d * cnt * 4, send[d], cnt * 4, cudaMemcpyDeviceToDevice);
    ncclAllGather(static_cast<uint8_t*>(recv[d]) + d * cnt * 4, recv[d], cnt, ncclFloat32, comms[d], streams[d]);
  }
  ncclGroupEnd();
  for (int d = 0; d < D; ++d) reps[d].add("allgather in place digest " + digest(d, recv[d], cnt * 4 * D));
  // A PreMulSum per call, made and destroyed right after the enqueue (nccl-tests -o premulsum).
  ncclGroupStart();
  std::vector<ncclRedOp_t> pm(D);
  std::vector<float> scalars(D);
  for (int d = 0; d < D; ++d) {
    scalars[d] = 1.0f / static_cast<float>(d + 1);
    ncclRedOpCreatePreMulSum(&pm[d], &scalars[d], ncclFloat32, ncclScalarHostImmediate, comms[d]);
    ncclAllReduce(send[d], recv[d], cnt, ncclFloat32, pm[d], comms[d], streams[d]);
    ncclRedOpDestroy(pm[d], comms[d]);
  }
  ncclGroupEnd();
  for (int d = 0; d < D; ++d) reps[d].add("premulsum digest " + digest(d, recv[d], cnt * 4));
  for (int d = 0; d < D; ++d) {
    ncclMemFree(send[d]);
    ncclMemFree(recv[d]);
    cudaStreamDestroy(streams[d]);
    reps[d].rc("destroy", ncclCommDestroy(comms[d]));
  }
}

// What the real libnccl.so.2 answers on a machine without a GPU.
void noGpuScenario(Report& rep) {
  int version = 0;
  rep.rc("ncclGetVersion", ncclGetVersion(&version));
  rep.add("version " + std::to_string(version));
  for (int r = 0; r <= 7; ++r) rep.add("error string " + std::to_string(r) + ": " + ncclGetErrorString(static_cast<ncclResult_t>(r)));
  ncclUniqueId id;
  rep.rc("ncclGetUniqueId", ncclGetUniqueId(&id));
  ncclComm_t comm = nullptr;
  rep.rc("ncclCommInitRank", ncclCommInitRank(&comm, 1, id, 0));
  rep.add(std::string("comm is null: ") + (comm == nullptr ? "yes" : "no"));
  const char* last = ncclGetLastError(nullptr);
  rep.add(std::string("last error set: ") + (last != nullptr && *last != '\0' ? "yes" : "no"));
  void* p = nullptr;
  rep.rc("ncclMemAlloc", ncclMemAlloc(&p, 1 << 20));
}

void write(const std::string& out, int rank, const Report& rep) {
  std::ofstream f(out + ".rank" + std::to_string(rank));
  for (const std::string& l : rep.lines) f << l << "\n";
}

void runThreads(int P, const std::string& out) {
  ncclUniqueId ids[5];
  for (auto& id : ids) ncclGetUniqueId(&id);
  std::vector<Report> reps(P);
  std::vector<std::thread> threads;
  for (int r = 0; r < P; ++r) {
    threads.emplace_back([&, r] {
      cudaSetDevice(r);
      pytorchScenario(P, r, ids[0], ids[1], reps[r]);
      groupsScenario(P, r, ids[4], reps[r]);
      misuseScenario(P, r, ids[2], reps[r]);
      abortScenario(P, r, ids[3], reps[r]);
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < P; ++r) write(out, r, reps[r]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s threads P OUT | devices D OUT | mpi OUT | nogpu OUT\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "threads" && argc == 4) {
    runThreads(std::atoi(argv[2]), argv[3]);
  } else if (mode == "devices" && argc == 4) {
    const int D = std::atoi(argv[2]);
    std::vector<Report> reps(D);
    devicesScenario(D, reps);
    for (int d = 0; d < D; ++d) write(argv[3], d, reps[d]);
  } else if (mode == "nogpu") {
    Report rep;
    noGpuScenario(rep);
    write(argv[2], 0, rep);
#ifdef NCCL_CALLERS_WITH_MPI
  } else if (mode == "mpi") {
    MPI_Init(&argc, &argv);
    int rank = 0, P = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    ncclUniqueId ids[3];
    if (rank == 0) for (auto& id : ids) ncclGetUniqueId(&id);
    MPI_Bcast(ids, sizeof(ids), MPI_BYTE, 0, MPI_COMM_WORLD);
    cudaSetDevice(rank);
    Report rep;
    pytorchScenario(P, rank, ids[0], ids[1], rep);
    groupsScenario(P, rank, ids[2], rep);
    write(argv[2], rank, rep);
    MPI_Finalize();
#endif
  } else {
    std::fprintf(stderr, "nccl_callers: unknown mode %s\n", mode.c_str());
    return 2;
  }
  return 0;
}
