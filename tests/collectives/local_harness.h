// Runs a test body on P ranks that are threads of this process (local transport), each with its
// own communicator, and provides the NCCL-tests style "verifiable" inputs: small integers (or
// {-1, 0, 1} for fp8) whose sums, products, minima and maxima are exact in every dtype and in any
// order, so every algorithm must return exactly the value computed here independently.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "api/local_comm.h"
#include "common/dtype_size.h"
#include "common/float16.h"
#include "common/float8.h"
#include "zccl/zccl.h"

namespace zccl::test {

inline zcclConfig_t localConfig(int compression, int algorithm = ZCCL_ALGO_DIRECT, int chunkBytes = 4096,
                                int checksum = 0) {
  zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
  c.compression = compression;
  c.algorithm = algorithm;
  c.chunkBytes = chunkBytes;  // small chunks: many frames per message, pipelining exercised
  c.checksum = checksum;
  c.minCompressBytes = 256;
  return c;
}

// Runs body(comm, rank) on `ranks` threads, each with a communicator of one local world.
inline void runRanks(int ranks, const zcclConfig_t& config, const std::function<void(zcclComm_t, int)>& body,
                     std::shared_ptr<transport::LocalWorld> world = nullptr) {
  if (world == nullptr) world = std::make_shared<transport::LocalWorld>(ranks);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      zcclComm_t comm = nullptr;
      ASSERT_EQ(api::commInitLocal(&comm, world, r, &config), zcclSuccess) << zcclGetLastError(nullptr);
      body(comm, r);
      EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
    });
  }
  for (std::thread& t : threads) t.join();
}

// A local world of `ranks` ranks; with perNode > 0 they form nodes of that many (rank / perNode),
// for hierarchical plans; exactSizes: receives must name the exact size, as NCCL's do.
inline std::shared_ptr<transport::LocalWorld> localWorld(int ranks, int perNode = 0, bool exactSizes = false) {
  auto w = std::make_shared<transport::LocalWorld>(ranks, exactSizes);
  if (perNode > 0) {
    std::vector<int> nodes;
    for (int r = 0; r < ranks; ++r) nodes.push_back(r / perNode);
    w->setNodes(nodes);
  }
  return w;
}

// Verifiable value of element i on rank r, as a double (exact in every dtype).
inline double verifiableValue(zcclDataType_t d, int rank, size_t i, zcclRedOp_t op) {
  const bool tiny = d == zcclFloat8e4m3 || d == zcclFloat8e5m2;
  const bool isUnsigned = d == zcclUint8 || d == zcclUint32 || d == zcclUint64;
  const size_t h = (static_cast<size_t>(rank) * 7 + i * 13 + (i >> 5)) % 9;
  if (op == zcclProd) {  // products stay tiny powers of two (exact, no overflow)
    const double v = h % 3 == 0 ? 2.0 : 1.0;
    return (!isUnsigned && h % 4 == 1) ? -v : v;
  }
  if (tiny) return static_cast<double>(h % 3) - 1.0;
  return isUnsigned ? static_cast<double>(h) : static_cast<double>(h) - 4.0;
}

// Stores v converted to T (static_cast) at p.
template <class T>
void storeAs(double v, uint8_t* p) {
  const T x = static_cast<T>(v);
  std::memcpy(p, &x, sizeof x);
}

inline void storeValue(zcclDataType_t d, double v, uint8_t* p) {
  switch (d) {
    case zcclInt8:
      storeAs<int8_t>(v, p);
      break;
    case zcclUint8:
      storeAs<uint8_t>(v, p);
      break;
    case zcclInt32:
      storeAs<int32_t>(v, p);
      break;
    case zcclUint32:
      storeAs<uint32_t>(v, p);
      break;
    case zcclInt64:
      storeAs<int64_t>(v, p);
      break;
    case zcclUint64:
      storeAs<uint64_t>(v, p);
      break;
    case zcclFloat64:
      storeAs<double>(v, p);
      break;
    case zcclFloat32:
      storeAs<float>(v, p);
      break;
    case zcclFloat16: {
      uint16_t x = floatToFp16(static_cast<float>(v));
      std::memcpy(p, &x, 2);
      break;
    }
    case zcclBfloat16: {
      uint16_t x = floatToBf16(static_cast<float>(v));
      std::memcpy(p, &x, 2);
      break;
    }
    case zcclFloat8e4m3:
      p[0] = floatToFp8e4m3(static_cast<float>(v));
      break;
    case zcclFloat8e5m2:
      p[0] = floatToFp8e5m2(static_cast<float>(v));
      break;
    default:
      break;
  }
}

inline std::vector<uint8_t> verifiableBuffer(zcclDataType_t d, int rank, size_t count, zcclRedOp_t op,
                                             size_t firstIndex = 0) {
  std::vector<uint8_t> b(count * dtypeBytes(d));
  for (size_t i = 0; i < count; ++i)
    storeValue(d, verifiableValue(d, rank, firstIndex + i, op), b.data() + i * dtypeBytes(d));
  return b;
}

// Exact reduction of element i over `ranks` ranks, stored in the dtype.
inline std::vector<uint8_t> expectedReduction(zcclDataType_t d, zcclRedOp_t op, int ranks, size_t count,
                                              size_t firstIndex = 0) {
  std::vector<uint8_t> b(count * dtypeBytes(d));
  const bool integer = d <= zcclUint64;
  for (size_t i = 0; i < count; ++i) {
    double acc = verifiableValue(d, 0, firstIndex + i, op);
    for (int r = 1; r < ranks; ++r) {
      const double v = verifiableValue(d, r, firstIndex + i, op);
      acc = op == zcclProd ? acc * v : op == zcclMax ? std::max(acc, v) : op == zcclMin ? std::min(acc, v) : acc + v;
    }
    if (op == zcclAvg) {  // documented: fp32 sum divided in fp32 (fp64 for fp64), rounded once
      acc = integer            ? std::trunc(acc / ranks)
            : d == zcclFloat64 ? acc / ranks
                               : static_cast<double>(static_cast<float>(acc) / ranks);
    }
    storeValue(d, acc, b.data() + i * dtypeBytes(d));
  }
  return b;
}

}  // namespace zccl::test
