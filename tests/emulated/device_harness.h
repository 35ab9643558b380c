// GPU communicators (zcclCommInitRank: device engine, emulated kernels, NCCL transport) for the
// tests of the emulated-device build, where the CUDA runtime and NCCL are the host stand-ins of
// tests/standins: device buffers with their host copies, ranks as threads each on its own
// (virtual) device and stream, and the device-buffer form of the semantic checks
// (collectives/semantics_checks.h): every collective, dtype, op, odd counts, in place.
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "collectives/semantics_checks.h"

namespace zccl::test {

// cudaMalloc'd bytes. Reads and writes go through the legacy stream (cudaMemcpy), which waits for
// the work of every blocking stream: a read sees every collective enqueued before it.
class DeviceBytes {
 public:
  explicit DeviceBytes(size_t n, uint8_t fill = 0xEE) : n_(n) {
    EXPECT_EQ(cudaMalloc(&p_, n == 0 ? 1 : n), cudaSuccess);
    EXPECT_EQ(cudaMemset(p_, fill, n == 0 ? 1 : n), cudaSuccess);
  }
  explicit DeviceBytes(const std::vector<uint8_t>& host) : DeviceBytes(host.size()) { upload(host); }
  ~DeviceBytes() { cudaFree(p_); }
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;

  uint8_t* data() { return static_cast<uint8_t*>(p_); }
  void upload(const std::vector<uint8_t>& host) {
    EXPECT_EQ(cudaMemcpy(p_, host.data(), host.size(), cudaMemcpyHostToDevice), cudaSuccess);
  }
  std::vector<uint8_t> host(size_t offset = 0, size_t bytes = SIZE_MAX) const {
    std::vector<uint8_t> v(std::min(bytes, n_ - offset));
    EXPECT_EQ(cudaMemcpy(v.data(), static_cast<uint8_t*>(p_) + offset, v.size(), cudaMemcpyDeviceToHost), cudaSuccess);
    return v;
  }

 private:
  void* p_ = nullptr;
  size_t n_;
};

// Runs body(comm, rank, stream) on `ranks` threads, rank r on device r with its own stream.
inline void runDeviceRanks(int ranks, const zcclConfig_t& config,
                           const std::function<void(zcclComm_t, int, cudaStream_t)>& body) {
  zcclUniqueId id;
  ASSERT_EQ(zcclGetUniqueId(&id), zcclSuccess) << zcclGetLastError(nullptr);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      ASSERT_EQ(cudaSetDevice(r), cudaSuccess);
      cudaStream_t stream;
      ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
      zcclConfig_t c = config;
      zcclComm_t comm = nullptr;
      ASSERT_EQ(zcclCommInitRankConfig(&comm, ranks, id, r, &c), zcclSuccess) << zcclGetLastError(nullptr);
      body(comm, r, stream);
      EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
      EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
      cudaStreamDestroy(stream);
    });
  }
  for (std::thread& t : threads) t.join();
}

// Adds 1 to *failed and reports when `got` differs from `want`.
inline void expectBytes(size_t* failed, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                        const std::string& what) {
  *failed += got != want;
  EXPECT_TRUE(got == want) << what;
}

// The exact result of a reduction on a GPU communicator: expectedReduction, except the avg of fp64
// and fp8, which GPU communicators leave to NCCL (no device reduce kernel): NCCL multiplies each
// input by 1/nranks (rounded to the type) and sums, rounding each step (docs/algorithms.md).
inline std::vector<uint8_t> gpuExpectedReduction(zcclDataType_t d, zcclRedOp_t op, int P, size_t count,
                                                 size_t first = 0) {
  const bool fp8 = d == zcclFloat8e4m3 || d == zcclFloat8e5m2;
  if (op != zcclAvg || (d != zcclFloat64 && !fp8)) return expectedReduction(d, op, P, count, first);
  auto round = [&](double v) -> double {
    if (!fp8) return v;
    const float f = static_cast<float>(v);
    return d == zcclFloat8e4m3 ? fp8e4m3ToFloat(floatToFp8e4m3(f)) : fp8e5m2ToFloat(floatToFp8e5m2(f));
  };
  const double scale = fp8 ? round(1.0f / P) : 1.0 / P;
  std::vector<uint8_t> b(count * dtypeBytes(d));
  for (size_t i = 0; i < count; ++i) {
    double acc = 0;
    for (int r = 0; r < P; ++r) {
      const double t = round(verifiableValue(d, r, first + i, op) * scale);
      acc = r == 0 ? t : round(acc + t);
    }
    storeValue(d, acc, b.data() + i * dtypeBytes(d));
  }
  return b;
}

