// The opt-in 8-bit all-reduce and reduce-scatter on 1-4 local ranks: results identical on all
// ranks bit for bit, every element within the documented bound of the exact (fp64) sum, specials
// carried, the communicator setting and the explicit entry points agreeing, every other call
// still exact, bad settings and unsupported calls refused, a damaged frame reported.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "codec/q8_format.h"
#include "collectives/local_harness.h"
#include "common/codec_test_util.h"
#include "common/reduce_ops.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

using codec::kQ8BlockElems;

size_t eb(zcclDataType_t d) { return d == zcclFloat32 ? 4 : 2; }
double valueAt(zcclDataType_t d, const std::vector<uint8_t>& b, size_t i) {
  return d == zcclFloat32 ? bitsFloat(codec::loadLE32(b.data() + 4 * i))
                          : elementToFloat(d, codec::loadLE16(b.data() + 2 * i));
}

zcclConfig_t quantConfig(int precision = ZCCL_CONFIG_UNDEF_INT) {
  zcclConfig_t c = localConfig(ZCCL_COMPRESSION_ON, ZCCL_ALGO_DIRECT, 4096);
  c.reducePrecision = precision;
  return c;
}

// The documented bound (docs/algorithms.md, "8-bit reductions") of every output element, from
// the inputs: segments of the call, pieces of pieceElems, blocks of 128 from each piece's start.
struct Layout {
  std::vector<size_t> offset, count;
  size_t piece;
};

Layout layoutOf(bool allReduce, size_t count, int P, zcclDataType_t d) {
  Layout l;
  for (int p = 0; p < P; ++p) {
    l.offset.push_back(allReduce ? p * count / P : p * count);
    l.count.push_back(allReduce ? (p + 1) * count / P - p * count / P : count);
  }
  l.piece = std::max<size_t>(kQ8BlockElems, 4096 / eb(d));
  return l;
}

// Checks rank `r`'s output (all-reduce: the whole buffer; reduce-scatter: its segment).
// stepFactor: 1 for rounding to nearest (half a step per quantization), 2 for stochastic rounding.
void checkBound(bool allReduce, zcclDataType_t d, zcclRedOp_t op, const std::vector<std::vector<uint8_t>>& in,
                size_t count, int r, const std::vector<uint8_t>& out, double stepFactor = 1.0) {
  const int P = static_cast<int>(in.size());
  const Layout l = layoutOf(allReduce, count, P, d);
  const double unit = d == zcclBfloat16 ? std::ldexp(1.0, -8) : d == zcclFloat16 ? std::ldexp(1.0, -11) : 0x1p-24;
  for (int p = 0; p < P; ++p) {
    if (!allReduce && p != r) continue;
    for (size_t k = 0; k < l.count[p]; k += kQ8BlockElems) {
      // Block [k, k + n) of segment p (blocks restart at each piece; pieces are multiples of 128).
      const size_t n = std::min<size_t>(kQ8BlockElems, l.count[p] - k);
      double sumSteps = 0, sumMax = 0;
      for (int q = 0; q < P; ++q) {
        double m = 0;
        for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(valueAt(d, in[q], l.offset[p] + k + i)));
        sumSteps += static_cast<double>(static_cast<float>(m) / 127.0f);
        sumMax += m;
      }
      const double steps2 = allReduce ? sumMax * (1 + 0x1p-20) / 127.0 : 0.0;
      for (size_t i = 0; i < n; ++i) {
        const size_t at = l.offset[p] + k + i;
        double exact = 0;
        for (int q = 0; q < P; ++q) exact += valueAt(d, in[q], at);
        const double y = valueAt(d, out, allReduce ? at : k + i);
        double bound = stepFactor * (0.5 * sumSteps + 0.5 * steps2) + (P + 2) * 0x1p-21 * sumMax + 0x1p-140;
        if (op == zcclAvg) {
          exact /= P;
          bound /= P;
        }
        bound += unit * std::fabs(y) + (d == zcclFloat16 ? 0x1p-25 : 0.0);
        ASSERT_LE(std::fabs(y - exact), bound) << "rank " << r << " element " << at << " exact " << exact;
      }
    }
  }
}

struct Case {
  bool allReduce;
  zcclDataType_t dtype;
  zcclRedOp_t op;
  int ranks;
  size_t count;
};

