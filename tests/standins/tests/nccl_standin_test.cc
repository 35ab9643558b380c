// The host NCCL stand-in checked against NCCL 2.28's documented behaviour (ranks as threads, each
// on its own virtual device): stream order (a call returns at once, the stream carries the work),
// the in-place forms of every collective, the ops (avg as NCCL computes it, PreMulSum with host
// and device scalars), groups of sends and receives, graph capture and replay, split, and the
// error codes and strings NCCL returns for bad calls, mismatched counts and a peer that never
// comes.
#include <cuda_runtime.h>
#include <gtest/gtest.h>
#include <nccl.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "gate.h"

namespace {

using standin_test::Gate;

// Runs body(comm, rank, stream) on P threads, rank r on device r.
void runRanks(int P, const std::function<void(ncclComm_t, int, cudaStream_t)>& body) {
  ncclUniqueId id;
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  std::vector<std::thread> threads;
  for (int r = 0; r < P; ++r) {
    threads.emplace_back([&, r] {
      cudaSetDevice(r);
      cudaStream_t s;
      cudaStreamCreate(&s);
      ncclComm_t comm = nullptr;
      ASSERT_EQ(ncclCommInitRank(&comm, P, id, r), ncclSuccess) << ncclGetLastError(nullptr);
      body(comm, r, s);
      EXPECT_EQ(cudaStreamSynchronize(s), cudaSuccess);
      EXPECT_EQ(ncclCommDestroy(comm), ncclSuccess);
      cudaStreamDestroy(s);
    });
  }
  for (std::thread& t : threads) t.join();
}

template <class T>
T* deviceCopy(const std::vector<T>& v) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, v.size() * sizeof(T) + 1), cudaSuccess);
  cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice);
  return p;
}

template <class T>
std::vector<T> hostCopy(const T* p, size_t n) {
  std::vector<T> v(n);
  cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost);
  return v;
}

TEST(NcclStandin, VersionAndErrorStringsAreNccls) {
  int v = 0;
  EXPECT_EQ(ncclGetVersion(&v), ncclSuccess);
  EXPECT_EQ(v, 22809);
  EXPECT_STREQ(ncclGetErrorString(ncclInvalidArgument), "invalid argument (run with NCCL_DEBUG=WARN for details)");
  EXPECT_STREQ(ncclGetErrorString(ncclInProgress), "NCCL operation in progress");
  EXPECT_EQ(ncclGroupEnd(), ncclInvalidUsage);
}

TEST(NcclStandin, InPlaceFormsGiveTheOutOfPlaceResults) {
  const int P = 3;
  const size_t n = 1001;
  runRanks(P, [&](ncclComm_t comm, int r, cudaStream_t s) {
    std::vector<float> mine(n), blocks(P * n);
    for (size_t i = 0; i < n; ++i) mine[i] = static_cast<float>(r * 1000 + i);
    for (size_t i = 0; i < P * n; ++i) blocks[i] = static_cast<float>(r + i % 7);
    // all-gather: in place when sendbuff == recvbuff + rank * count
    float* all = deviceCopy(std::vector<float>(P * n, -1));
    cudaMemcpy(all + r * n, mine.data(), n * sizeof(float), cudaMemcpyHostToDevice);
    ASSERT_EQ(ncclAllGather(all + r * n, all, n, ncclFloat32, comm, s), ncclSuccess);
    const std::vector<float> ag = hostCopy(all, P * n);
    for (int q = 0; q < P; ++q) EXPECT_EQ(ag[q * n + 5], static_cast<float>(q * 1000 + 5));
    // reduce-scatter: in place when recvbuff == sendbuff + rank * recvcount
    float* rs = deviceCopy(blocks);
    ASSERT_EQ(ncclReduceScatter(rs, rs + r * n, n, ncclFloat32, ncclSum, comm, s), ncclSuccess);
    const std::vector<float> got = hostCopy(rs + r * n, n);
    for (size_t i = 0; i < n; i += 97) {
      float want = 0;
      for (int q = 0; q < P; ++q) want += static_cast<float>(q + (r * n + i) % 7);
      EXPECT_EQ(got[i], want) << i;
    }
    // all-reduce and broadcast in place
    float* ar = deviceCopy(mine);
    ASSERT_EQ(ncclAllReduce(ar, ar, n, ncclFloat32, ncclMax, comm, s), ncclSuccess);
    EXPECT_EQ(hostCopy(ar, n)[3], static_cast<float>((P - 1) * 1000 + 3));
    ASSERT_EQ(ncclBcast(ar, n, ncclFloat32, 1, comm, s), ncclSuccess);
    EXPECT_EQ(hostCopy(ar, n)[3], static_cast<float>((P - 1) * 1000 + 3));
    cudaFree(all);
    cudaFree(rs);
    cudaFree(ar);
  });
}

