// Bad data and bad arguments on the GPU path (emulated-device build, ranks as threads). A frame
// damaged in flight (rank 0's first frame to rank 1 loses a header bit, through the stand-in
// NCCL's tamper hook) is reported as zcclCorruptFrame on rank 1, nobody hangs, and no wrong
// element reaches any output: each element is what the undamaged run computed or left unwritten,
// and a rank whose output is incomplete says so (the exact-size schedules' lost markers, which
// tests/collectives/errors_test.cc checks on the local transport, here through the device engine
// and NCCL). Also: host pointers given to a GPU communicator are refused with an error.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "collectives/damage_checks.h"
#include "emulated/device_harness.h"
#include "standin_hooks.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

struct DamageCase {
  const char* name;
  int algorithm;
  size_t outPerRank;  // output elements per rank, in units of count
  int gapRank;        // a rank whose output must show the damaged chunk as unwritten
  std::function<zcclResult_t(const uint16_t*, uint16_t*, size_t, zcclComm_t, cudaStream_t)> run;
};

void PrintTo(const DamageCase& c, std::ostream* os) { *os << c.name; }

uint16_t sentinel(int rank) { return static_cast<uint16_t>(0xDEA0 + rank); }

std::atomic<bool> gDamageArmed{false};

// Flips a frame-count bit of the first frame (not a size array) that rank 0 sends rank 1.
void damageFirstFrame(int from, int to, void* data, size_t bytes, void*) {
  if (from == 0 && to == 1 && bytes >= 1024 && gDamageArmed.exchange(false)) static_cast<uint8_t*>(data)[10] ^= 0x40;
}

std::vector<std::vector<uint16_t>> runCase(const DamageCase& cc, bool damage, std::vector<zcclResult_t>* results) {
  const int P = 4;
  const size_t count = 20000;  // per rank block: 3 chunks of 16 KiB
  std::vector<std::vector<uint16_t>> outputs(P);
  results->assign(P, zcclSuccess);
  gDamageArmed = damage;
  ncclStandinSetTamper(damageFirstFrame, nullptr);
  runDeviceRanks(P, localConfig(ZCCL_COMPRESSION_ON, cc.algorithm, 16384, 0),
                 [&](zcclComm_t comm, int r, cudaStream_t stream) {
                   data::SyntheticSpec spec;
                   DeviceBytes in(data::makeSynthetic(spec, zcclBfloat16, P * count, 70 + r));
                   const std::vector<uint16_t> fill(cc.outPerRank * count, sentinel(r));
                   DeviceBytes out(std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(fill.data()),
                                                        reinterpret_cast<const uint8_t*>(fill.data() + fill.size())));
                   (*results)[r] = cc.run(reinterpret_cast<const uint16_t*>(in.data()),
                                          reinterpret_cast<uint16_t*>(out.data()), count, comm, stream);
                   const std::vector<uint8_t> b = out.host();
                   outputs[r].assign(reinterpret_cast<const uint16_t*>(b.data()),
                                     reinterpret_cast<const uint16_t*>(b.data() + b.size()));
                 });
  ncclStandinSetTamper(nullptr, nullptr);
  return outputs;
}

class DeviceDamage : public ::testing::TestWithParam<DamageCase> {};

TEST_P(DeviceDamage, IsReportedAndNoWrongElementIsWritten) {
  const DamageCase& cc = GetParam();
  std::vector<zcclResult_t> clean, damaged;
  const auto expected = runCase(cc, false, &clean);
  const auto got = runCase(cc, true, &damaged);
  for (zcclResult_t r : clean) ASSERT_EQ(r, zcclSuccess);
  expectDamageContained(expected, got, damaged, cc.gapRank, sentinel);
}

