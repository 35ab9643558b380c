// Single-thread speed of the 8-bit quantizer (src/codec/q8_*), bytes/s of uncompressed input,
// with memcpy in the same binary as the baseline: quantize (elements to a frame) and accumulate
// (a frame's values added to an fp32 accumulator, the reduction's inner step), SIMD and reference.
//   build/bin/q8_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "aligned_buffer.h"
#include "codec/q8_codec.h"
#include "synthetic.h"

namespace {

constexpr size_t kBytes = 64u << 20;

const zccl::data::AlignedBuffer& input(zcclDataType_t dtype) {
  static zccl::data::AlignedBuffer bf16, fp32;
  zccl::data::AlignedBuffer& b = dtype == zcclFloat32 ? fp32 : bf16;
  if (b.size() == 0) {
    const std::vector<uint8_t> v =
        zccl::data::makeSynthetic(zccl::data::SyntheticSpec{}, dtype, kBytes / (dtype == zcclFloat32 ? 4 : 2), 1);
    b = zccl::data::AlignedBuffer(v.data(), v.size());
  }
  return b;
}

void quantize(benchmark::State& state, zcclDataType_t dtype, bool fast) {
  const auto& in = input(dtype);
  const size_t count = in.size() / (dtype == zcclFloat32 ? 4 : 2);
  zccl::data::AlignedBuffer frame(zccl::codec::q8FrameBytes(count));
  const auto& ops = fast ? zccl::codec::q8FastOps() : zccl::codec::q8ReferenceOps();
  for (auto _ : state) {
    zccl::codec::q8Encode(ops, dtype, dtype, in.data(), count, {}, frame.data(), frame.size());
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void accumulate(benchmark::State& state, zcclDataType_t dtype, bool fast) {
  const auto& in = input(dtype);
  const size_t count = in.size() / (dtype == zcclFloat32 ? 4 : 2);
  zccl::data::AlignedBuffer frame(zccl::codec::q8FrameBytes(count));
  zccl::codec::q8Encode(zccl::codec::q8FastOps(), dtype, dtype, in.data(), count, {}, frame.data(), frame.size());
  std::vector<float> acc(count, 0.0f);
  const auto& ops = fast ? zccl::codec::q8FastOps() : zccl::codec::q8ReferenceOps();
  for (auto _ : state) {
    zccl::codec::q8Accumulate(ops, frame.data(), frame.size(), dtype, count, false, acc.data());
    benchmark::DoNotOptimize(acc.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void memcpyBaseline(benchmark::State& state) {
  const auto& in = input(zcclBfloat16);
  zccl::data::AlignedBuffer out(in.size());
  for (auto _ : state) {
    std::memcpy(out.data(), in.data(), in.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

BENCHMARK_CAPTURE(quantize, fast_bf16, zcclBfloat16, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(quantize, fast_fp32, zcclFloat32, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(quantize, reference_bf16, zcclBfloat16, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(accumulate, fast_bf16, zcclBfloat16, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(accumulate, fast_fp32, zcclFloat32, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(accumulate, reference_bf16, zcclBfloat16, false)->Unit(benchmark::kMillisecond);
BENCHMARK(memcpyBaseline)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