TEST(NcclStandin, AvgAndPreMulSumFollowNccl) {
  const int P = 3;
  runRanks(P, [&](ncclComm_t comm, int r, cudaStream_t s) {
    std::vector<double> x = {1.0 + r, -2.0 * r, 3.0};
    double* dx = deviceCopy(x);
    double* out = deviceCopy(std::vector<double>(3));
    ASSERT_EQ(ncclAllReduce(dx, out, 3, ncclFloat64, ncclAvg, comm, s), ncclSuccess);
    const std::vector<double> avg = hostCopy(out, 3);
    // NCCL: each input times 1/nranks, then summed (not sum / nranks).
    const double third = 1.0 / 3;
    EXPECT_EQ(avg[2], 3.0 * third + 3.0 * third + 3.0 * third);
    std::vector<int32_t> k = {5 + r, -5 - r};
    int32_t* dk = deviceCopy(k);
    ASSERT_EQ(ncclAllReduce(dk, dk, 2, ncclInt32, ncclAvg, comm, s), ncclSuccess);
    EXPECT_EQ(hostCopy(dk, 2), (std::vector<int32_t>{6, -6}));  // sum then divide: 18/3, -18/3
    // PreMulSum with a host scalar (read at creation) and a device scalar (read when it runs).
    double scalar = 0.5;
    ncclRedOp_t hostOp, devOp;
    ASSERT_EQ(ncclRedOpCreatePreMulSum(&hostOp, &scalar, ncclFloat64, ncclScalarHostImmediate, comm), ncclSuccess);
    scalar = 100;  // too late: the host scalar was read
    ASSERT_EQ(ncclAllReduce(dx, out, 3, ncclFloat64, hostOp, comm, s), ncclSuccess);
    EXPECT_EQ(hostCopy(out, 3)[2], 4.5);
    EXPECT_EQ(ncclAllReduce(dx, out, 3, ncclFloat32, hostOp, comm, s), ncclInvalidArgument) << "datatype mismatch";
    double* devScalar = deviceCopy(std::vector<double>{1.0});
    ASSERT_EQ(ncclRedOpCreatePreMulSum(&devOp, devScalar, ncclFloat64, ncclScalarDevice, comm), ncclSuccess);
    Gate gate;
    gate.hold(s);
    ASSERT_EQ(ncclAllReduce(dx, out, 3, ncclFloat64, devOp, comm, s), ncclSuccess);
    const double two = 2.0;
    cudaMemcpyAsync(devScalar, &two, sizeof(double), cudaMemcpyHostToDevice, s);  // lands after the op
    gate.release();
    EXPECT_EQ(hostCopy(out, 3)[2], 9.0);
    EXPECT_EQ(ncclRedOpDestroy(hostOp, comm), ncclSuccess);
    EXPECT_EQ(ncclRedOpDestroy(devOp, comm), ncclSuccess);
    EXPECT_EQ(ncclRedOpDestroy(devOp, comm), ncclInvalidArgument);
    cudaFree(dx);
    cudaFree(out);
    cudaFree(dk);
    cudaFree(devScalar);
  });
}

TEST(NcclStandin, CollectivesAreStreamOrdered) {
  runRanks(2, [&](ncclComm_t comm, int r, cudaStream_t s) {
    int32_t* buf = deviceCopy(std::vector<int32_t>{r + 1});
    Gate gate;
    gate.hold(s);
    ASSERT_EQ(ncclAllReduce(buf, buf, 1, ncclInt32, ncclSum, comm, s), ncclSuccess) << "returns at once";
    EXPECT_EQ(cudaStreamQuery(s), cudaErrorNotReady);
    standin_test::sleepMs(20);
    int32_t peek = 0;
    std::memcpy(&peek, buf, 4);  // host memory underneath: the op has not run yet
    EXPECT_EQ(peek, r + 1);
    gate.release();
    EXPECT_EQ(hostCopy(buf, 1)[0], 3);
    cudaFree(buf);
  });
}

