// The 8-bit kernels against the CPU quantizer (src/codec/q8_*): frames byte-identical for every
// dtype, block edge, every 16-bit pattern and stochastic rounding; the fused
// dequantize-reduce-requantize equal, frame and values, to the CPU's sum / requantize / decode;
// damaged sources reported without writing the blocks they feed. Built twice like
// codec_kernels_test.cc: against the host emulation (label kernels) and the real kernels (gpu).
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

#include "codec/q8_codec.h"
#include "common/codec_test_util.h"
#include "common/q8_golden.h"
#include "kernels/device_buffer.h"
#include "kernels/quant_launch.h"

namespace zccl::test {
namespace {

namespace kk = zccl::kernels;
using namespace zccl::codec;

class QuantKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = kernelsUnavailable();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

size_t eb(int dtype) { return dtype == 7 ? 4 : 2; }

std::vector<uint8_t> cpuFrame(int dtype, const std::vector<uint8_t>& in, const Q8Rounding& r = {}) {
  const size_t count = in.size() / eb(dtype);
  std::vector<uint8_t> f(q8FrameBytes(count));
  EXPECT_EQ(q8Encode(q8ReferenceOps(), dtype, dtype, in.data(), count, r, f.data(), f.size()), zcclSuccess);
  return f;
}

std::vector<uint8_t> kernelFrame(int dtype, const std::vector<uint8_t>& in, const Q8Rounding& r = {}) {
  const size_t count = in.size() / eb(dtype);
  DeviceBuffer input(in.size()), frame(q8FrameBytes(count), 0xCD);
  input.upload(in.data(), in.size());
  kk::QuantizeArgs a;
  a.inDtype = a.frameDtype = dtype;
  a.count = count;
  a.stochastic = r.stochastic;
  a.seed = r.seed;
  a.indexBase = r.indexBase;
  EXPECT_EQ(kk::launchQuantize(a, input.get(), frame.get(), nullptr), zcclSuccess);
  return frame.download(q8FrameBytes(count));
}

TEST_F(QuantKernels, QuantizeIsByteIdenticalWithTheCpu) {
  for (int dtype : {6, 7, 9}) {
    for (size_t count : {0, 1, 127, 128, 129, 1000, 5000}) {
      SCOPED_TRACE(testing::Message() << "dtype " << dtype << " count " << count);
      const auto in = payload("student-t:3", static_cast<zcclDataType_t>(dtype), count, count + 1);
      EXPECT_EQ(kernelFrame(dtype, in), cpuFrame(dtype, in));
      const Q8Rounding sr{true, 77, 5};
      EXPECT_EQ(kernelFrame(dtype, in, sr), cpuFrame(dtype, in, sr));
    }
  }
}

TEST_F(QuantKernels, EverySixteenBitPattern) {
  std::vector<uint16_t> p(65536);
  std::iota(p.begin(), p.end(), 0);
  std::shuffle(p.begin(), p.end(), std::mt19937(4));
  std::vector<uint8_t> in(2 * p.size());
  std::memcpy(in.data(), p.data(), in.size());
  EXPECT_EQ(kernelFrame(9, in), cpuFrame(9, in));
  EXPECT_EQ(kernelFrame(6, in), cpuFrame(6, in));
}

TEST_F(QuantKernels, GoldenFrames) {
  for (const Q8Golden& g : readQ8Goldens()) {
    SCOPED_TRACE(g.name);
    EXPECT_EQ(kernelFrame(g.dtype, g.in, Q8Rounding{g.stochastic != 0, g.seed, 0}), g.frame);
  }
}

struct ReduceOut {
  std::vector<uint8_t> frame, values;
  int32_t status[kk::kStatusWords];
};

ReduceOut kernelReduce(int dtype, int op, const std::vector<std::vector<uint8_t>>& frames, size_t count,
                       bool requantize, uint8_t fill = 0x5C, const Q8Rounding& rounding = {}) {
  const size_t stride = q8FrameBytes(count) + 8;  // not packed: the stride is honoured
  DeviceBuffer in(stride * frames.size()), outFrame(q8FrameBytes(count), 0xCD), out(count * eb(dtype), fill),
      status(4 * kk::kStatusWords, 0);
  for (size_t s = 0; s < frames.size(); ++s) in.upload(frames[s].data(), frames[s].size(), s * stride);
  kk::QuantReduceArgs a;
  a.dtype = dtype;
  a.op = op;
  a.count = count;
  a.stride = stride;
  a.nsources = static_cast<int>(frames.size());
  a.stochastic = rounding.stochastic;
  a.seed = rounding.seed;
  a.indexBase = rounding.indexBase;
  EXPECT_EQ(kk::launchQuantReduce(a, in.get(), requantize ? outFrame.get() : nullptr, out.get(), status.as<int32_t>(),
                                  nullptr),
            zcclSuccess);
  ReduceOut r;
  r.values = out.download(count * eb(dtype));
  r.frame = outFrame.download(q8FrameBytes(count));
  const std::vector<uint8_t> st = status.download(4 * kk::kStatusWords);
  std::memcpy(r.status, st.data(), sizeof r.status);
  return r;
}

// What the host engine computes: sum in source order, avg, then requantize and decode.
ReduceOut cpuReduce(int dtype, int op, const std::vector<std::vector<uint8_t>>& frames, size_t count, bool requantize,
                    const Q8Rounding& rounding = {}) {
  std::vector<float> acc(count);
  for (size_t s = 0; s < frames.size(); ++s)
    EXPECT_EQ(q8Accumulate(q8ReferenceOps(), frames[s].data(), frames[s].size(), dtype, count, s == 0, acc.data()),
              zcclSuccess);
  if (op == zcclAvg)
    for (float& v : acc) v = q8Div(v, static_cast<float>(frames.size()));
  ReduceOut r{};
  r.values.resize(count * eb(dtype));
  if (!requantize) {
    q8StoreAs(dtype, acc.data(), count, r.values.data());
    return r;
  }
  r.frame.resize(q8FrameBytes(count));
  EXPECT_EQ(q8Encode(q8ReferenceOps(), dtype, 7, acc.data(), count, rounding, r.frame.data(), r.frame.size()),
            zcclSuccess);
  EXPECT_EQ(q8Decode(q8ReferenceOps(), r.frame.data(), r.frame.size(), dtype, count, r.values.data()), zcclSuccess);
  return r;
}

TEST_F(QuantKernels, FusedReduceMatchesTheCpu) {
  for (int dtype : {6, 7, 9}) {
    for (size_t count : {0, 1, 130, 3000}) {
      for (int P : {1, 3, 5}) {
        std::vector<std::vector<uint8_t>> frames;
        for (int s = 0; s < P; ++s) {
          auto in = payload(dtype == 6 ? "gaussian:100" : "laplace", static_cast<zcclDataType_t>(dtype), count, s);
          if (count > 100 && s == 1)
            std::memcpy(in.data() + 5 * eb(dtype), dtype == 7 ? "\0\0\x80\x7F" : "\x80\x7F", eb(dtype));
          frames.push_back(cpuFrame(dtype, in));
        }
        for (int op : {zcclSum, zcclAvg}) {
          for (bool requantize : {true, false}) {
            SCOPED_TRACE(testing::Message() << "dtype " << dtype << " count " << count << " P " << P << " op " << op
                                            << " requantize " << requantize);
            const ReduceOut g = kernelReduce(dtype, op, frames, count, requantize);
            const ReduceOut c = cpuReduce(dtype, op, frames, count, requantize);
            EXPECT_EQ(g.status[0], 0);
            EXPECT_EQ(g.values, c.values);
            if (requantize) {
              EXPECT_EQ(g.frame, c.frame);
            }
          }
        }
      }
    }
  }
}

TEST_F(QuantKernels, FusedStochasticRequantizationMatchesTheCpu) {
  std::vector<std::vector<uint8_t>> frames;
  for (int s = 0; s < 3; ++s) frames.push_back(cpuFrame(9, payload("gaussian", zcclBfloat16, 2000, 20 + s)));
  const Q8Rounding r{true, 99, 1234};
  const ReduceOut g = kernelReduce(9, zcclAvg, frames, 2000, true, 0x5C, r),
                  c = cpuReduce(9, zcclAvg, frames, 2000, true, r);
  EXPECT_EQ(g.frame, c.frame);
  EXPECT_EQ(g.values, c.values);
  EXPECT_NE(g.frame, kernelReduce(9, zcclAvg, frames, 2000, true).frame);  // it did round otherwise
}

TEST_F(QuantKernels, DamagedSourcesAreReportedAndTheirBlocksUnwritten) {
  const size_t count = 1000;
  std::vector<std::vector<uint8_t>> frames;
  for (int s = 0; s < 3; ++s) frames.push_back(cpuFrame(9, payload("gaussian", zcclBfloat16, count, s)));
  const ReduceOut good = kernelReduce(9, zcclSum, frames, count, true);
  ASSERT_EQ(good.status[0], 0);
  // A header bit: no block writes anything.
  auto bad = frames;
  bad[2][9] ^= 0x01;
  ReduceOut r = kernelReduce(9, zcclSum, bad, count, true);
  EXPECT_EQ(r.status[0], zcclCorruptFrame);
  EXPECT_EQ(r.status[1], 2);
  for (uint8_t v : r.values) ASSERT_EQ(v, 0x5C);
  // Code -128 in block 3 of source 1 (a block without specials): only block 3 stays unwritten.
  bad = frames;
  bad[1][q8CodesOffset(count) + 3 * 128 + 7] = 0x80;
  r = kernelReduce(9, zcclSum, bad, count, false);
  EXPECT_EQ(r.status[0], zcclCorruptFrame);
  EXPECT_EQ(r.status[1], 1);
  EXPECT_EQ(r.status[2], 3);
  const ReduceOut plain = kernelReduce(9, zcclSum, frames, count, false);
  for (size_t i = 0; i < count; ++i) {
    const bool inBad = i / 128 == 3;
    ASSERT_EQ(loadLE16(r.values.data() + 2 * i), inBad ? 0x5C5C : loadLE16(plain.values.data() + 2 * i)) << i;
  }
  // An infinite scale word.
  bad = frames;
  storeLE32(bad[0].data() + kQ8HeaderBytes, 0x7F800000u);
  EXPECT_EQ(kernelReduce(9, zcclSum, bad, count, true).status[0], zcclCorruptFrame);
}

TEST_F(QuantKernels, LaunchersRefuseBadArguments) {
  DeviceBuffer b(4096);
  kk::QuantizeArgs q;
  q.inDtype = q.frameDtype = zcclInt32;
  q.count = 10;
  EXPECT_EQ(kk::launchQuantize(q, b.get(), b.get(), nullptr), zcclInvalidArgument);
  kk::QuantReduceArgs a;
  a.dtype = 9;
  a.op = zcclMax;
  a.count = 10;
  a.stride = 4096;
  a.nsources = 1;
  EXPECT_EQ(kk::launchQuantReduce(a, b.get(), nullptr, b.get(), b.as<int32_t>(), nullptr), zcclInvalidArgument);
  a.op = zcclSum;
  a.stride = 8;  // smaller than a frame
  EXPECT_EQ(kk::launchQuantReduce(a, b.get(), nullptr, b.get(), b.as<int32_t>(), nullptr), zcclInvalidArgument);
}

}  // namespace
}  // namespace zccl::test