std::vector<std::vector<uint8_t>> runCase(const Case& c, const std::vector<std::vector<uint8_t>>& in,
                                          bool viaConfig = false) {
  const size_t outCount = c.count;  // all-reduce: count; reduce-scatter: recvcount
  std::vector<std::vector<uint8_t>> out(c.ranks, std::vector<uint8_t>(outCount * eb(c.dtype) + 1, 0xA7));
  runRanks(c.ranks, quantConfig(viaConfig ? ZCCL_REDUCE_PRECISION_8BIT : ZCCL_CONFIG_UNDEF_INT),
           [&](zcclComm_t comm, int r) {
             zcclResult_t rc;
             if (c.allReduce) {
               rc = viaConfig
                        ? zcclAllReduce(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm, nullptr)
                        : zcclAllReduceQuantized(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm, nullptr);
             } else {
               rc = viaConfig ? zcclReduceScatter(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm, nullptr)
                              : zcclReduceScatterQuantized(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm,
                                                           nullptr);
             }
             EXPECT_EQ(rc, zcclSuccess) << zcclGetLastError(nullptr);
           });
  for (auto& o : out) {
    EXPECT_EQ(o.back(), 0xA7) << "wrote past the output";
    o.pop_back();
  }
  return out;
}

std::vector<std::vector<uint8_t>> inputs(const Case& c, const char* spec = "gaussian") {
  const size_t total = c.allReduce ? c.count : c.count * c.ranks;
  std::vector<std::vector<uint8_t>> in;
  for (int r = 0; r < c.ranks; ++r) in.push_back(payload(spec, c.dtype, total, 100 + r));
  return in;
}

class Quantized : public ::testing::TestWithParam<Case> {};

TEST_P(Quantized, IdenticalOnEveryRankAndWithinTheBound) {
  const Case c = GetParam();
  const auto in = inputs(c, c.dtype == zcclFloat16 ? "gaussian:0.5" : "student-t:3");
  const auto out = runCase(c, in);
  for (int r = 0; r < c.ranks; ++r) {
    if (c.allReduce) {
      EXPECT_EQ(out[r], out[0]) << "rank " << r << " differs from rank 0";
    }
    checkBound(c.allReduce, c.dtype, c.op, in, c.count, r, out[r]);
  }
  // The communicator setting runs the same algorithm: the same bytes.
  EXPECT_EQ(runCase(c, in, true), out);
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (bool ar : {true, false})
    for (zcclDataType_t d : {zcclBfloat16, zcclFloat16, zcclFloat32})
      for (int P : {1, 2, 3, 4})
        for (size_t n : {1, 127, 1000, 5003}) v.push_back({ar, d, n % 2 ? zcclSum : zcclAvg, P, n});
  v.push_back({true, zcclBfloat16, zcclSum, 4, 3});  // fewer elements than ranks
  return v;
}

INSTANTIATE_TEST_SUITE_P(AllCases, Quantized, ::testing::ValuesIn(cases()), [](const auto& info) {
  const Case& c = info.param;
  return std::string(c.allReduce ? "AllReduce" : "ReduceScatter") + "_" + data::dtypeName(c.dtype) + "_" +
         (c.op == zcclSum ? "sum" : "avg") + "_P" + std::to_string(c.ranks) + "_n" + std::to_string(c.count);
});

// In place (NCCL's rules: all-reduce send == recv; reduce-scatter recv == send + rank * recvcount),
// inside a group too: the same bytes as out of place.
TEST(QuantizedInPlace, SameBytesAsOutOfPlace) {
  for (bool ar : {true, false}) {
    const Case c{ar, zcclBfloat16, zcclSum, 3, 5000};
    const auto in = inputs(c);
    const auto expect = runCase(c, in);
    std::vector<std::vector<uint8_t>> buf = in;
    runRanks(3, quantConfig(), [&](zcclComm_t comm, int r) {
      uint8_t* b = buf[r].data();
      ASSERT_EQ(zcclGroupStart(), zcclSuccess);
      if (ar) {
        EXPECT_EQ(zcclAllReduceQuantized(b, b, c.count, c.dtype, c.op, comm, nullptr), zcclSuccess);
      } else {
        EXPECT_EQ(zcclReduceScatterQuantized(b, b + r * c.count * 2, c.count, c.dtype, c.op, comm, nullptr),
                  zcclSuccess);
      }
      ASSERT_EQ(zcclGroupEnd(), zcclSuccess) << zcclGetLastError(nullptr);
    });
    for (int r = 0; r < 3; ++r) {
      const size_t at = ar ? 0 : r * c.count * 2;
      EXPECT_TRUE(std::equal(expect[r].begin(), expect[r].end(), buf[r].begin() + at)) << "rank " << r << " ar " << ar;
    }
  }
}

