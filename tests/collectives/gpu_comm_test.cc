// GPU communicators (NCCL transport, device engine): built wherever NCCL and CUDA are, run where
// a GPU is, skipped with the reason elsewhere. One GPU allows one rank (NCCL refuses two ranks on
// a device), so the engine is also exercised directly: compress, decompress and reduce of device
// buffers against the CPU codec.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include "algo/device_engine.h"
#include "collectives/local_harness.h"
#include "common/cuda_device.h"
#include "common/host_reduce.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

class GpuComm : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = cudaDeviceUnavailable();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(GpuComm, SingleRankCollectivesOnDeviceBuffers) {
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess) << zcclGetLastError(nullptr);
  zcclConfig_t config = localConfig(ZCCL_COMPRESSION_ON);
  zcclComm_t comm = nullptr;
  ASSERT_EQ(zcclCommInitRankConfig(&comm, 1, id, 0, &config), zcclSuccess) << zcclGetLastError(nullptr);
  const size_t count = 100003;
  data::SyntheticSpec spec;
  const std::vector<uint8_t> host = data::makeSynthetic(spec, zcclBfloat16, count, 1);
  void *send = nullptr, *recv = nullptr;
  ASSERT_EQ(cudaMalloc(&send, host.size()), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&recv, host.size()), cudaSuccess);
  cudaMemcpy(send, host.data(), host.size(), cudaMemcpyHostToDevice);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  // One rank: this exercises NCCL init and the P == 1 copy only, no compression; the codec on
  // device buffers is covered by DeviceEngineMatchesTheCpuCodec below.
  ASSERT_EQ(zcclAllReduce(send, recv, count, zcclBfloat16, zcclSum, comm, stream), zcclSuccess);
  cudaStreamSynchronize(stream);
  std::vector<uint8_t> back(host.size());
  cudaMemcpy(back.data(), recv, back.size(), cudaMemcpyDeviceToHost);
  EXPECT_EQ(back, host);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
  cudaFree(send);
  cudaFree(recv);
  cudaStreamDestroy(stream);
}

// The 8-bit all-reduce on device buffers (device QuantEngine, kernels) against the same call on a
// one-rank local world (host engine): the same bits.
TEST_F(GpuComm, SingleRankQuantizedAllReduceMatchesTheHost) {
#ifdef ZCCL_DEVICE_EMULATION
  GTEST_SKIP() << "the emulated-device build has no 8-bit device engine (its kernels are not emulated "
                  "stream-ordered yet); tests/kernels runs the 8-bit kernels through kernels/sim";
#endif
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess) << zcclGetLastError(nullptr);
  zcclConfig_t config = localConfig(ZCCL_COMPRESSION_ON);
  zcclComm_t comm = nullptr;
  ASSERT_EQ(zcclCommInitRankConfig(&comm, 1, id, 0, &config), zcclSuccess) << zcclGetLastError(nullptr);
  const size_t count = 100003;
  data::SyntheticSpec spec;
  const std::vector<uint8_t> host = data::makeSynthetic(spec, zcclBfloat16, count, 4);
  void *send = nullptr, *recv = nullptr;
  ASSERT_EQ(cudaMalloc(&send, host.size()), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&recv, host.size()), cudaSuccess);
  cudaMemcpy(send, host.data(), host.size(), cudaMemcpyHostToDevice);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  ASSERT_EQ(zcclAllReduceQuantized(send, recv, count, zcclBfloat16, zcclAvg, comm, stream), zcclSuccess)
      << zcclGetLastError(nullptr);
  cudaStreamSynchronize(stream);
  std::vector<uint8_t> gpu(host.size()), cpu(host.size());
  cudaMemcpy(gpu.data(), recv, gpu.size(), cudaMemcpyDeviceToHost);
  runRanks(1, config, [&](zcclComm_t c, int) {
    EXPECT_EQ(zcclAllReduceQuantized(host.data(), cpu.data(), count, zcclBfloat16, zcclAvg, c, nullptr), zcclSuccess);
  });
  EXPECT_EQ(gpu, cpu);
  EXPECT_NE(gpu, host);  // it did quantize
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
  cudaFree(send);
  cudaFree(recv);
  cudaStreamDestroy(stream);
}

