// The 8-bit block-scaled frames on the CPU: the SIMD quantizer against the scalar reference (the
// same bytes and values) on every bf16 and fp16 bit pattern, fp32 data, every block edge; the
// error of one quantize step checked per element against its bound; NaN, infinities and zeros;
// stochastic rounding; and hostile frames refused without a read outside the frame.
#include "codec/q8_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "common/codec_test_util.h"
#include "common/q8_golden.h"
#include "common/reduce_ops.h"
#include "hwy/targets.h"

namespace zccl::test {
namespace {

using namespace zccl::codec;

size_t elemBytes(int dtype) { return dtype == 7 ? 4 : 2; }
float elementAt(int dtype, const std::vector<uint8_t>& in, size_t i) {
  return dtype == 7 ? bitsFloat(loadLE32(in.data() + 4 * i)) : elementToFloat(dtype, loadLE16(in.data() + 2 * i));
}

std::vector<uint8_t> encode(const Q8BlockOps& ops, int dtype, const std::vector<uint8_t>& in,
                            const Q8Rounding& r = {}) {
  const size_t count = in.size() / elemBytes(dtype);
  std::vector<uint8_t> frame(q8FrameBytes(count), 0xEE);
  EXPECT_EQ(q8Encode(ops, dtype, dtype, in.data(), count, r, frame.data(), frame.size()), zcclSuccess)
      << zcclGetLastError(nullptr);
  return frame;
}

std::vector<float> values(const Q8BlockOps& ops, int dtype, const std::vector<uint8_t>& frame, size_t count) {
  std::vector<float> v(count, -7.0f);
  EXPECT_EQ(q8Accumulate(ops, frame.data(), frame.size(), dtype, count, true, v.data()), zcclSuccess)
      << zcclGetLastError(nullptr);
  return v;
}

// Largest finite |x| of each block.
std::vector<float> blockMax(int dtype, const std::vector<uint8_t>& in, size_t count) {
  std::vector<float> m(q8NumBlocks(count), 0.0f);
  for (size_t i = 0; i < count; ++i) {
    const float x = elementAt(dtype, in, i);
    if (q8Finite(x)) m[i / kQ8BlockElems] = std::max(m[i / kQ8BlockElems], std::fabs(x));
  }
  return m;
}

// Reference and SIMD agree byte for byte and value for value; every element is within the bound
// of one step (half a step to nearest, a whole step stochastically, plus fp32 rounding), NaN and
// infinities come back as themselves, zeros as zero.
void checkRoundTrip(int dtype, const std::vector<uint8_t>& in, const Q8Rounding& r = {}) {
  const size_t count = in.size() / elemBytes(dtype);
  const std::vector<uint8_t> ref = encode(q8ReferenceOps(), dtype, in, r);
  const std::vector<uint8_t> fast = encode(q8FastOps(), dtype, in, r);
  ASSERT_EQ(ref, fast) << "count " << count;
  const std::vector<float> v = values(q8ReferenceOps(), dtype, ref, count);
  const std::vector<float> vf = values(q8FastOps(), dtype, ref, count);
  ASSERT_TRUE(count == 0 || std::memcmp(v.data(), vf.data(), 4 * count) == 0);
  const std::vector<float> m = blockMax(dtype, in, count);
  for (size_t i = 0; i < count; ++i) {
    const float x = elementAt(dtype, in, i);
    const uint32_t w = loadLE32(ref.data() + kQ8HeaderBytes + 4 * (i / kQ8BlockElems));
    if (std::isnan(x)) {
      ASSERT_TRUE(std::isnan(v[i])) << i;
      continue;
    }
    if (std::isinf(x)) {
      ASSERT_EQ(v[i], x) << i;
      continue;
    }
    if (x == 0.0f) {
      ASSERT_EQ(v[i], 0.0f) << i;
    }
    const double s = q8Step(w), bm = m[i / kQ8BlockElems];
    // Plus 2^-142 absolute: a step below 2^-126 (block maximum below 2^-119) is a subnormal.
    const double bound = (r.stochastic ? 1.0 : 0.5) * s + bm * std::ldexp(1.0, -21) + std::ldexp(1.0, -142);
    ASSERT_LE(std::fabs(static_cast<double>(v[i]) - x), bound) << "element " << i << " x " << x << " s " << s;
  }
}

std::vector<uint8_t> allPatterns(bool shuffled) {
  std::vector<uint16_t> p(65536);
  std::iota(p.begin(), p.end(), 0);
  if (shuffled) std::shuffle(p.begin(), p.end(), std::mt19937(14));
  std::vector<uint8_t> b(2 * p.size());
  for (size_t i = 0; i < p.size(); ++i) storeLE16(b.data() + 2 * i, p[i]);
  return b;
}

TEST(Q8Codec, EveryBf16PatternInOrderAndShuffled) {
  checkRoundTrip(9, allPatterns(false));
  checkRoundTrip(9, allPatterns(true));
}

TEST(Q8Codec, EveryFp16PatternInOrderAndShuffled) {
  checkRoundTrip(6, allPatterns(false));
  checkRoundTrip(6, allPatterns(true));
}

TEST(Q8Codec, Fp32RandomBitsAndGaussian) {
  std::vector<uint8_t> bits(4 * 40000);
  std::mt19937 rng(3);
  for (auto& b : bits) b = static_cast<uint8_t>(rng());
  checkRoundTrip(7, bits);
  checkRoundTrip(7, payload("gaussian", zcclFloat32, 50000, 5));
  checkRoundTrip(9, payload("student-t:3", zcclBfloat16, 50000, 6));
  checkRoundTrip(6, payload("laplace", zcclFloat16, 50000, 7));
}

TEST(Q8Codec, BlockEdges) {
  for (size_t count : {0, 1, 2, 31, 127, 128, 129, 255, 256, 257, 1000, 4096, 4097}) {
    for (int dtype : {6, 7, 9}) {
      SCOPED_TRACE(testing::Message() << "count " << count << " dtype " << dtype);
      const std::vector<uint8_t> in = payload("gaussian:0.01", static_cast<zcclDataType_t>(dtype), count, count);
      checkRoundTrip(dtype, in);
      EXPECT_EQ(encode(q8FastOps(), dtype, in).size(), q8FrameBytes(count));
    }
  }
}

TEST(Q8Codec, SpecialsZerosAndTinyBlocks) {
  std::vector<float> x(3 * kQ8BlockElems, 0.0f);
  x[5] = NAN;
  x[6] = INFINITY;
  x[7] = -INFINITY;
  x[8] = 3.5f;
  x[9] = -0.0f;
  for (size_t i = kQ8BlockElems; i < 2 * kQ8BlockElems; ++i) x[i] = std::ldexp(1.0f, -140) * (i % 5);  // tiny
  x[2 * kQ8BlockElems + 1] = 1e38f;                                                                    // huge
  x[2 * kQ8BlockElems + 2] = -3e38f;
  std::vector<uint8_t> in(4 * x.size());
  std::memcpy(in.data(), x.data(), in.size());
  checkRoundTrip(7, in);
  const std::vector<uint8_t> f = encode(q8ReferenceOps(), 7, in);
  EXPECT_TRUE(q8Special(loadLE32(f.data() + kQ8HeaderBytes)));
  EXPECT_FALSE(q8Special(loadLE32(f.data() + kQ8HeaderBytes + 4)));
  const std::vector<float> v = values(q8FastOps(), 7, f, x.size());
  EXPECT_EQ(v[8], 3.5f);  // the block maximum itself: code 126 of step 3.5 / 126
  EXPECT_EQ(floatBits(v[9]), 0u);
  // Whole-block zeros: scale 0, codes 0.
  std::vector<uint8_t> zeros(2 * 300, 0);
  const std::vector<uint8_t> fz = encode(q8FastOps(), 9, zeros);
  for (size_t i = kQ8HeaderBytes; i < fz.size(); ++i) EXPECT_EQ(fz[i], 0) << i;
}

TEST(Q8Codec, StochasticRoundingIsSeededAndUnbiased) {
  const std::vector<uint8_t> in = payload("gaussian", zcclFloat32, 20000, 9);
  Q8Rounding a{true, 1, 0}, b{true, 2, 0};
  checkRoundTrip(7, in, a);
  EXPECT_EQ(encode(q8ReferenceOps(), 7, in, a), encode(q8ReferenceOps(), 7, in, a));
  EXPECT_NE(encode(q8ReferenceOps(), 7, in, a), encode(q8ReferenceOps(), 7, in, b));
  // Mean error in steps over all elements: unbiased (well below the 0.5-step bias a floor would have).
  const std::vector<uint8_t> f = encode(q8ReferenceOps(), 7, in, a);
  const std::vector<float> v = values(q8ReferenceOps(), 7, f, 20000);
  double meanSteps = 0;
  for (size_t i = 0; i < v.size(); ++i)
    meanSteps += (v[i] - elementAt(7, in, i)) / q8Step(loadLE32(f.data() + kQ8HeaderBytes + 4 * (i / 128)));
  EXPECT_LT(std::fabs(meanSteps / v.size()), 0.02);
}

// Every SIMD target compiled in and runnable here, forced in turn, against the reference.
TEST(Q8Codec, EverySimdTargetMatchesTheReference) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target));
    checkRoundTrip(9, allPatterns(true));
    checkRoundTrip(6, allPatterns(true));
    checkRoundTrip(7, payload("gaussian", zcclFloat32, 4 * 128 + 5, 1));
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(Q8Codec, HostileFramesAreRefused) {
  const size_t count = 300;
  const std::vector<uint8_t> in = payload("gaussian", zcclBfloat16, count, 11);
  const std::vector<uint8_t> good = encode(q8FastOps(), 9, in);
  std::vector<float> acc(count);
  auto accepts = [&](const std::vector<uint8_t>& f, size_t avail, int dtype = 9, size_t n = 300) {
    std::vector<uint8_t> copy(f.begin(), f.begin() + std::min(avail, f.size()));  // exact size: ASan sees overreads
    const bool a = q8Accumulate(q8FastOps(), copy.data(), copy.size(), dtype, n, true, acc.data()) == zcclSuccess;
    const bool b = q8Accumulate(q8ReferenceOps(), copy.data(), copy.size(), dtype, n, true, acc.data()) == zcclSuccess;
    EXPECT_EQ(a, b);
    return a;
  };
  EXPECT_TRUE(accepts(good, good.size()));
  for (size_t len = 0; len < good.size(); len += 7) EXPECT_FALSE(accepts(good, len)) << len;
  EXPECT_FALSE(accepts(good, good.size(), 6));
  EXPECT_FALSE(accepts(good, good.size(), 9, count - 1));
  for (size_t byte = 0; byte < kQ8HeaderBytes; ++byte) {
    std::vector<uint8_t> f = good;
    f[byte] ^= 0x10;
    EXPECT_FALSE(accepts(f, f.size())) << "header byte " << byte;
  }
  std::vector<uint8_t> f = good;
  storeLE32(f.data() + kQ8HeaderBytes + 4, 0x7F800000u);  // infinite scale
  EXPECT_FALSE(accepts(f, f.size()));
  f = good;
  storeLE32(f.data() + kQ8HeaderBytes + 4, 0x7FC00000u | kQ8SpecialFlag);  // NaN scale
  EXPECT_FALSE(accepts(f, f.size()));
  f = good;
  f[q8CodesOffset(count) + 200] = 0x80;  // -128 in a normal block
  EXPECT_FALSE(accepts(f, f.size()));
  f = good;
  f.back() = 1;  // padding: 32 + 4 * 3 + 300 = 344 bytes, so pad it with 4 more elements' room
  {
    const std::vector<uint8_t> in2 = payload("gaussian", zcclBfloat16, 301, 11);
    std::vector<uint8_t> g = encode(q8FastOps(), 9, in2);
    ASSERT_GT(g.size(), q8CodesOffset(301) + 301);
    std::vector<float> acc2(301);
    EXPECT_EQ(q8Accumulate(q8FastOps(), g.data(), g.size(), 9, 301, true, acc2.data()), zcclSuccess);
    g.back() = 1;
    EXPECT_EQ(q8Accumulate(q8FastOps(), g.data(), g.size(), 9, 301, true, acc2.data()), zcclCorruptFrame);
  }
  // Random damage anywhere: accepted or refused, identically by both implementations, never a crash.
  std::mt19937 rng(12);
  for (int trial = 0; trial < 2000; ++trial) {
    f = good;
    for (int k = 0; k < 3; ++k) f[rng() % f.size()] = static_cast<uint8_t>(rng());
    accepts(f, f.size());
  }
}