INSTANTIATE_TEST_SUITE_P(
    Emulated, DeviceDamage,
    ::testing::Values(DamageCase{"AllGather", ZCCL_ALGO_DIRECT, 4, 1,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclAllGather(s, d, n, zcclBfloat16, c, st);
                                 }},
                      DamageCase{"AlltoAll", ZCCL_ALGO_DIRECT, 4, 1,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclAlltoAll(s, d, n, zcclBfloat16, c, st);
                                 }},
                      DamageCase{"ReduceScatterDirect", ZCCL_ALGO_DIRECT, 1, 1,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclReduceScatter(s, d, n, zcclBfloat16, zcclSum, c, st);
                                 }},
                      DamageCase{"ReduceScatterRing", ZCCL_ALGO_RING, 1, 3,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclReduceScatter(s, d, n, zcclBfloat16, zcclSum, c, st);
                                 }},
                      DamageCase{"AllReduce", ZCCL_ALGO_DIRECT, 4, 1,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclAllReduce(s, d, 4 * n, zcclBfloat16, zcclSum, c, st);
                                 }},
                      DamageCase{"ReduceToRank2", ZCCL_ALGO_DIRECT, 4, 2,
                                 [](const uint16_t* s, uint16_t* d, size_t n, zcclComm_t c, cudaStream_t st) {
                                   return zcclReduce(s, d, 4 * n, zcclBfloat16, zcclSum, 2, c, st);
                                 }}),
    [](const ::testing::TestParamInfo<DamageCase>& info) { return std::string(info.param.name); });

TEST(DeviceErrors, HostPointersAreRefusedWithAnError) {
  runDeviceRanks(2, localConfig(ZCCL_COMPRESSION_ON), [](zcclComm_t comm, int, cudaStream_t stream) {
    std::vector<uint16_t> pageable(40000, 0x3F80), out(40000);
    EXPECT_NE(zcclAllGather(pageable.data(), out.data(), 20000, zcclBfloat16, comm, stream), zcclSuccess);
    EXPECT_NE(std::string(zcclGetLastError(nullptr)), "");
  });
}

// NCCL lets a stream be destroyed before the communicator that used it: destroying the
// communicator must not touch the stream of its last call.
TEST(DeviceErrors, CommunicatorOutlivesTheStreamOfItsLastCall) {
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess);
  zcclComm_t comm = nullptr;
  ASSERT_EQ(zcclCommInitRank(&comm, 1, id, 0), zcclSuccess) << zcclGetLastError(nullptr);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  DeviceBytes a(std::vector<uint8_t>(4096, 1)), b(4096);
  EXPECT_EQ(zcclAllReduce(a.data(), b.data(), 2048, zcclBfloat16, zcclSum, comm, stream), zcclSuccess);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(stream), cudaSuccess);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess) << zcclGetLastError(nullptr);
}

// zcclCommAbort with an operation that can never complete (a receive from a rank that will not
// send) returns at once: it aborts the NCCL communicator (ncclCommDestroy, like freeing the
// memory the operation uses, would wait for it until the stand-in's timeout).
TEST(DeviceErrors, AbortDoesNotWaitForAnOperationThatCannotComplete) {
  setenv("NCCL_STANDIN_TIMEOUT", "30", 1);
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] {
      ASSERT_EQ(cudaSetDevice(r), cudaSuccess);
      zcclComm_t comm = nullptr;
      ASSERT_EQ(zcclCommInitRank(&comm, 2, id, r), zcclSuccess) << zcclGetLastError(nullptr);
      if (r == 1) {  // never sends
        EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
        return;
      }
      cudaStream_t stream;
      ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
      DeviceBytes buf(4096);
      EXPECT_EQ(zcclRecv(buf.data(), 2048, zcclBfloat16, 1, comm, stream), zcclSuccess);
      const auto start = std::chrono::steady_clock::now();
      EXPECT_EQ(zcclCommAbort(comm), zcclSuccess);
      EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_LT(s, 10.0) << "the abort waited for the receive";
      cudaStreamDestroy(stream);
    });
  }
  for (std::thread& t : ranks) t.join();
  unsetenv("NCCL_STANDIN_TIMEOUT");
}