// All-reduce, reduce-scatter and reduce on device buffers; returns the number of failed checks.
[[nodiscard]] inline size_t checkDeviceReductions(zcclComm_t comm, int r, int P, cudaStream_t stream) {
  size_t failed = 0;
  for (int dt = 0; dt < zcclNumTypes; ++dt) {
    const zcclDataType_t d = static_cast<zcclDataType_t>(dt);
    const size_t eb = dtypeBytes(d);
    for (zcclRedOp_t op : kSemanticOps) {
      for (size_t count : kSemanticCounts) {
        for (bool inPlace : {false, true}) {
          const std::string at = where(r, d, op, count, inPlace);
          const std::vector<uint8_t> want = gpuExpectedReduction(d, op, P, count);
          DeviceBytes send(verifiableBuffer(d, r, count, op)), recv(count * eb);
          DeviceBytes& out = inPlace ? send : recv;
          EXPECT_EQ(counted(&failed, zcclAllReduce(send.data(), out.data(), count, d, op, comm, stream)), zcclSuccess)
              << at << ": " << zcclGetLastError(nullptr);
          expectBytes(&failed, out.host(0, count * eb), want, "all-reduce " + at);

          std::vector<uint8_t> rsHost;
          for (int q = 0; q < P; ++q) {
            const std::vector<uint8_t> part = verifiableBuffer(d, r, count, op, q * count);
            rsHost.insert(rsHost.end(), part.begin(), part.end());
          }
          DeviceBytes rsSend(rsHost), rsRecv(count * eb);
          uint8_t* rsOut = inPlace ? rsSend.data() + r * count * eb : rsRecv.data();
          EXPECT_EQ(counted(&failed, zcclReduceScatter(rsSend.data(), rsOut, count, d, op, comm, stream)), zcclSuccess)
              << at;
          const std::vector<uint8_t> rsGot = inPlace ? rsSend.host(r * count * eb, count * eb) : rsRecv.host();
          expectBytes(&failed, rsGot, gpuExpectedReduction(d, op, P, count, r * count), "reduce-scatter " + at);

          const int root = P - 1;
          DeviceBytes rdSend(verifiableBuffer(d, r, count, op)), rdRecv(count * eb);
          DeviceBytes& rdOut = inPlace && r == root ? rdSend : rdRecv;
          EXPECT_EQ(counted(&failed, zcclReduce(rdSend.data(), rdOut.data(), count, d, op, root, comm, stream)),
                    zcclSuccess)
              << at;
          if (r == root) expectBytes(&failed, rdOut.host(), want, "reduce " + at);
          if (r != root && !inPlace)
            expectBytes(&failed, rdRecv.host(), std::vector<uint8_t>(count * eb, 0xEE),
                        "reduce wrote a non-root " + at);
        }
      }
    }
  }
  return failed;
}

// All-gather, broadcast and all-to-all on device buffers; returns the number of failed checks.
[[nodiscard]] inline size_t checkDeviceDataMovement(zcclComm_t comm, int r, int P, cudaStream_t stream) {
  size_t failed = 0;
  for (int dt = 0; dt < zcclNumTypes; ++dt) {
    const zcclDataType_t d = static_cast<zcclDataType_t>(dt);
    const size_t eb = dtypeBytes(d);
    for (size_t count : kSemanticCounts) {
      for (bool inPlace : {false, true}) {
        const std::string at = where(r, d, zcclSum, count, inPlace);
        const size_t bytes = count * eb;
        std::vector<uint8_t> wantAll;
        for (int q = 0; q < P; ++q) {
          const std::vector<uint8_t> b = verifiableBuffer(d, q, count, zcclSum);
          wantAll.insert(wantAll.end(), b.begin(), b.end());
        }
        DeviceBytes mine(verifiableBuffer(d, r, count, zcclSum)), all(P * bytes);
        const uint8_t* agSend = mine.data();
        if (inPlace) {
          EXPECT_EQ(cudaMemcpy(all.data() + r * bytes, mine.data(), bytes, cudaMemcpyDeviceToDevice), cudaSuccess);
          agSend = all.data() + r * bytes;
        }
        EXPECT_EQ(counted(&failed, zcclAllGather(agSend, all.data(), count, d, comm, stream)), zcclSuccess)
            << at << ": " << zcclGetLastError(nullptr);
        expectBytes(&failed, all.host(), wantAll, "all-gather " + at);

        const int root = 1 % P;
        const std::vector<uint8_t> rootData = verifiableBuffer(d, root, count, zcclSum);
        DeviceBytes bSend(rootData), bRecv(bytes);
        DeviceBytes& bOut = inPlace && r == root ? bSend : bRecv;
        EXPECT_EQ(counted(&failed,
                          zcclBroadcast(r == root ? bSend.data() : nullptr, bOut.data(), count, d, root, comm, stream)),
                  zcclSuccess)
            << at;
        expectBytes(&failed, bOut.host(), rootData, "broadcast " + at);

        std::vector<uint8_t> aHost, aWant;
        for (int q = 0; q < P; ++q) {
          const std::vector<uint8_t> part = verifiableBuffer(d, r, count, zcclSum, q * count);
          aHost.insert(aHost.end(), part.begin(), part.end());
          const std::vector<uint8_t> from = verifiableBuffer(d, q, count, zcclSum, r * count);
          aWant.insert(aWant.end(), from.begin(), from.end());
        }
        DeviceBytes aSend(aHost), aRecv(P * bytes);
        EXPECT_EQ(counted(&failed, zcclAlltoAll(aSend.data(), aRecv.data(), count, d, comm, stream)), zcclSuccess)
            << at;
        expectBytes(&failed, aRecv.host(), aWant, "all-to-all " + at);
      }
    }
  }
  return failed;
}

}  // namespace zccl::test
