// Peak memory of one large collective per rank: ZipCCL compressed, ZipCCL uncompressed, or Open
// MPI's own collective, on one in-place buffer (so the figures are the library's memory, not the
// benchmark's copies). Prints, on rank 0 for the worst rank: the buffer, the process's peak
// resident memory before and after the call (getrusage), the growth, and the library's own
// scratch ledger (zcclCommStats_t.scratchPeakBytes).
//   mpirun -np 2 memory_perf allreduce|allgather BYTES on|off|mpi [float|bfloat16]
// Data: the first tensor of ../shared/data (tiled), or Gaussian where none is installed.
#include <mpi.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "synthetic.h"
#include "tensor_file.h"
#include "zccl/zccl_mpi.h"

namespace {

long long maxRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

size_t parseBytes(const std::string& s) {
  size_t v = std::stoull(s);
  const char unit = s.empty() ? 0 : s.back();
  if (unit == 'K') v <<= 10;
  if (unit == 'M') v <<= 20;
  if (unit == 'G') v <<= 30;
  return v;
}

// 16 MiB of the real tensor (or Gaussian), tiled over the buffer.
void fill(uint8_t* p, size_t bytes, zcclDataType_t d, int rank) {
  constexpr size_t kTile = size_t{16} << 20;
  std::vector<uint8_t> tile;
  const std::vector<std::string> files = zccl::data::findSharedTensorFiles();
  zccl::data::TensorFile tf;
  std::string error;
  if (!files.empty() && zccl::data::readTensorFile(files.front(), &tf, &error)) tile = zccl::data::concatTensors(tf);
  const size_t eb = d == zcclFloat32 ? 4 : 2;
  if (tile.size() < eb) tile = zccl::data::makeSynthetic(zccl::data::SyntheticSpec{}, d, kTile / eb, 1 + rank);
  if (tile.size() > kTile) tile.resize(kTile);
  tile.resize(tile.size() / eb * eb);
  for (size_t at = 0; at < bytes; at += tile.size()) std::memcpy(p + at, tile.data(), std::min(tile.size(), bytes - at));
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, P = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &P);
  if (argc < 4) {
    if (rank == 0) std::fprintf(stderr, "usage: memory_perf allreduce|allgather BYTES on|off|mpi [float|bfloat16]\n");
    MPI_Finalize();
    return 2;
  }
  const std::string coll = argv[1], mode = argv[3];
  const zcclDataType_t d = argc > 4 && std::string(argv[4]) == "bfloat16" ? zcclBfloat16 : zcclFloat32;
  const size_t eb = d == zcclFloat32 ? 4 : 2;
  const size_t bytes = parseBytes(argv[2]) / (eb * P) * (eb * P), count = bytes / eb;
  uint8_t* buf = static_cast<uint8_t*>(std::aligned_alloc(64, bytes));
  fill(buf, bytes, d, rank);

  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;
  config.compression = mode == "on" ? ZCCL_COMPRESSION_ON : ZCCL_COMPRESSION_OFF;
  config.algorithm = mode == "mpi" ? ZCCL_ALGO_PLAIN : ZCCL_ALGO_DIRECT;
  zcclComm_t comm = nullptr;
  if (zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &config) != zcclSuccess) {
    std::fprintf(stderr, "rank %d: %s\n", rank, zcclGetLastError(nullptr));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  const long long before = maxRssKiB();
  MPI_Barrier(MPI_COMM_WORLD);
  const auto t0 = std::chrono::steady_clock::now();
  zcclResult_t r = zcclSuccess;
  if (coll == "allreduce") {
    r = zcclAllReduce(buf, buf, count, d, zcclSum, comm, nullptr);
  } else {  // in place: this rank's block of the output is its input
    r = zcclAllGather(buf + rank * (bytes / P), buf, count / P, d, comm, nullptr);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  zcclCommStats_t stats{};
  zcclCommGetStats(comm, &stats);
  long long mine[3] = {before, maxRssKiB(), static_cast<long long>(stats.scratchPeakBytes >> 10)}, worst[3] = {};
  MPI_Reduce(mine, worst, 3, MPI_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    std::printf("%s %s %zu MiB %s x%d: %s, %.2f s; peak RSS before %.1f MiB, after %.1f MiB, growth %.1f MiB; "
                "scratch ledger %.1f MiB (plan %s)\n",
                coll.c_str(), d == zcclFloat32 ? "float" : "bfloat16", bytes >> 20, mode.c_str(), P,
                r == zcclSuccess ? "ok" : zcclGetErrorString(r), seconds, worst[0] / 1024.0, worst[1] / 1024.0,
                (worst[1] - worst[0]) / 1024.0, worst[2] / 1024.0, stats.lastPlan);
  }
  zcclCommDestroy(comm);
  std::free(buf);
  MPI_Finalize();
  return r == zcclSuccess ? 0 : 1;
}
