// A dead peer and an abort from another thread (issue 11), run by tests/mpi/dead_peer_test.sh
// under mpirun with the job abort disabled (survivors stay alive when a rank dies):
//   1. rank 0 blocks in an all-reduce the others never join; another thread's zcclCommAbort makes
//      it return zcclInvalidUsage within 2 s;
//   2. the last rank kills itself; every survivor's all-reduce returns zcclRemoteError within
//      ZCCL_TIMEOUT (3 s) + 5 s, naming a rank, and zcclCommGetAsyncError says zcclRemoteError.
// Survivors print "SURVIVOR PASS" or "SURVIVOR FAIL <why>" and leave with _exit (MPI_Finalize
// would wait for the dead rank).
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "zccl/zccl_mpi.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

zcclComm_t makeComm() {
  zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
  c.compression = ZCCL_COMPRESSION_ON;
  zcclComm_t comm = nullptr;
  if (zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &c) != zcclSuccess) return nullptr;
  return comm;
}

// Returns an empty string on success, else what went wrong.
std::string abortFromAnotherThread(int rank) {
  zcclComm_t comm = makeComm();
  if (comm == nullptr) return "communicator not created";
  std::string why;
  if (rank == 0) {
    std::vector<float> x(1 << 20, 1.0f), y(x.size());
    zcclResult_t result = zcclSuccess;
    Clock::time_point returned;
    std::thread blocked([&] {
      result = zcclAllReduce(x.data(), y.data(), x.size(), zcclFloat32, zcclSum, comm, nullptr);
      returned = Clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto aborted = Clock::now();
    if (zcclCommAbort(comm) != zcclSuccess) why = "zcclCommAbort failed";
    blocked.join();
    const double after = std::chrono::duration<double>(returned - aborted).count();
    if (result != zcclInvalidUsage) why = "the blocked call returned " + std::to_string(result);
    if (after > 2.0) why = "the blocked call returned " + std::to_string(after) + " s after the abort";
  } else {
    zcclCommAbort(comm);  // never joined the call
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return why;
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::string why = provided >= MPI_THREAD_SERIALIZED ? abortFromAnotherThread(rank) : "";
  zcclComm_t comm = makeComm();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == size - 1) raise(SIGKILL);
  std::vector<float> x(1 << 20, 1.0f), y(x.size());
  const auto start = Clock::now();
  const zcclResult_t r = zcclAllReduce(x.data(), y.data(), x.size(), zcclFloat32, zcclSum, comm, nullptr);
  const double took = secondsSince(start);
  const std::string msg = zcclGetLastError(nullptr);
  zcclResult_t async = zcclSuccess;
  zcclCommGetAsyncError(comm, &async);
  if (r != zcclRemoteError) why += " the all-reduce returned " + std::to_string(r) + " (" + msg + ")";
  if (took > 3.0 + 5.0) why += " it took " + std::to_string(took) + " s";
  if (msg.find("rank") == std::string::npos) why += " the message names no rank: " + msg;
  if (async != zcclRemoteError) why += " async error " + std::to_string(async);
  std::printf("SURVIVOR %s rank %d after %.1f s: %s\n", why.empty() ? "PASS" : "FAIL", rank, took,
              why.empty() ? msg.c_str() : why.c_str());
  std::fflush(stdout);
  sleep(2);  // the other survivors print too before mpirun ends the job
  _exit(0);
}