TEST_F(GpuComm, DeviceEngineMatchesTheCpuCodec) {
  algo::DeviceEngine engine;
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  engine.setStream(stream);
  const size_t count = 3 * 4096 + 17;
  data::SyntheticSpec spec;
  const std::vector<uint8_t> a = data::makeSynthetic(spec, zcclBfloat16, count, 2);
  const std::vector<uint8_t> b = data::makeSynthetic(spec, zcclBfloat16, count, 3);
  void *da = nullptr, *db = nullptr, *frame = nullptr, *out = nullptr;
  ASSERT_EQ(engine.scratch(0, a.size(), &da), zcclSuccess);
  ASSERT_EQ(engine.scratch(1, b.size(), &db), zcclSuccess);
  ASSERT_EQ(engine.scratch(2, 2 * a.size() + 4096, &frame), zcclSuccess);
  ASSERT_EQ(engine.scratch(3, a.size(), &out), zcclSuccess);
  cudaMemcpy(da, a.data(), a.size(), cudaMemcpyHostToDevice);
  cudaMemcpy(db, b.data(), b.size(), cudaMemcpyHostToDevice);
  zcclCodecConfig_t codec = ZCCL_CODEC_CONFIG_INITIALIZER;
  codec.checksum = 1;
  size_t bytes = 0;
  ASSERT_EQ(engine.compress(da, count, zcclBfloat16, codec, frame, 2 * a.size() + 4096, &bytes), zcclSuccess);
  std::vector<uint8_t> gpuFrame(bytes);
  cudaMemcpy(gpuFrame.data(), frame, bytes, cudaMemcpyDeviceToHost);
  size_t cpuBytes = 0;
  std::vector<uint8_t> cpuFrame(2 * a.size() + 4096);
  ASSERT_EQ(zcclCodecCompress(a.data(), count, zcclBfloat16, cpuFrame.data(), cpuFrame.size(), &cpuBytes, &codec),
            zcclSuccess);
  cpuFrame.resize(cpuBytes);
  EXPECT_EQ(gpuFrame, cpuFrame);
  ASSERT_EQ(engine.decompress(frame, bytes, out, count, zcclBfloat16), zcclSuccess);
  std::vector<uint8_t> back(a.size());
  cudaMemcpy(back.data(), out, back.size(), cudaMemcpyDeviceToHost);
  EXPECT_EQ(back, a);
  const algo::ReduceInput inputs[2] = {{frame, bytes}, {db, 0}};
  ASSERT_EQ(engine.reduce(inputs, 2, count, zcclBfloat16, zcclSum, 2, false, out), zcclSuccess);
  cudaMemcpy(back.data(), out, back.size(), cudaMemcpyDeviceToHost);
  const void* sources[2] = {a.data(), b.data()};
  std::vector<uint8_t> want(a.size());
  reduceBuffers(zcclBfloat16, zcclSum, sources, 2, count, want.data());
  EXPECT_EQ(back, want);
  cudaStreamDestroy(stream);
}

TEST(GpuCommWithoutDevice, InitFailsCleanlyWithoutAGpu) {
  if (cudaDeviceUnavailable().empty()) GTEST_SKIP() << "a GPU is present";
  zcclUniqueId id{};
  zcclComm_t comm = reinterpret_cast<zcclComm_t>(0x1);
  EXPECT_NE(zcclCommInitRank(&comm, 1, id, 0), zcclSuccess);
  EXPECT_EQ(comm, nullptr);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)), "");
}

}  // namespace
}  // namespace zccl::test