TEST(Q8Codec, DecodeRoundsOnceToTheDtype) {
  const std::vector<uint8_t> in = payload("gaussian", zcclFloat16, 1000, 13);
  const std::vector<uint8_t> f = encode(q8FastOps(), 6, in);
  const std::vector<float> v = values(q8ReferenceOps(), 6, f, 1000);
  std::vector<uint8_t> out(2000);
  ASSERT_EQ(q8Decode(q8FastOps(), f.data(), f.size(), 6, 1000, out.data()), zcclSuccess);
  for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(loadLE16(out.data() + 2 * i), floatToFp16(v[i])) << i;
}

// The golden frames freeze the 8-bit format: both implementations write exactly the stored
// frame, and it decodes to exactly the stored values.
TEST(Q8Golden, FramesAreFrozen) {
  const std::vector<Q8Golden> cases = readQ8Goldens();
  EXPECT_GE(cases.size(), 7u);
  for (const Q8Golden& g : cases) {
    SCOPED_TRACE(g.name);
    ASSERT_EQ(g.in.size(), g.count * elemBytes(g.dtype));
    const Q8Rounding r{g.stochastic != 0, g.seed, 0};
    for (const Q8BlockOps* ops : {&q8ReferenceOps(), &q8FastOps()}) {
      EXPECT_EQ(encode(*ops, g.dtype, g.in, r), g.frame) << ops->name;
      std::vector<uint8_t> out(g.out.size() + 1, 0xEE);
      ASSERT_EQ(q8Decode(*ops, g.frame.data(), g.frame.size(), g.dtype, g.count, out.data()), zcclSuccess);
      EXPECT_EQ(out.back(), 0xEE);
      out.pop_back();
      EXPECT_EQ(out, g.out) << ops->name;
    }
  }
}

}  // namespace
}  // namespace zccl::test