// ZCCL_REDUCE_ROUNDING=stochastic: identical on all ranks, reproducible with the same seed,
// different with another, within the bound with a whole step per quantization.
TEST(QuantizedStochastic, SeededIdenticalOnAllRanksAndWithinTheBound) {
  const Case c{true, zcclFloat32, zcclSum, 3, 3000};
  const auto in = inputs(c);
  const auto nearest = runCase(c, in);
  setenv("ZCCL_REDUCE_ROUNDING", "stochastic", 1);
  setenv("ZCCL_REDUCE_SEED", "5", 1);
  const auto a = runCase(c, in), b = runCase(c, in);
  setenv("ZCCL_REDUCE_SEED", "6", 1);
  const auto other = runCase(c, in);
  unsetenv("ZCCL_REDUCE_ROUNDING");
  unsetenv("ZCCL_REDUCE_SEED");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_NE(a, nearest);
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(a[r], a[0]);
    checkBound(c.allReduce, c.dtype, c.op, in, c.count, r, a[r], 2.0);
  }
}

TEST(QuantizedSpecials, NanInfAndZerosSurvive) {
  const Case c{true, zcclFloat32, zcclSum, 3, 600};
  auto in = inputs(c);
  auto put = [&](int r, size_t i, float v) { std::memcpy(in[r].data() + 4 * i, &v, 4); };
  put(1, 10, NAN);
  put(0, 300, INFINITY);
  put(2, 301, INFINITY);
  put(0, 302, -INFINITY);
  put(1, 302, INFINITY);
  for (int r = 0; r < 3; ++r)
    for (size_t i = 450; i < 600; ++i) put(r, i, r == 1 ? -0.0f : 0.0f);
  const auto out = runCase(c, in);
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(out[r], out[0]);
    float v[600];
    std::memcpy(v, out[r].data(), sizeof v);
    EXPECT_TRUE(std::isnan(v[10]));
    EXPECT_EQ(v[300], INFINITY);
    EXPECT_EQ(v[301], INFINITY);
    EXPECT_TRUE(std::isnan(v[302]));  // inf + -inf
    for (size_t i = 450; i < 600; ++i) EXPECT_EQ(v[i], 0.0f) << i;
    EXPECT_TRUE(std::isfinite(v[11]) && std::isfinite(v[299]));
  }
}

// 8-bit on the communicator: every call it does not cover stays exact (verifiable data).
TEST(QuantizedSetting, OtherCallsStayLossless) {
  const int P = 3;
  const size_t count = 3000;
  runRanks(P, quantConfig(ZCCL_REDUCE_PRECISION_8BIT), [&](zcclComm_t comm, int r) {
    for (auto [dtype, op] : {std::pair{zcclBfloat16, zcclMax}, std::pair{zcclFloat32, zcclProd},
                             std::pair{zcclInt32, zcclSum}, std::pair{zcclFloat64, zcclSum}}) {
      const std::vector<uint8_t> in = verifiableBuffer(dtype, r, count, op);
      std::vector<uint8_t> out(in.size());
      ASSERT_EQ(zcclAllReduce(in.data(), out.data(), count, dtype, op, comm, nullptr), zcclSuccess);
      EXPECT_EQ(out, expectedReduction(dtype, op, P, count)) << "dtype " << dtype << " op " << op;
      ASSERT_EQ(zcclReduce(in.data(), out.data(), count, dtype, op, 0, comm, nullptr), zcclSuccess);
      if (r == 0) {
        EXPECT_EQ(out, expectedReduction(dtype, op, P, count));
      }
    }
    // A sum of bf16 verifiable integers is exact losslessly, not through 8 bits: zcclReduce stays exact.
    const std::vector<uint8_t> in = verifiableBuffer(zcclBfloat16, r, count, zcclSum);
    std::vector<uint8_t> out(in.size());
    ASSERT_EQ(zcclReduce(in.data(), out.data(), count, zcclBfloat16, zcclSum, 0, comm, nullptr), zcclSuccess);
    if (r == 0) {
      EXPECT_EQ(out, expectedReduction(zcclBfloat16, zcclSum, P, count));
    }
  });
}

