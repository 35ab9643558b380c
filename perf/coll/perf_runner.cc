#include "perf_runner.h"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/dtype_size.h"
#include "memory_space.h"
#include "mpi_baseline.h"
#include "options.h"
#include "payload.h"
#include "report.h"
#include "zccl/zccl_mpi.h"

namespace zccl::perf {
namespace {

// A failed call leaves the ranks out of step: stop the whole job rather than hang.
[[noreturn]] void fatal(int rank, const std::string& what) {
  std::fprintf(stderr, "rank %d: %s\n", rank, what.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::_Exit(2);
}

void zcheck(zcclResult_t r, const char* what, int rank) {
  if (r != zcclSuccess) {
    fatal(rank, std::string(what) + " failed: " + zcclGetErrorString(r) + " (" + zcclGetLastError(nullptr) + ")");
  }
}

// True on every rank only if `ok` is true on every rank.
bool allOk(bool ok) {
  int v = ok ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return v == 1;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// What the ranks' ZipCCL communicators sent during a timed block, summed over ranks.
struct Traffic {
  double rawBytes = 0, wireBytes = 0, codecSeconds = 0;
};

class Runner {
 public:
  Runner(const PerfOptions& opt, const CollDesc& desc, int rank, int nranks, const char* binary)
      : opt_(opt),
        desc_(desc),
        rank_(rank),
        P_(nranks),
        binary_(binary),
        layout_{opt.compression == Compression::kBoth, opt.compression == Compression::kAll, opt.mpiBaseline} {}
  ~Runner();
  int run();

 private:
  bool setUp();
  zcclComm_t makeComm(int compression, int algorithm = ZCCL_CONFIG_UNDEF_INT);
  zcclComm_t referenceFor(const std::string& plan);
  std::string lastPlan(zcclComm_t comm);
  void printHeader();
  void runCase(zcclDataType_t dtype, zcclRedOp_t op);
  Measurement measure(const CollCounts& c, bool inPlace, bool rawFirst);
  double timeZccl(zcclComm_t comm, const CollCounts& c, bool inPlace, Traffic* traffic);
  double timeMpi(const CollCounts& c, bool inPlace);
  long long check(const CollCounts& c, bool inPlace);
  long long compare(zcclComm_t reference, zcclComm_t measured, const CollCounts& c, bool inPlace);
  void runOnce(zcclComm_t comm, const CollCounts& c, bool inPlace);
  void initData(const CollCounts& c, bool inPlace);
  uint8_t* sendPtr(const CollCounts& c, bool inPlace) const;
  uint8_t* recvPtr(const CollCounts& c, bool inPlace) const;
  double averageOverRanks(double v) const;
  size_t nextSize(size_t size) const;
  void sync();

  const PerfOptions opt_;
  const CollDesc& desc_;
  const int rank_, P_;
  const char* binary_;
  const TableLayout layout_;  // the table's columns, from -Z and -B
  Payload payload_;
  std::unique_ptr<MemorySpace> mem_;
  zcclComm_t raw_ = nullptr;                      // compression off: -Z both, and the reference of -c
  zcclComm_t measured_ = nullptr;                 // -Z's communicator (raw_ itself for -Z 0; auto's for -Z all)
  zcclComm_t on_ = nullptr;                       // -Z all: compression on
  std::map<std::string, zcclComm_t> references_;  // uncompressed, by algorithm: what -c compares with
  MpiBaseline baseline_;

  // The case being run.
  zcclDataType_t dtype_ = zcclFloat32;
  zcclRedOp_t op_ = zcclSum;
  size_t eb_ = 4;
  std::vector<uint8_t> payloadBytes_;           // this rank's payload for the largest size
  zcclDataType_t payloadDtype_ = zcclNumTypes;  // the dtype payloadBytes_ was made for (none yet)
  uint8_t* send_ = nullptr;
  uint8_t* recv_ = nullptr;
  size_t bufferBytes_ = 0;
  std::vector<uint8_t> expected_, result_;

  std::vector<Row> rows_;
  long long wrong_ = 0;
  double busBwSum_ = 0, ratioSum_ = 0, speedupSum_ = 0;
  int busBwCount_ = 0, ratioCount_ = 0, speedupCount_ = 0;
  double worstVsBest_ = -1;  // -Z all: the smallest min(off, on) / auto of any row
  size_t worstVsBestBytes_ = 0;
  double lastAutoSpeedup_ = -1;  // -Z all: off / auto at the largest size
};

Runner::~Runner() {
  if (mem_ != nullptr) {
    mem_->release(send_);
    mem_->release(recv_);
  }
  if (measured_ != nullptr && measured_ != raw_) zcclCommDestroy(measured_);
  if (on_ != nullptr) zcclCommDestroy(on_);
  for (auto& [name, comm] : references_) zcclCommDestroy(comm);
  if (raw_ != nullptr) zcclCommDestroy(raw_);
}

zcclComm_t Runner::makeComm(int compression, int algorithm) {
  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;  // other fields: ZCCL_* variables, else defaults
  config.compression = compression;
  config.algorithm = algorithm;
  zcclComm_t comm = nullptr;
  if (opt_.backend == Backend::kMpi) {
    zcheck(zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &config), "zcclCommInitMpiConfig", rank_);
    return comm;
  }
  zcclUniqueId id;
  if (rank_ == 0) zcheck(zcclGetUniqueId(&id), "zcclGetUniqueId", rank_);
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  zcheck(zcclCommInitRankConfig(&comm, P_, id, rank_, &config), "zcclCommInitRankConfig", rank_);
  return comm;
}

bool Runner::setUp() {
  std::string error;
  bool ok = payload_.load(opt_.payload, &error);
  if (!allOk(ok)) {
    if (!ok) std::fprintf(stderr, "rank %d: -D %s: %s\n", rank_, opt_.payload.c_str(), error.c_str());
    return false;
  }
  if (desc_.rooted && opt_.root >= P_) {
    if (rank_ == 0) std::fprintf(stderr, "%s: root %d is not a rank of %d\n", binary_, opt_.root, P_);
    return false;
  }
  if (opt_.backend == Backend::kMpi) {
    mem_ = makeHostMemory();
  } else {
    MPI_Comm node;
    int localRank = 0;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &localRank);
    MPI_Comm_free(&node);
    mem_ = makeDeviceMemory(localRank, &error);
  }
  if (!allOk(mem_ != nullptr)) {
    if (mem_ == nullptr) std::fprintf(stderr, "rank %d: --backend nccl: %s\n", rank_, error.c_str());
    return false;
  }
  static const int kModes[] = {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON, ZCCL_COMPRESSION_AUTO, ZCCL_COMPRESSION_ON,
                               ZCCL_COMPRESSION_AUTO};
  const int mode = kModes[static_cast<int>(opt_.compression)];
  raw_ = makeComm(ZCCL_COMPRESSION_OFF);
  measured_ = mode == ZCCL_COMPRESSION_OFF ? raw_ : makeComm(mode);
  if (opt_.compression == Compression::kAll) on_ = makeComm(ZCCL_COMPRESSION_ON);
  return true;
}

std::string Runner::lastPlan(zcclComm_t comm) {
  zcclCommStats_t s{};
  zcheck(zcclCommGetStats(comm, &s), "zcclCommGetStats", rank_);
  return s.lastPlan;
}

// The uncompressed run of the same algorithm as `plan` (every rank derives the same plan, so every
// rank creates the same communicators in the same order): a lossless result must equal its bytes.
zcclComm_t Runner::referenceFor(const std::string& plan) {
  const std::string algorithm = plan.substr(0, plan.find('/'));
  const int forced = algorithm == "plain"      ? ZCCL_ALGO_PLAIN
                     : algorithm == "ring"     ? ZCCL_ALGO_RING
                     : algorithm == "hier"     ? ZCCL_ALGO_HIER
                     : algorithm == "doubling" ? ZCCL_ALGO_DOUBLING
                                               : -1;
  if (forced < 0) return raw_;  // direct, chain, pairwise: raw_'s defaults
  auto it = references_.find(algorithm);
  if (it != references_.end()) return it->second;
  const zcclComm_t comm = makeComm(ZCCL_COMPRESSION_OFF, forced);
  references_[algorithm] = comm;
  return comm;
}

void Runner::sync() {
  std::string error;
  if (!mem_->synchronize(&error)) fatal(rank_, error);
}

uint8_t* Runner::sendPtr(const CollCounts& c, bool inPlace) const {
  return inPlace ? recv_ + c.sendInplaceOffset * rank_ * eb_ : send_;
}

uint8_t* Runner::recvPtr(const CollCounts& c, bool inPlace) const {
  return inPlace ? recv_ + c.recvInplaceOffset * rank_ * eb_ : recv_;
}

void Runner::initData(const CollCounts& c, bool inPlace) {
  std::string error;
  if (!mem_->upload(sendPtr(c, inPlace), payloadBytes_.data(), c.send * eb_, &error)) fatal(rank_, error);
}

double Runner::averageOverRanks(double v) const {
  switch (opt_.average) {
    case 0:
      MPI_Bcast(&v, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      return v;
    case 2:
      MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
      return v;
    case 3:
      MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      return v;
    default:
      MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
      return v / P_;
  }
}

double Runner::timeZccl(zcclComm_t comm, const CollCounts& c, bool inPlace, Traffic* traffic) {
  initData(c, inPlace);
  zcclCommStats_t s0{}, s1{};
  zcheck(zcclCommGetStats(comm, &s0), "zcclCommGetStats", rank_);
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = now();
  for (int i = 0; i < opt_.iters; ++i) {
    zcheck(runZccl(desc_, sendPtr(c, inPlace), recvPtr(c, inPlace), c.param, dtype_, op_, opt_.root, rank_, P_, comm,
                   mem_->stream()),
           desc_.name, rank_);
  }
  sync();
  const double seconds = (now() - t0) / opt_.iters;
  zcheck(zcclCommGetStats(comm, &s1), "zcclCommGetStats", rank_);
  double t[3] = {static_cast<double>(s1.rawBytes - s0.rawBytes),
                 static_cast<double>(s1.wireBytes - s0.wireBytes + s1.controlBytes - s0.controlBytes),
                 s1.codecSeconds - s0.codecSeconds};
  MPI_Allreduce(MPI_IN_PLACE, t, 3, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  *traffic = Traffic{t[0], t[1], t[2]};
  return averageOverRanks(seconds) * 1e6;
}

double Runner::timeMpi(const CollCounts& c, bool inPlace) {
  initData(c, inPlace);
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = now();
  for (int i = 0; i < opt_.iters; ++i) {
    const int rc = baseline_.run(desc_, c, sendPtr(c, inPlace), recvPtr(c, inPlace), inPlace, opt_.root);
    if (rc != MPI_SUCCESS) fatal(rank_, std::string("MPI baseline of ") + desc_.name + " failed");
  }
  return averageOverRanks((now() - t0) / opt_.iters) * 1e6;
}

void Runner::runOnce(zcclComm_t comm, const CollCounts& c, bool inPlace) {
  std::string error;
  // Poison the receive buffer, so that a result the collective does not write cannot pass: all the
  // collective can touch at this size (in place, the send data lies in it too).
  if (!mem_->fill(recv_, 0xA5, std::max(c.send, c.recv) * eb_, &error)) fatal(rank_, error);
  initData(c, inPlace);
  zcheck(runZccl(desc_, sendPtr(c, inPlace), recvPtr(c, inPlace), c.param, dtype_, op_, opt_.root, rank_, P_, comm,
                 mem_->stream()),
         desc_.name, rank_);
  sync();
}

long long Runner::check(const CollCounts& c, bool inPlace) {
  runOnce(measured_, c, inPlace);  // its plan names the reference
  long long wrong = compare(referenceFor(lastPlan(measured_)), measured_, c, inPlace);
  if (on_ != nullptr) wrong += compare(raw_, on_, c, inPlace);
  return wrong;
}

long long Runner::compare(zcclComm_t reference, zcclComm_t measured, const CollCounts& c, bool inPlace) {
  const size_t bytes = desc_.hasResult(rank_, opt_.root) ? c.recv * eb_ : 0;
  std::string error;
  expected_.resize(bytes);
  result_.resize(bytes);
  runOnce(reference, c, inPlace);
  if (!mem_->download(expected_.data(), recvPtr(c, inPlace), bytes, &error)) fatal(rank_, error);
  runOnce(measured, c, inPlace);
  if (!mem_->download(result_.data(), recvPtr(c, inPlace), bytes, &error)) fatal(rank_, error);
  long long wrong = 0;
  for (size_t i = 0; i < bytes; i += eb_) wrong += std::memcmp(&expected_[i], &result_[i], eb_) != 0;
  MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return wrong;
}

Measurement Runner::measure(const CollCounts& c, bool inPlace, bool rawFirst) {
  Measurement m;
  if (inPlace && !desc_.inPlace) return m;
  m.present = true;
  const bool both = opt_.compression == Compression::kBoth;
  Traffic traffic, ignored;
  if (opt_.compression == Compression::kAll) {  // the three in a rotating order, row by row
    for (int i = 0; i < 3; ++i) {
      const int which = (i + static_cast<int>(rows_.size())) % 3;
      if (which == 0) m.rawTimeUs = timeZccl(raw_, c, inPlace, &ignored);
      if (which == 1) m.onTimeUs = timeZccl(on_, c, inPlace, &ignored);
      if (which == 2) m.timeUs = timeZccl(measured_, c, inPlace, &traffic);
    }
  } else {
    // -Z both alternates which variant runs first from row to row, so neither always follows the other.
    if (both && rawFirst) m.rawTimeUs = timeZccl(raw_, c, inPlace, &ignored);
    m.timeUs = timeZccl(measured_, c, inPlace, &traffic);
    if (both && !rawFirst) m.rawTimeUs = timeZccl(raw_, c, inPlace, &ignored);
  }
  m.plan = lastPlan(measured_);
  if (opt_.mpiBaseline) m.mpiTimeUs = timeMpi(c, inPlace);
  const double bytes = static_cast<double>(std::max(c.send, c.recv) * eb_);
  m.algBw = m.timeUs > 0 ? bytes / 1e9 / (m.timeUs / 1e6) : 0;
  m.busBw = m.algBw * desc_.busFactor(P_);
  m.ratio = traffic.rawBytes > 0 ? traffic.wireBytes / traffic.rawBytes : -1;
  m.codecUs = traffic.codecSeconds / P_ / opt_.iters * 1e6;
  if (opt_.check) m.wrong = check(c, inPlace);
  return m;
}

void Runner::printHeader() {
  if (rank_ == 0) {
    const bool factor = opt_.stepFactor > 1;
    std::printf(
        "# nThread 1 nGpus 1 minBytes %zu maxBytes %zu step: %zu(%s) warmup iters: %d iters: %d agg iters: 1 "
        "validation: %d graph: 0\n#\n",
        opt_.minBytes, opt_.maxBytes, factor ? opt_.stepFactor : opt_.stepBytes, factor ? "factor" : "bytes",
        opt_.warmupIters, opt_.iters, opt_.check);
    std::printf("# ZipCCL %d.%d.%d  %s  %d ranks  backend %s\n", ZCCL_MAJOR, ZCCL_MINOR, ZCCL_PATCH, desc_.name, P_,
                opt_.backend == Backend::kMpi ? "mpi (host buffers)" : "nccl (GPU buffers)");
    std::printf("# compression %s%s\n", compressionName(opt_.compression),
                opt_.compression == Compression::kBoth
                    ? " (time, algbw, busbw: compression on; rawtime: off; alternating in this run)"
                : opt_.compression == Compression::kAll
                    ? " (time, algbw, busbw: auto; offtime: off; ontime: on; in turns in this run; vs_best: "
                      "min(offtime, ontime) / time)"
                    : "");
    std::printf("# payload %s\n", payload_.describe().c_str());
    if (opt_.mpiBaseline) std::printf("# mpitime: Open MPI's own collective on the same data\n");
    std::printf("#\n# Using devices\n");
  }
  char host[64] = {0}, line[256];
  gethostname(host, sizeof host - 1);
  std::snprintf(line, sizeof line, "#  Rank %2d Group  0 Pid %6d on %10s %s", rank_, static_cast<int>(getpid()), host,
                mem_->name().c_str());
  std::vector<char> all(rank_ == 0 ? sizeof line * P_ : 0);
  MPI_Gather(line, sizeof line, MPI_CHAR, all.data(), sizeof line, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank_ == 0) {
    for (int p = 0; p < P_; ++p) std::printf("%s\n", &all[p * sizeof line]);
    std::printf("#\n");
    printTableHeader(stdout, layout_);
  }
}

void Runner::runCase(zcclDataType_t dtype, zcclRedOp_t op) {
  dtype_ = dtype;
  op_ = op;
  eb_ = dtypeBytes(dtype);
  const CollCounts most = desc_.counts(opt_.maxBytes, eb_, P_);
  const size_t need = std::max(most.send, most.recv) * eb_;
  std::string error;
  if (need > bufferBytes_) {
    mem_->release(send_);
    mem_->release(recv_);
    send_ = static_cast<uint8_t*>(mem_->allocate(need, &error));
    recv_ = send_ ? static_cast<uint8_t*>(mem_->allocate(need, &error)) : nullptr;
    if (recv_ == nullptr) fatal(rank_, error);
    bufferBytes_ = need;
  }
  if (dtype != payloadDtype_) {  // the payload depends on the dtype only, not on the op
    payloadBytes_ = payload_.make(dtype, rank_, most.send * eb_);
    payloadDtype_ = dtype;
  }
  if (opt_.mpiBaseline && !baseline_.prepare(dtype, op, &error)) fatal(rank_, error);

  // Warm-up at the largest and the smallest size, as nccl-tests does.
  for (size_t bytes : {opt_.maxBytes, opt_.minBytes}) {
    const CollCounts c = desc_.counts(bytes, eb_, P_);
    initData(c, false);
    for (int i = 0; i < opt_.warmupIters; ++i) {
      // The -Z communicator, then (-Z both) the uncompressed one; under -Z 0 they are the same one.
      zcheck(runZccl(desc_, send_, recv_, c.param, dtype_, op_, opt_.root, rank_, P_, measured_, mem_->stream()),
             desc_.name, rank_);
      if (opt_.compression == Compression::kBoth || opt_.compression == Compression::kAll) {
        zcheck(runZccl(desc_, send_, recv_, c.param, dtype_, op_, opt_.root, rank_, P_, raw_, mem_->stream()),
               desc_.name, rank_);
      }
      if (on_ != nullptr) {
        zcheck(runZccl(desc_, send_, recv_, c.param, dtype_, op_, opt_.root, rank_, P_, on_, mem_->stream()),
               desc_.name, rank_);
      }
      if (opt_.mpiBaseline && baseline_.run(desc_, c, send_, recv_, false, opt_.root) != MPI_SUCCESS) {
        fatal(rank_, "MPI baseline warm-up failed");
      }
    }
    sync();
  }

  for (size_t size = opt_.minBytes; size <= opt_.maxBytes; size = nextSize(size)) {
    const CollCounts c = desc_.counts(size, eb_, P_);
    Row row;
    row.bytes = std::max(c.send, c.recv) * eb_;
    row.count = c.param;
    row.type = typeName(dtype);
    row.redop = desc_.reduces ? opName(op) : "none";
    row.root = desc_.rooted ? opt_.root : -1;
    if (rank_ == 0) printRowPrefix(stdout, row);
    for (int half = 0; half < 2; ++half) {
      Measurement& m = row.m[half];
      m = measure(c, half == 1, rows_.size() % 2 == 0);
      if (rank_ == 0) printMeasurement(stdout, layout_, m);
      if (!m.present) continue;
      wrong_ += std::max(0LL, m.wrong);
      busBwSum_ += m.busBw;
      ++busBwCount_;
      if (m.ratio >= 0) {
        ratioSum_ += m.ratio;
        ++ratioCount_;
      }
      if (m.rawTimeUs >= 0 && m.timeUs > 0) {
        speedupSum_ += m.rawTimeUs / m.timeUs;
        ++speedupCount_;
      }
      if (m.onTimeUs >= 0 && m.rawTimeUs >= 0 && m.timeUs > 0) {
        const double vsBest = std::min(m.rawTimeUs, m.onTimeUs) / m.timeUs;
        if (worstVsBest_ < 0 || vsBest < worstVsBest_) worstVsBest_ = vsBest, worstVsBestBytes_ = row.bytes;
        if (half == 0) lastAutoSpeedup_ = m.rawTimeUs / m.timeUs;
      }
    }
    if (rank_ == 0) {
      std::printf("\n");
      std::fflush(stdout);
    }
    rows_.push_back(row);
    if (size == SIZE_MAX) break;
  }
}

size_t Runner::nextSize(size_t size) const {
  if (opt_.stepFactor > 1) {
    if (size == 0) return 1;  // -b 0 -f N: 0, 1, N, N^2, ...
    return size > SIZE_MAX / opt_.stepFactor ? SIZE_MAX : size * opt_.stepFactor;
  }
  return size > SIZE_MAX - opt_.stepBytes ? SIZE_MAX : size + opt_.stepBytes;
}

int Runner::run() {
  if (!setUp()) return 1;
  std::vector<zcclDataType_t> dtypes = opt_.dtypes;
  if (!opt_.dtypeGiven && payload_.fromFile()) dtypes = {payload_.fileDtype()};
  std::vector<zcclRedOp_t> ops = desc_.reduces ? opt_.ops : std::vector<zcclRedOp_t>{zcclSum};
  printHeader();
  for (zcclDataType_t d : dtypes) {
    for (zcclRedOp_t op : ops) runCase(d, op);
  }
  const double avgBusBw = busBwCount_ ? busBwSum_ / busBwCount_ : 0;
  // The library's own ledger of its scratch memory (bounded by ZCCL_SCRATCH_BYTES), worst rank.
  zcclCommStats_t stats{};
  if (measured_ != nullptr) zcclCommGetStats(measured_, &stats);
  unsigned long long peak = stats.scratchPeakBytes, worstPeak = 0;
  MPI_Reduce(&peak, &worstPeak, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank_ == 0) {
    std::printf("# Out of bounds values : %lld %s\n", wrong_, wrong_ ? "FAILED" : "OK");
    std::printf("# Avg bus bandwidth    : %g \n", avgBusBw);
    std::printf("# Scratch peak         : %.1f MiB per rank (zcclCommStats_t.scratchPeakBytes, worst rank)\n",
                static_cast<double>(worstPeak) / (1 << 20));
    if (ratioCount_) std::printf("# Avg size ratio       : %.4f \n", ratioSum_ / ratioCount_);
    if (speedupCount_ && opt_.compression == Compression::kBoth)
      std::printf("# Avg speedup          : %.3fx (compression on vs off)\n", speedupSum_ / speedupCount_);
    if (worstVsBest_ >= 0) {
      std::printf("# Auto vs off, largest : %.3fx\n", lastAutoSpeedup_);
      std::printf("# Auto vs best, worst  : %.3fx at %zu bytes (min(off, on) / auto)\n", worstVsBest_,
                  worstVsBestBytes_);
    }
    std::printf("#\n");
    if (!opt_.jsonPath.empty() &&
        !writeJson(opt_.jsonPath, binary_, opt_, P_, payload_.describe(), rows_, wrong_, avgBusBw)) {
      std::fprintf(stderr, "%s: cannot write %s\n", binary_, opt_.jsonPath.c_str());
      return 1;
    }
  }
  return wrong_ ? 1 : 0;
}

}  // namespace

int perfMain(int argc, char** argv, CollKind kind) {
  setlinebuf(stdout);
  MPI_Init(&argc, &argv);
  int rank = 0, nranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  PerfOptions opt;
  std::string error;
  const int parsed = parseOptions(argc, argv, &opt, &error);
  int status = 0;
  if (parsed != 0) {
    if (rank == 0 && parsed > 0) printUsage(argv[0]);
    if (rank == 0 && parsed < 0) std::fprintf(stderr, "%s: %s\n", argv[0], error.c_str());
    status = parsed < 0 ? 1 : 0;
  } else {
    const char* slash = std::strrchr(argv[0], '/');
    Runner runner(opt, collDesc(kind), rank, nranks, slash ? slash + 1 : argv[0]);
    status = runner.run();
  }
  MPI_Finalize();
  return status;
}

}  // namespace zccl::perf