// A peer that aborts: the other rank's compressed collective, which waits for the frame sizes,
// fails with an error (NCCL's asynchronous error, checked where the transport waits), not a
// crash, a hang or success with garbage.
TEST(DeviceErrors, APeerThatAbortsGivesAnErrorNotGarbage) {
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] {
      ASSERT_EQ(cudaSetDevice(r), cudaSuccess);
      zcclComm_t comm = nullptr;
      zcclConfig_t config = localConfig(ZCCL_COMPRESSION_ON);  // sizes travel first: the rank waits
      ASSERT_EQ(zcclCommInitRankConfig(&comm, 2, id, r, &config), zcclSuccess) << zcclGetLastError(nullptr);
      if (r == 0) {
        EXPECT_EQ(zcclCommAbort(comm), zcclSuccess);
        return;
      }
      cudaStream_t stream;
      ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
      data::SyntheticSpec spec;
      DeviceBytes in(data::makeSynthetic(spec, zcclBfloat16, 20000, 3)), out(2 * 40000);
      const zcclResult_t res = zcclAllGather(in.data(), out.data(), 20000, zcclBfloat16, comm, stream);
      EXPECT_EQ(res, zcclRemoteError) << "NCCL's report of the abort, not a consequence of missing data";
      EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("aborted"), std::string::npos) << zcclGetLastError(nullptr);
      cudaStreamSynchronize(stream);
      cudaStreamDestroy(stream);
      zcclCommDestroy(comm);
    });
  }
  for (std::thread& t : ranks) t.join();
}

// Under CUDA graph capture the host cannot wait (for compressed sizes, decode status): a call the
// transport's own collective can carry takes it whatever the settings (compression on or auto),
// and is captured and replays on new data; one it cannot carry (bf16 avg, which NCCL computes
// differently) fails with an error (and invalidates the capture) instead of hanging or recording
// garbage.
TEST(DeviceErrors, GraphCaptureTakesThePlainPathOrFailsCleanly) {
  for (int compression : {ZCCL_COMPRESSION_AUTO, ZCCL_COMPRESSION_ON}) {
    SCOPED_TRACE(compression == ZCCL_COMPRESSION_ON ? "compression on" : "compression auto");
    runDeviceRanks(2, localConfig(compression), [&](zcclComm_t comm, int r, cudaStream_t stream) {
      const size_t n = 64;
      DeviceBytes in(std::vector<uint8_t>(2 * n, 0)), out(2 * n);
      cudaGraph_t graph = nullptr;
      ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
      EXPECT_NE(zcclAllReduce(in.data(), out.data(), n, zcclBfloat16, zcclAvg, comm, stream), zcclSuccess);
      EXPECT_NE(cudaStreamEndCapture(stream, &graph), cudaSuccess);
      ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
      const zcclResult_t res = zcclAllReduce(in.data(), out.data(), n, zcclBfloat16, zcclSum, comm, stream);
      const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
      ASSERT_EQ(res, zcclSuccess) << zcclGetLastError(nullptr);
      ASSERT_EQ(ended, cudaSuccess);
      zcclCommStats_t st{};
      zcclCommGetStats(comm, &st);
      EXPECT_STREQ(st.lastPlan, "plain");
      cudaGraphExec_t exec;
      ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
      for (int k = 1; k <= 3; ++k) {
        const uint16_t v = floatToBf16(static_cast<float>(k * (r + 1)));
        in.upload(std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(&v), reinterpret_cast<const uint8_t*>(&v) + 2));
        ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
        ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
        const std::vector<uint8_t> got = out.host(0, 2);
        uint16_t sum;
        std::memcpy(&sum, got.data(), 2);
        EXPECT_EQ(bf16ToFloat(sum), 3.0f * k) << "replay " << k;
      }
      cudaGraphExecDestroy(exec);
      cudaGraphDestroy(graph);
    });
  }
}

}  // namespace
}  // namespace zccl::test