TEST(NcclStandin, GroupedSendsAndReceivesAndGraphReplay) {
  const int P = 4;
  runRanks(P, [&](ncclComm_t comm, int r, cudaStream_t s) {
    int64_t* send = deviceCopy(std::vector<int64_t>{r * 10, r * 10 + 1});
    int64_t* recv = deviceCopy(std::vector<int64_t>(2 * P, -1));
    ncclGroupStart();
    for (int q = 0; q < P; ++q) {
      ASSERT_EQ(ncclSend(send, 2, ncclInt64, q, comm, s), ncclSuccess);
      ASSERT_EQ(ncclRecv(recv + 2 * q, 2, ncclInt64, q, comm, s), ncclSuccess);
    }
    ASSERT_EQ(ncclGroupEnd(), ncclSuccess);
    const std::vector<int64_t> got = hostCopy(recv, 2 * P);
    for (int q = 0; q < P; ++q) EXPECT_EQ(got[2 * q + 1], q * 10 + 1);
    // Captured into a graph, the all-reduce runs at every replay, on the data of that moment.
    cudaStreamSynchronize(s);
    cudaGraph_t g;
    ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
    ASSERT_EQ(ncclAllReduce(send, recv, 2, ncclInt64, ncclSum, comm, s), ncclSuccess);
    ASSERT_EQ(cudaStreamEndCapture(s, &g), cudaSuccess);
    cudaGraphExec_t exec;
    ASSERT_EQ(cudaGraphInstantiate(&exec, g, 0), cudaSuccess);
    for (int64_t k = 1; k <= 3; ++k) {
      const std::vector<int64_t> v = {k, k};
      cudaMemcpy(send, v.data(), 16, cudaMemcpyHostToDevice);
      ASSERT_EQ(cudaGraphLaunch(exec, s), cudaSuccess);
      cudaStreamSynchronize(s);
      EXPECT_EQ(hostCopy(recv, 1)[0], k * P) << "replay " << k;
    }
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(g);
    cudaFree(send);
    cudaFree(recv);
  });
}

TEST(NcclStandin, BadCallsGetNcclsErrorCodes) {
  runRanks(2, [&](ncclComm_t comm, int r, cudaStream_t s) {
    float* d = deviceCopy(std::vector<float>(8, 1.0f));
    float host[8] = {};
    EXPECT_EQ(ncclAllReduce(d, d, 8, ncclFloat32, ncclSum, nullptr, s), ncclInvalidArgument);
    EXPECT_EQ(ncclAllReduce(d, d, 8, static_cast<ncclDataType_t>(12), ncclSum, comm, s), ncclInvalidArgument);
    EXPECT_EQ(ncclAllReduce(d, d, 8, ncclFloat32, static_cast<ncclRedOp_t>(7), comm, s), ncclInvalidArgument);
    EXPECT_EQ(ncclBroadcast(d, d, 8, ncclFloat32, 2, comm, s), ncclInvalidArgument);
    EXPECT_EQ(ncclSend(d, 8, ncclFloat32, -1, comm, s), ncclInvalidArgument);
    EXPECT_EQ(ncclAllReduce(host, d, 8, ncclFloat32, ncclSum, comm, s), ncclInvalidArgument) << "pageable memory";
    EXPECT_EQ(ncclAllReduce(nullptr, nullptr, 0, ncclFloat32, ncclSum, comm, s), ncclSuccess) << "count 0";
    EXPECT_NE(std::string(ncclGetLastError(comm)), "");
    // Mismatched counts: NCCL leaves it undefined; the stand-in reports it asynchronously.
    ncclGroupStart();
    if (r == 0) ncclSend(d, 4, ncclFloat32, 1, comm, s);
    if (r == 1) ncclRecv(d, 8, ncclFloat32, 0, comm, s);
    ncclGroupEnd();
    cudaStreamSynchronize(s);
    ncclResult_t async = ncclSuccess;
    EXPECT_EQ(ncclCommGetAsyncError(comm, &async), ncclSuccess);
    EXPECT_EQ(async, r == 1 ? ncclInvalidUsage : ncclSuccess);
    cudaFree(d);
  });
  ncclUniqueId id{};
  ncclComm_t comm;
  EXPECT_EQ(ncclCommInitRank(&comm, 2, id, 0), ncclInvalidArgument) << "an id not from ncclGetUniqueId";
  ncclConfig_t raw{};
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  EXPECT_EQ(ncclCommInitRankConfig(&comm, 1, id, 0, &raw), ncclInvalidArgument) << "uninitialised config";
}