TEST(QuantizedSetting, DefaultIsLosslessAndMinBytesNarrowsIt) {
  const Case c{true, zcclBfloat16, zcclSum, 2, 4000};
  const auto in = inputs(c);
  std::vector<std::vector<uint8_t>> out(2, std::vector<uint8_t>(8000));
  auto run = [&](int precision) {
    runRanks(2, quantConfig(precision), [&](zcclComm_t comm, int r) {
      ASSERT_EQ(zcclAllReduce(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm, nullptr), zcclSuccess);
    });
    return out[0];
  };
  const std::vector<uint8_t> lossless = run(ZCCL_CONFIG_UNDEF_INT);
  EXPECT_EQ(lossless, run(ZCCL_REDUCE_PRECISION_LOSSLESS));
  const std::vector<uint8_t> eight = run(ZCCL_REDUCE_PRECISION_8BIT);
  EXPECT_NE(eight, lossless);
  setenv("ZCCL_REDUCE_PRECISION_MIN_BYTES", "8001", 1);  // 4000 bf16 = 8000 bytes: below
  EXPECT_EQ(run(ZCCL_REDUCE_PRECISION_8BIT), lossless);
  setenv("ZCCL_REDUCE_PRECISION_MIN_BYTES", "8000", 1);
  EXPECT_EQ(run(ZCCL_REDUCE_PRECISION_8BIT), eight);
  unsetenv("ZCCL_REDUCE_PRECISION_MIN_BYTES");
  setenv("ZCCL_REDUCE_PRECISION", "8bit", 1);
  EXPECT_EQ(run(ZCCL_CONFIG_UNDEF_INT), eight);
  setenv("ZCCL_REDUCE_PRECISION", "4bit", 1);  // malformed: WARN, lossless
  EXPECT_EQ(run(ZCCL_CONFIG_UNDEF_INT), lossless);
  unsetenv("ZCCL_REDUCE_PRECISION");
}

TEST(QuantizedErrors, BadSettingsAndUnsupportedCallsAreRefused) {
  auto world = std::make_shared<transport::LocalWorld>(1);
  zcclConfig_t bad = quantConfig(7);
  zcclComm_t comm = nullptr;
  EXPECT_EQ(api::commInitLocal(&comm, world, 0, &bad), zcclInvalidArgument);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("reducePrecision"), std::string::npos);
  runRanks(2, quantConfig(), [&](zcclComm_t c, int) {
    float x[256] = {}, y[256];
    EXPECT_EQ(zcclAllReduceQuantized(x, y, 256, zcclFloat32, zcclMax, c, nullptr), zcclInvalidArgument);
    EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("sum and avg"), std::string::npos);
    EXPECT_EQ(zcclReduceScatterQuantized(x, y, 64, zcclInt32, zcclSum, c, nullptr), zcclInvalidArgument);
    EXPECT_EQ(zcclAllReduceQuantized(x, y, 256, zcclFloat64, zcclSum, c, nullptr), zcclInvalidArgument);
    EXPECT_EQ(zcclAllReduceQuantized(x, nullptr, 256, zcclFloat32, zcclSum, c, nullptr), zcclInvalidArgument);
    EXPECT_EQ(zcclAllReduceQuantized(x, y, 0, zcclFloat32, zcclSum, c, nullptr), zcclSuccess);  // no-op
    // After the refusals the communicator still works (nothing was sent).
    EXPECT_EQ(zcclAllReduceQuantized(x, y, 256, zcclFloat32, zcclSum, c, nullptr), zcclSuccess);
  });
  EXPECT_EQ(zcclAllReduceQuantized(nullptr, nullptr, 1, zcclFloat32, zcclSum, nullptr, nullptr), zcclInvalidUsage);
}

// One damaged frame (rank 0 to rank 1, first message): rank 1 cannot reduce its segment, says so,
// and its poisoned reduced frame makes every other rank say so too; no element is wrong.
TEST(QuantizedErrors, DamagedFrameIsReportedEverywhereWithoutWrongElements) {
  const Case c{true, zcclBfloat16, zcclSum, 3, 3000};
  const auto in = inputs(c);
  const auto good = runCase(c, in);
  auto world = std::make_shared<transport::LocalWorld>(3);
  std::atomic<bool> done{false};
  world->setTamper([&](int from, int to, int tag, std::vector<uint8_t>& m) {
    // The first frame (not the node exchange at creation); the count (frames carry no checksum).
    if (from == 0 && to == 1 && tag == transport::kTagCollective && !done.exchange(true)) m[10] ^= 0x40;
  });
  std::vector<std::vector<uint8_t>> out(3, std::vector<uint8_t>(6000, 0xEE));
  std::vector<zcclResult_t> rc(3);
  runRanks(
      3, quantConfig(),
      [&](zcclComm_t comm, int r) {
        rc[r] = zcclAllReduceQuantized(in[r].data(), out[r].data(), c.count, c.dtype, c.op, comm, nullptr);
      },
      world);
  const size_t segBegin = 1000 * 2, segEnd = 2000 * 2;  // rank 1's segment, bytes
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(rc[r], zcclCorruptFrame) << "rank " << r;
    for (size_t b = 0; b < out[r].size(); ++b) {
      const bool inGap = b >= segBegin && b < segEnd;
      if (inGap) {
        ASSERT_EQ(out[r][b], 0xEE) << "rank " << r << " byte " << b;
      } else {
        ASSERT_EQ(out[r][b], good[r][b]) << "rank " << r << " byte " << b;
      }
    }
  }
}

}  // namespace
}  // namespace zccl::test
