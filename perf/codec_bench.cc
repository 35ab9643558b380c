// Single-thread CPU codec throughput (Google Benchmark), in bytes/s of uncompressed data, with
// zstd -1, lz4 and memcpy measured in the same binary as baselines. Payloads: 64 MiB synthetic
// tensors (deterministic) and, where present, the real tensors of ../shared/data/gpt-kjv.
//   build/bin/codec_bench --benchmark_filter=bf16 --benchmark_min_time=1
// Counters: ratio = compressed/original.
#include <benchmark/benchmark.h>
#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "aligned_buffer.h"
#include "synthetic.h"
#include "zccl/zccl_codec.h"

namespace {

constexpr size_t kBytes = 64u << 20;

struct Payload {
  zcclDataType_t dtype;
  size_t count;
  zccl::data::AlignedBuffer bytes;
};

const Payload& payload(const std::string& spec, zcclDataType_t dtype) {
  static std::map<std::string, Payload> cache;
  const std::string key = spec + "/" + std::to_string(dtype);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  zccl::data::SyntheticSpec s;
  std::string error;
  zccl::data::parseSyntheticSpec(spec, &s, &error);
  const size_t count = kBytes / zccl::data::syntheticElemBytes(dtype);
  const std::vector<uint8_t> v = zccl::data::makeSynthetic(s, dtype, count, 1);
  return cache[key] = Payload{dtype, count, zccl::data::AlignedBuffer(v.data(), v.size())};
}

zcclCodecConfig_t config(int impl) {
  zcclCodecConfig_t c = ZCCL_CODEC_CONFIG_INITIALIZER;
  c.impl = impl;
  c.checksum = 0;
  return c;
}

void BM_Compress(benchmark::State& state, std::string spec, zcclDataType_t dtype, int impl) {
  const Payload& p = payload(spec, dtype);
  size_t bound = 0;
  zcclCodecMaxCompressedSize(p.count, dtype, &bound);
  zccl::data::AlignedBuffer frame(bound);
  const zcclCodecConfig_t c = config(impl);
  size_t bytes = 0;
  for (auto _ : state) {
    if (zcclCodecCompress(p.bytes.data(), p.count, dtype, frame.data(), frame.size(), &bytes, &c) != zcclSuccess)
      state.SkipWithError(zcclGetLastError(nullptr));
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
  state.counters["ratio"] = static_cast<double>(bytes) / p.bytes.size();
}

void BM_Decompress(benchmark::State& state, std::string spec, zcclDataType_t dtype, int impl) {
  const Payload& p = payload(spec, dtype);
  size_t bound = 0;
  zcclCodecMaxCompressedSize(p.count, dtype, &bound);
  zccl::data::AlignedBuffer frame(bound), out(p.bytes.size());
  const zcclCodecConfig_t c = config(impl);
  size_t bytes = 0;
  zcclCodecCompress(p.bytes.data(), p.count, dtype, frame.data(), frame.size(), &bytes, &c);
  for (auto _ : state) {
    if (zcclCodecDecompress(frame.data(), bytes, out.data(), p.count, dtype, nullptr, &c) != zcclSuccess)
      state.SkipWithError(zcclGetLastError(nullptr));
    benchmark::DoNotOptimize(out.data());
  }
  if (std::memcmp(out.data(), p.bytes.data(), p.bytes.size()) != 0) state.SkipWithError("round trip is not bit-exact");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
  state.counters["ratio"] = static_cast<double>(bytes) / p.bytes.size();
}

void BM_Zstd1(benchmark::State& state, std::string spec, zcclDataType_t dtype, bool decompress) {
  const Payload& p = payload(spec, dtype);
  zccl::data::AlignedBuffer z(ZSTD_compressBound(p.bytes.size())), out(p.bytes.size());
  size_t zBytes = ZSTD_compress(z.data(), z.size(), p.bytes.data(), p.bytes.size(), 1);
  for (auto _ : state) {
    if (decompress) {
      ZSTD_decompress(out.data(), out.size(), z.data(), zBytes);
    } else {
      zBytes = ZSTD_compress(z.data(), z.size(), p.bytes.data(), p.bytes.size(), 1);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
  state.counters["ratio"] = static_cast<double>(zBytes) / p.bytes.size();
}

void BM_Lz4(benchmark::State& state, std::string spec, zcclDataType_t dtype, bool decompress) {
  const Payload& p = payload(spec, dtype);
  zccl::data::AlignedBuffer zb(LZ4_compressBound(static_cast<int>(p.bytes.size()))), ob(p.bytes.size());
  char* z = reinterpret_cast<char*>(zb.data());
  char* out = reinterpret_cast<char*>(ob.data());
  const char* src = reinterpret_cast<const char*>(p.bytes.data());
  int zBytes = LZ4_compress_default(src, z, static_cast<int>(p.bytes.size()), static_cast<int>(zb.size()));
  for (auto _ : state) {
    if (decompress) {
      LZ4_decompress_safe(z, out, zBytes, static_cast<int>(ob.size()));
    } else {
      zBytes = LZ4_compress_default(src, z, static_cast<int>(p.bytes.size()), static_cast<int>(zb.size()));
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
  state.counters["ratio"] = static_cast<double>(zBytes) / p.bytes.size();
}

void BM_Memcpy(benchmark::State& state) {
  const Payload& p = payload("gaussian", zcclFloat32);
  zccl::data::AlignedBuffer out(p.bytes.size());
  for (auto _ : state) {
    std::memcpy(out.data(), p.bytes.data(), p.bytes.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
}

void registerAll() {
  struct Case {
    const char* name;
    zcclDataType_t dtype;
    const char* spec;
  };
  const Case cases[] = {{"bf16/gaussian", zcclBfloat16, "gaussian"}, {"fp16/gaussian", zcclFloat16, "gaussian"},
                        {"fp32/gaussian", zcclFloat32, "gaussian"},  {"bf16/student-t3", zcclBfloat16, "student-t:3"},
                        {"bf16/zeros50", zcclBfloat16, "zeros:0.5"}, {"bf16/random", zcclBfloat16, "random"}};
  for (const Case& c : cases) {
    const std::string n = c.name;
    benchmark::RegisterBenchmark(("compress/fast/" + n).c_str(), BM_Compress, c.spec, c.dtype, zcclCodecImplFast);
    benchmark::RegisterBenchmark(("decompress/fast/" + n).c_str(), BM_Decompress, c.spec, c.dtype, zcclCodecImplFast);
    benchmark::RegisterBenchmark(("compress/reference/" + n).c_str(), BM_Compress, c.spec, c.dtype,
                                 zcclCodecImplReference);
    benchmark::RegisterBenchmark(("decompress/reference/" + n).c_str(), BM_Decompress, c.spec, c.dtype,
                                 zcclCodecImplReference);
    benchmark::RegisterBenchmark(("zstd1_compress/" + n).c_str(), BM_Zstd1, c.spec, c.dtype, false);
    benchmark::RegisterBenchmark(("zstd1_decompress/" + n).c_str(), BM_Zstd1, c.spec, c.dtype, true);
    benchmark::RegisterBenchmark(("lz4_compress/" + n).c_str(), BM_Lz4, c.spec, c.dtype, false);
    benchmark::RegisterBenchmark(("lz4_decompress/" + n).c_str(), BM_Lz4, c.spec, c.dtype, true);
  }
  benchmark::RegisterBenchmark("memcpy/fp32", BM_Memcpy);
}

}  // namespace

int main(int argc, char** argv) {
  registerAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