TEST(NcclStandin, TwoRanksOnOneDeviceAreRefusedAndAMissingPeerTimesOut) {
  ncclUniqueId id;
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  ncclResult_t results[2];
  std::vector<std::thread> t;
  for (int r = 0; r < 2; ++r) {
    t.emplace_back([&, r] {
      cudaSetDevice(0);
      ncclComm_t c;
      results[r] = ncclCommInitRank(&c, 2, id, r);
    });
  }
  for (auto& x : t) x.join();
  EXPECT_EQ(results[0], ncclInvalidUsage);
  EXPECT_EQ(results[1], ncclInvalidUsage);
  EXPECT_NE(std::string(ncclGetLastError(nullptr)).find("Duplicate GPU"), std::string::npos);
  setenv("NCCL_STANDIN_TIMEOUT", "1", 1);
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  ncclComm_t lonely;
  EXPECT_EQ(ncclCommInitRank(&lonely, 2, id, 0), ncclSystemError) << "the other rank never comes";
  unsetenv("NCCL_STANDIN_TIMEOUT");
}

TEST(NcclStandin, SplitAndInitAll) {
  const int P = 4;
  runRanks(P, [&](ncclComm_t comm, int r, cudaStream_t s) {
    ncclComm_t half = nullptr;
    ASSERT_EQ(ncclCommSplit(comm, r % 2, -r, &half, nullptr), ncclSuccess);
    int n = 0, me = -1;
    ncclCommCount(half, &n);
    ncclCommUserRank(half, &me);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(me, r < 2 ? 1 : 0) << "keys -r order the ranks backwards";
    int32_t* v = deviceCopy(std::vector<int32_t>{r});
    ASSERT_EQ(ncclAllReduce(v, v, 1, ncclInt32, ncclSum, half, s), ncclSuccess);
    EXPECT_EQ(hostCopy(v, 1)[0], r % 2 == 0 ? 2 : 4);
    cudaFree(v);
    EXPECT_EQ(ncclCommDestroy(half), ncclSuccess);
  });
  ncclComm_t comms[3];
  ASSERT_EQ(ncclCommInitAll(comms, 3, nullptr), ncclSuccess);
  for (int i = 0; i < 3; ++i) {
    int dev = -1;
    EXPECT_EQ(ncclCommCuDevice(comms[i], &dev), ncclSuccess);
    EXPECT_EQ(dev, i);
    ncclCommDestroy(comms[i]);
  }
}

// Nonblocking communicators (config.blocking = 0, as PyTorch's TORCH_NCCL_USE_COMM_NONBLOCKING):
// init returns ncclInProgress and ncclCommGetAsyncError reports it until done; so does an
// operation (NCCL's background launch). An abort makes a peer's pending receive fail with
// ncclRemoteError instead of waiting.
TEST(NcclStandin, NonblockingInitAndAbort) {
  ncclUniqueId id;
  ASSERT_EQ(ncclGetUniqueId(&id), ncclSuccess);
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      cudaSetDevice(r);
      ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
      config.blocking = 0;
      ncclComm_t comm = nullptr;
      ASSERT_EQ(ncclCommInitRankConfig(&comm, 2, id, r, &config), ncclInProgress);
      ncclResult_t state = ncclInProgress;
      while (state == ncclInProgress) ASSERT_EQ(ncclCommGetAsyncError(comm, &state), ncclSuccess);
      ASSERT_EQ(state, ncclSuccess);
      cudaStream_t s;
      cudaStreamCreate(&s);
      float* buf = deviceCopy(std::vector<float>(4, 1.0f));
      if (r == 1) {
        ASSERT_EQ(ncclRecv(buf, 4, ncclFloat32, 0, comm, s), ncclInProgress);  // rank 0 never sends
        ncclResult_t async = ncclSuccess;
        ASSERT_EQ(ncclCommGetAsyncError(comm, &async), ncclSuccess);
        EXPECT_EQ(async, ncclInProgress) << "the launch, reported once";
        standin_test::sleepMs(50);
        ncclCommGetAsyncError(comm, &async);
        EXPECT_EQ(async, ncclSuccess) << "launched, still waiting";
        EXPECT_EQ(cudaStreamSynchronize(s), cudaSuccess);  // returns once rank 0 aborts
        ncclCommGetAsyncError(comm, &async);
        EXPECT_EQ(async, ncclRemoteError);
        EXPECT_EQ(ncclCommDestroy(comm), ncclSuccess);
      } else {
        standin_test::sleepMs(200);
        EXPECT_EQ(ncclCommAbort(comm), ncclSuccess);
      }
      cudaFree(buf);
      cudaStreamDestroy(s);
    });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace
