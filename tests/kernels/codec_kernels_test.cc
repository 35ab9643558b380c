// The codec kernels against the CPU reference codec: frames byte-identical for every dtype, size
// and distribution (P uneven segments per launch), decodes bit-exact, corruption reported
// without writing the failed block, and the fused decode-reduce equal to decoding on the CPU and
// reducing with the same element-wise operations. Built twice from this source: against the host
// emulation of the kernels (ctest -L kernels, runs everywhere) and against the real CUDA kernels
// (ctest -L gpu, skipped with a message where no GPU is found).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <random>

#include "codec/dtype_traits.h"
#include "common/codec_test_util.h"
#include "common/reduce_ops.h"
#include "kernels/device_buffer.h"
#include "kernels/launch.h"
#include "synthetic.h"
#include "tensor_file.h"

namespace zccl::test {
namespace {

namespace kk = zccl::kernels;

class CodecKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = kernelsUnavailable();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

size_t boundOf(size_t count, zcclDataType_t dtype) {
  size_t b = 0;
  EXPECT_EQ(zcclCodecMaxCompressedSize(count, dtype, &b), zcclSuccess);
  return b;
}

// Encodes consecutive segments of `all` in one launch; returns each frame.
std::vector<std::vector<uint8_t>> kernelEncode(zcclDataType_t dtype, const std::vector<uint8_t>& all,
                                               const std::vector<size_t>& counts, int checksum) {
  auto batch = std::make_unique<kk::EncodeBatch>();
  batch->dtype = dtype;
  batch->checksum = checksum;
  batch->nsegs = static_cast<int>(counts.size());
  size_t in = 0, out = 0;
  for (size_t p = 0; p < counts.size(); ++p) {
    batch->segs[p] = {in, counts[p], out};
    in += counts[p];
    out += boundOf(counts[p], dtype);
  }
  DeviceBuffer input(all.size()), output(out, 0xCD), sizes(8 * counts.size() + 8);
  input.upload(all.data(), all.size());
  size_t wsBytes = 0;
  EXPECT_EQ(kk::launchEncode(*batch, input.get(), output.get(), sizes.as<uint64_t>(), nullptr, &wsBytes, nullptr),
            zcclSuccess);
  DeviceBuffer ws(wsBytes, 0xEE);
  EXPECT_EQ(kk::launchEncode(*batch, input.get(), output.get(), sizes.as<uint64_t>(), ws.get(), &wsBytes, nullptr),
            zcclSuccess);
  std::vector<uint8_t> sizeBytes = sizes.download(8 * counts.size());
  std::vector<std::vector<uint8_t>> frames;
  for (size_t p = 0; p < counts.size(); ++p) {
    uint64_t bytes = 0;
    std::memcpy(&bytes, sizeBytes.data() + 8 * p, 8);
    EXPECT_LE(bytes, boundOf(counts[p], dtype));
    frames.push_back(output.download(std::min<uint64_t>(bytes, boundOf(counts[p], dtype)), batch->segs[p].outOffset));
  }
  return frames;
}

struct DecodeResult {
  std::vector<uint8_t> out;
  int32_t status[kk::kStatusWords];
};

// Decodes frames (one per segment) in one launch into a buffer prefilled with 0x5C.
DecodeResult kernelDecode(zcclDataType_t dtype, const std::vector<std::vector<uint8_t>>& frames,
                          const std::vector<size_t>& counts) {
  auto batch = std::make_unique<kk::DecodeBatch>();
  batch->dtype = dtype;
  batch->nsegs = static_cast<int>(frames.size());
  std::vector<uint8_t> all;
  size_t outElems = 0;
  for (size_t p = 0; p < frames.size(); ++p) {
    batch->segs[p] = {all.size(), frames[p].size(), counts[p], outElems};
    all.insert(all.end(), frames[p].begin(), frames[p].end());
    all.resize((all.size() + 3) & ~size_t{3});
    outElems += counts[p];
  }
  const size_t elem = dtypeBytes(dtype);
  DeviceBuffer input(all.size()), output(outElems * elem, 0x5C), status(4 * kk::kStatusWords, 0);
  input.upload(all.data(), all.size());
  size_t wsBytes = 1;
  EXPECT_EQ(kk::launchDecode(*batch, input.get(), output.get(), status.as<int32_t>(), nullptr, &wsBytes, nullptr),
            zcclSuccess);
  DeviceBuffer ws(wsBytes);
  EXPECT_EQ(kk::launchDecode(*batch, input.get(), output.get(), status.as<int32_t>(), ws.get(), &wsBytes, nullptr),
            zcclSuccess);
  DecodeResult r;
  r.out = output.download(outElems * elem);
  std::vector<uint8_t> st = status.download(4 * kk::kStatusWords);
  std::memcpy(r.status, st.data(), sizeof(r.status));
  return r;
}

// Frames of the kernels equal the reference codec's, and decode (kernels) bit-exactly.
void expectKernelsMatchReference(zcclDataType_t dtype, const std::vector<uint8_t>& all,
                                 const std::vector<size_t>& counts, int checksum, const std::string& what) {
  const std::vector<std::vector<uint8_t>> frames = kernelEncode(dtype, all, counts, checksum);
  const size_t elem = dtypeBytes(dtype);
  size_t at = 0;
  for (size_t p = 0; p < counts.size(); ++p) {
    const std::vector<uint8_t> ref =
        compress(all.data() + at * elem, counts[p], dtype, configFor(zcclCodecImplReference, checksum));
    EXPECT_TRUE(frames[p] == ref) << what << ": segment " << p << " (" << counts[p] << " elements): kernel frame "
                                  << frames[p].size() << " bytes, reference " << ref.size();
    at += counts[p];
  }
  const DecodeResult d = kernelDecode(dtype, frames, counts);
  EXPECT_EQ(d.status[0], 0) << what << ": segment " << d.status[1] << " block " << d.status[2];
  EXPECT_TRUE(d.out == all) << what << ": kernel decode is not bit-exact";
}

TEST_F(CodecKernels, EncodeAndDecodeMatchTheReferenceOnUnevenSegments) {
  const std::vector<size_t> counts = {0, 1, 33, 4095, 4096, 4097, 12345, 31};
  const size_t total = std::accumulate(counts.begin(), counts.end(), size_t{0});
  int round = 0;
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat16, zcclFloat32}) {
    for (const char* spec : {"gaussian", "zeros:0.5", "zeros:1", "student-t:3", "random", "gaussian:1e-30"}) {
      const std::vector<uint8_t> all = payload(spec, dtype, total, 3 + round);
      expectKernelsMatchReference(dtype, all, counts, round++ % 2,
                                  std::string(spec) + " dtype " + std::to_string(dtype));
    }
  }
}

TEST_F(CodecKernels, NonFloatTypesAreStoredFrames) {
  std::mt19937_64 rng(5);
  for (zcclDataType_t dtype : {zcclInt8, zcclInt32, zcclUint64, zcclFloat64, zcclFloat8e4m3}) {
    const std::vector<size_t> counts = {7, 0, 5000};
    std::vector<uint8_t> all(5007 * dtypeBytes(dtype));
    for (auto& b : all) b = static_cast<uint8_t>(rng());
    expectKernelsMatchReference(dtype, all, counts, dtype % 2, "dtype " + std::to_string(dtype));
  }
}

TEST_F(CodecKernels, EverySixteenBitPattern) {
  std::vector<uint16_t> v(65536);
  std::iota(v.begin(), v.end(), 0);
  std::vector<uint16_t> shuffled = v;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(9));
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat16}) {
    for (const auto* src : {&v, &shuffled}) {
      std::vector<uint8_t> all(reinterpret_cast<const uint8_t*>(src->data()),
                               reinterpret_cast<const uint8_t*>(src->data() + src->size()));
      expectKernelsMatchReference(dtype, all, {30000, 35536}, 1, "all patterns");
    }
  }
}

TEST_F(CodecKernels, Fp32SpecialValues) {
  std::vector<uint32_t> v = {0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00001u,
                             0x7F800001u, 0x00000001u, 0x807FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0xFF7FFFFFu};
  std::vector<uint8_t> g = payload("gaussian", zcclFloat32, 9000, 4);
  std::memcpy(g.data(), v.data(), 4 * v.size());
  for (size_t i = 0; i < v.size(); ++i) std::memcpy(g.data() + 4 * (4096 + 97 * i), &v[i], 4);
  expectKernelsMatchReference(zcclFloat32, g, {9000}, 0, "specials");
  std::vector<uint8_t> alone(reinterpret_cast<uint8_t*>(v.data()), reinterpret_cast<uint8_t*>(v.data() + v.size()));
  expectKernelsMatchReference(zcclFloat32, alone, {v.size()}, 1, "specials alone");
}

TEST_F(CodecKernels, DecodesFramesOfTheCpuCodecs) {
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat32}) {
    for (int mode : {zcclCodecModeWindow, zcclCodecModeStored}) {
      const std::vector<uint8_t> all = payload("gaussian", dtype, 10000, 6);
      const std::vector<uint8_t> frame =
          compress(all.data(), 10000, dtype, configFor(zcclCodecImplFast, mode == zcclCodecModeWindow, mode));
      const DecodeResult d = kernelDecode(dtype, {frame}, {10000});
      EXPECT_EQ(d.status[0], 0);
      EXPECT_EQ(d.out, all);
    }
  }
}

TEST_F(CodecKernels, CorruptionIsReportedAndTheBlockNotWritten) {
  const size_t count = 3 * 4096;
  const std::vector<uint8_t> all = payload("gaussian", zcclBfloat16, count, 8);
  const std::vector<uint8_t> good = compress(all.data(), count, zcclBfloat16, configFor(zcclCodecImplReference, 1));
  const uint32_t end0 = codec::loadLE32(good.data() + 32), end1 = codec::loadLE32(good.data() + 36);
  const size_t payload0 = 32 + 2 * 4 * 3;
  struct Case {
    const char* what;
    std::function<void(std::vector<uint8_t>&)> edit;
    int32_t expect;
    int32_t block;  // the one failing block (reported, left unwritten), or -1: every block fails
  };
  const Case cases[] = {
      {"header byte", [](auto& f) { f[9] ^= 1; }, zcclCorruptFrame, -1},
      {"truncated", [](auto& f) { f.resize(f.size() - 4); }, zcclCorruptFrame, -1},
      {"block 1 payload bit (checksum)", [&](auto& f) { f[payload0 + end0 + (end1 - end0) / 2] ^= 0x10; },
       zcclCorruptFrame, 1},
      {"block 1 header count", [&](auto& f) { f[payload0 + end0 + 4] ^= 1; }, zcclCorruptFrame, 1},
      {"block 0 table entry", [](auto& f) { f[32] ^= 4; }, zcclCorruptFrame, 0},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> bad = good;
    c.edit(bad);
    const DecodeResult d = kernelDecode(zcclBfloat16, {bad}, {count});
    EXPECT_EQ(d.status[0], c.expect) << c.what;
    const size_t from = c.block >= 0 ? 4096 * 2 * static_cast<size_t>(c.block) : 0;
    const size_t to = c.block >= 0 ? from + 8192 : d.out.size();
    if (c.block >= 0) {
      EXPECT_EQ(d.status[2], c.block) << c.what;
    }
    EXPECT_TRUE(std::all_of(d.out.begin() + from, d.out.begin() + to, [](uint8_t b) { return b == 0x5C; }))
        << c.what << ": a failed block was written";
  }
  const DecodeResult wrongCount = kernelDecode(zcclBfloat16, {good}, {count - 1});
  EXPECT_EQ(wrongCount.status[0], zcclInvalidArgument);
  const DecodeResult wrongType = kernelDecode(zcclFloat16, {good}, {count});
  EXPECT_EQ(wrongType.status[0], zcclInvalidArgument);
}

// CPU model of the fused kernel: decode every source, reduce in order in fp32, round once.
std::vector<uint8_t> cpuReduce(zcclDataType_t dtype, int op, size_t count,
                               const std::vector<std::vector<uint8_t>>& sourcesDecoded) {
  const size_t elem = dtypeBytes(dtype);
  std::vector<uint8_t> out(count * elem);
  for (size_t i = 0; i < count; ++i) {
    float acc = 0;
    for (size_t s = 0; s < sourcesDecoded.size(); ++s) {
      uint32_t x = 0;
      std::memcpy(&x, sourcesDecoded[s].data() + i * elem, elem);
      const float v = elementToFloat(dtype, x);
      acc = s == 0 ? v : reduceStep(op, acc, v);
    }
    const uint32_t y = floatToElement(dtype, reduceFinish(op, acc, static_cast<int>(sourcesDecoded.size())));
    std::memcpy(out.data() + i * elem, &y, elem);
  }
  return out;
}

TEST_F(CodecKernels, FusedDecodeReduceMatchesTheCpu) {
  const size_t count = 2 * 4096 + 123;
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat16, zcclFloat32}) {
    // Four sources: three frames and one raw buffer, with NaN, +-0 and infinities planted.
    std::vector<std::vector<uint8_t>> decoded;
    for (int s = 0; s < 4; ++s) decoded.push_back(payload(s == 2 ? "zeros:0.3" : "gaussian", dtype, count, 10 + s));
    const size_t elem = dtypeBytes(dtype);
    const uint32_t nan = dtype == zcclFloat32 ? 0x7FC01234u : dtype == zcclBfloat16 ? 0x7FC1u : 0x7E01u;
    const uint32_t negZero = dtype == zcclFloat32 ? 0x80000000u : 0x8000u;
    std::memcpy(decoded[1].data() + 5 * elem, &nan, elem);
    std::memcpy(decoded[0].data() + 6 * elem, &negZero, elem);
    std::memcpy(decoded[1].data() + 6 * elem, &negZero, elem);
    std::vector<std::vector<uint8_t>> frames;
    for (int s = 0; s < 3; ++s)
      frames.push_back(compress(decoded[s].data(), count, dtype, configFor(zcclCodecImplFast, s % 2)));
    std::vector<uint8_t> framesAll;
    auto batch = std::make_unique<kk::ReduceBatch>();
    batch->dtype = dtype;
    batch->count = count;
    batch->nsources = 4;
    for (int s = 0; s < 3; ++s) {
      batch->sources[s] = {framesAll.size(), frames[s].size(), 1};
      framesAll.insert(framesAll.end(), frames[s].begin(), frames[s].end());
    }
    batch->sources[3] = {0, 0, 0};
    DeviceBuffer dFrames(framesAll.size()), dRaw(count * elem), dOut(count * elem, 0x5C), status(16, 0);
    dFrames.upload(framesAll.data(), framesAll.size());
    dRaw.upload(decoded[3].data(), count * elem);
    for (int op : {zcclSum, zcclProd, zcclMax, zcclMin, zcclAvg}) {
      batch->op = op;
      size_t ws = 0;
      ASSERT_EQ(kk::launchDecodeReduce(*batch, dFrames.get(), dRaw.get(), dOut.get(), status.as<int32_t>(), nullptr,
                                       &ws, nullptr),
                zcclSuccess);
      DeviceBuffer wsBuf(ws);
      ASSERT_EQ(kk::launchDecodeReduce(*batch, dFrames.get(), dRaw.get(), dOut.get(), status.as<int32_t>(), wsBuf.get(),
                                       &ws, nullptr),
                zcclSuccess);
      EXPECT_EQ(dOut.download(count * elem), cpuReduce(dtype, op, count, decoded)) << "dtype " << dtype << " op " << op;
      std::vector<uint8_t> st = status.download(4);
      EXPECT_EQ(st, std::vector<uint8_t>(4, 0));
    }
  }
}

TEST_F(CodecKernels, LaunchArgumentsAreChecked) {
  auto enc = std::make_unique<kk::EncodeBatch>();
  size_t ws = 0;
  enc->dtype = 42;
  EXPECT_EQ(kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, &ws, nullptr), zcclInvalidArgument);
  enc->dtype = zcclBfloat16;
  enc->nsegs = kk::kMaxBatchSegments + 1;
  EXPECT_EQ(kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, &ws, nullptr), zcclInvalidArgument);
  enc->nsegs = 1;
  enc->segs[0] = {0, 100, 2};  // output offset not a multiple of 4
  EXPECT_EQ(kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, &ws, nullptr), zcclInvalidArgument);
  enc->segs[0] = {0, 100, 0};
  EXPECT_EQ(kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), zcclInvalidArgument);
  ASSERT_EQ(kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, &ws, nullptr), zcclSuccess);
  EXPECT_GT(ws, 0u);
  DeviceBuffer small(ws - 1);
  size_t smaller = ws - 1;
  EXPECT_EQ(kk::launchEncode(*enc, small.get(), small.get(), small.as<uint64_t>(), small.get(), &smaller, nullptr),
            zcclInvalidArgument);
  auto red = std::make_unique<kk::ReduceBatch>();
  red->dtype = zcclInt32;
  red->nsources = 2;
  EXPECT_EQ(kk::launchDecodeReduce(*red, nullptr, nullptr, nullptr, nullptr, nullptr, &ws, nullptr),
            zcclInvalidArgument);
  red->dtype = zcclFloat32;
  red->op = 7;
  EXPECT_EQ(kk::launchDecodeReduce(*red, nullptr, nullptr, nullptr, nullptr, nullptr, &ws, nullptr),
            zcclInvalidArgument);
}

TEST_F(CodecKernels, RealTensors) {
  const std::vector<std::string> files = data::findSharedTensorFiles();
  if (files.empty()) GTEST_SKIP() << "no tensors found (set ZCCL_DATA_DIR or provide ../shared/data)";
  // Every file, every tensor a segment (batches of up to kMaxBatchSegments); emulation is slow,
  // so ZCCL_TEST_TENSOR_FILES can narrow the set (a substring of the file names).
  const char* filter = std::getenv("ZCCL_TEST_TENSOR_FILES");
  size_t tensors = 0;
  for (const std::string& path : files) {
    if (filter != nullptr && path.find(filter) == std::string::npos) continue;
    data::TensorFile tf;
    std::string error;
    ASSERT_TRUE(data::readTensorFile(path, &tf, &error)) << error;
    for (size_t first = 0; first < tf.tensors.size(); first += kk::kMaxBatchSegments) {
      std::vector<uint8_t> all;
      std::vector<size_t> counts;
      for (size_t i = first; i < std::min(tf.tensors.size(), first + kk::kMaxBatchSegments); ++i) {
        all.insert(all.end(), tf.tensors[i].bytes.begin(), tf.tensors[i].bytes.end());
        counts.push_back(tf.tensors[i].count());
      }
      expectKernelsMatchReference(tf.tensors[0].dtype, all, counts, 0, path);
      tensors += counts.size();
    }
  }
  EXPECT_GT(tensors, 0u);
}

}  // namespace
}  // namespace zccl::test
