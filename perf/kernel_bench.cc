// GPU codec kernel throughput (Google Benchmark, manual timing with CUDA events): encode, decode
// and fused decode-reduce (4 sources) of bf16 and fp32 Gaussian data, 1 MiB to 1 GiB, in bytes/s
// of uncompressed data, and the baseline of the same run: a device-to-device cudaMemcpy of the
// same size, in bytes read plus written per second (the device's usable memory bandwidth;
// tools/gpu_check.sh divides each kernel's throughput by it). Needs a GPU; without one it says so
// and exits 0.
//   build/bin/kernel_bench --benchmark_filter=bf16 --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/dtype_size.h"
#include "kernels/launch.h"
#include "synthetic.h"
#include "zccl/zccl_codec.h"

namespace {

namespace kk = zccl::kernels;

#define CUDA_OK(call)                              \
  do {                                             \
    cudaError_t e_ = (call);                       \
    if (e_ != cudaSuccess) {                       \
      state.SkipWithError(cudaGetErrorString(e_)); \
      return;                                      \
    }                                              \
  } while (0)

// Device buffers of one prepared benchmark, freed with it.
struct DeviceData {
  DeviceData() = default;
  DeviceData(const DeviceData&) = delete;
  DeviceData& operator=(const DeviceData&) = delete;
  ~DeviceData() {
    for (void* p : {input, frames, output, workspace, static_cast<void*>(sizes), static_cast<void*>(status)}) {
      cudaFree(p);  // nullptr is a no-op
    }
  }
  void* input = nullptr;
  void* frames = nullptr;
  void* output = nullptr;
  void* workspace = nullptr;
  uint64_t* sizes = nullptr;
  int32_t* status = nullptr;
};

// What a prepared benchmark was made from: its payload's dtype, size and seed.
struct Key {
  zcclDataType_t dtype;
  size_t bytes;
  uint64_t seed;
  bool operator==(const Key& o) const { return dtype == o.dtype && bytes == o.bytes && seed == o.seed; }
};

// The synthetic payload (default spec) and device buffers of encode and decode, made once and
// kept across Google Benchmark's repeated calls of a benchmark, like codec_bench's payload().
struct EncodeSetup {
  Key key;
  kk::EncodeBatch enc;
  kk::DecodeBatch dec;
  DeviceData d;
  size_t ws = 0;            // encode's workspace bytes
  uint64_t compressed = 0;  // bytes of the frames
};

// The compressed sources and device buffers of decode-reduce, kept likewise.
constexpr int kReduceSources = 4;
struct ReduceSetup {
  Key key;
  kk::ReduceBatch red;
  DeviceData d;
};

// The setup in use: one at a time, as payloads go up to 1 GiB (main frees the last one before
// the CUDA runtime goes away).
std::unique_ptr<EncodeSetup> gEncode;
std::unique_ptr<ReduceSetup> gReduce;

#define CUDA_SETUP(call)               \
  do {                                 \
    cudaError_t e_ = (call);           \
    if (e_ != cudaSuccess) {           \
      *error = cudaGetErrorString(e_); \
      return nullptr;                  \
    }                                  \
  } while (0)

const EncodeSetup* encodeSetup(zcclDataType_t dtype, size_t bytes, std::string* error) {
  const Key key{dtype, bytes, 1};
  if (gEncode != nullptr && gEncode->key == key) return gEncode.get();
  gEncode.reset();
  gReduce.reset();
  const size_t count = bytes / zccl::dtypeBytes(dtype);
  const int segs = 8;  // an 8-rank collective's partition
  zccl::data::SyntheticSpec spec;
  const std::vector<uint8_t> host = zccl::data::makeSynthetic(spec, dtype, count, key.seed);
  auto s = std::make_unique<EncodeSetup>();
  s->key = key;
  kk::EncodeBatch& enc = s->enc;
  kk::DecodeBatch& dec = s->dec;
  enc.dtype = dec.dtype = dtype;
  enc.nsegs = dec.nsegs = segs;
  size_t outBytes = 0, per = count / segs;
  for (int i = 0; i < segs; ++i) {
    const size_t c = i + 1 == segs ? count - per * (segs - 1) : per;
    size_t bound = 0;
    zcclCodecMaxCompressedSize(c, dtype, &bound);
    enc.segs[i] = {per * i, c, outBytes};
    dec.segs[i] = {outBytes, bound, c, per * i};
    outBytes += bound;
  }
  DeviceData& d = s->d;
  kk::launchEncode(enc, nullptr, nullptr, nullptr, nullptr, &s->ws, nullptr);
  CUDA_SETUP(cudaMalloc(&d.input, bytes));
  CUDA_SETUP(cudaMalloc(&d.frames, outBytes));
  CUDA_SETUP(cudaMalloc(&d.output, bytes));
  CUDA_SETUP(cudaMalloc(&d.workspace, s->ws + 1));
  CUDA_SETUP(cudaMalloc(&d.sizes, 8 * segs));
  CUDA_SETUP(cudaMalloc(&d.status, 64));
  CUDA_SETUP(cudaMemcpy(d.input, host.data(), bytes, cudaMemcpyHostToDevice));
  // One encode, for the frames decode reads and the compressed size.
  size_t ws = s->ws;
  kk::launchEncode(enc, d.input, d.frames, d.sizes, d.workspace, &ws, nullptr);
  CUDA_SETUP(cudaDeviceSynchronize());
  std::vector<uint64_t> sizes(segs);
  CUDA_SETUP(cudaMemcpy(sizes.data(), d.sizes, 8 * segs, cudaMemcpyDeviceToHost));
  for (uint64_t n : sizes) s->compressed += n;
  gEncode = std::move(s);
  return gEncode.get();
}

const ReduceSetup* reduceSetup(zcclDataType_t dtype, size_t bytes, std::string* error) {
  const Key key{dtype, bytes, 10};  // source i is seeded 10 + i
  if (gReduce != nullptr && gReduce->key == key) return gReduce.get();
  gEncode.reset();
  gReduce.reset();
  const size_t count = bytes / zccl::dtypeBytes(dtype);
  zccl::data::SyntheticSpec spec;
  size_t bound = 0;
  zcclCodecMaxCompressedSize(count, dtype, &bound);
  std::vector<uint8_t> frames(bound * kReduceSources);
  auto s = std::make_unique<ReduceSetup>();
  s->key = key;
  kk::ReduceBatch& red = s->red;
  red.dtype = dtype;
  red.op = zcclSum;
  red.count = count;
  red.nsources = kReduceSources;
  for (int i = 0; i < kReduceSources; ++i) {
    const std::vector<uint8_t> host = zccl::data::makeSynthetic(spec, dtype, count, key.seed + i);
    size_t used = 0;
    zcclCodecCompress(host.data(), count, dtype, frames.data() + bound * i, bound, &used, nullptr);
    red.sources[i] = {bound * i, bound, 1};
  }
  DeviceData& d = s->d;
  CUDA_SETUP(cudaMalloc(&d.frames, frames.size()));
  CUDA_SETUP(cudaMalloc(&d.output, bytes));
  CUDA_SETUP(cudaMalloc(&d.status, 64));
  CUDA_SETUP(cudaMemcpy(d.frames, frames.data(), frames.size(), cudaMemcpyHostToDevice));
  gReduce = std::move(s);
  return gReduce.get();
}

#undef CUDA_SETUP

void runEncodeDecode(benchmark::State& state, zcclDataType_t dtype, bool decode) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  std::string error;
  const EncodeSetup* s = encodeSetup(dtype, bytes, &error);
  if (s == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const DeviceData& d = s->d;
  size_t ws = s->ws;
  cudaStream_t stream;
  CUDA_OK(cudaStreamCreate(&stream));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  for (auto _ : state) {
    cudaEventRecord(start, stream);
    if (decode) {
      size_t zero = 0;
      kk::launchDecode(s->dec, d.frames, d.output, d.status, d.workspace, &zero, stream);
    } else {
      kk::launchEncode(s->enc, d.input, d.frames, d.sizes, d.workspace, &ws, stream);
    }
    cudaEventRecord(stop, stream);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ratio"] = static_cast<double>(s->compressed) / bytes;
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaStreamDestroy(stream);
}

void runDecodeReduce(benchmark::State& state, zcclDataType_t dtype) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  std::string error;
  const ReduceSetup* s = reduceSetup(dtype, bytes, &error);
  if (s == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const DeviceData& d = s->d;
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  size_t ws = 0;
  char dummy;
  for (auto _ : state) {
    cudaEventRecord(start);
    kk::launchDecodeReduce(s->red, d.frames, nullptr, d.output, d.status, &dummy, &ws, nullptr);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  // Bytes of output per second; each output byte consumed kReduceSources compressed inputs.
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

// The memory-bandwidth baseline: bytes read plus bytes written per second by cudaMemcpyAsync.
void runMemcpy(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  void *a = nullptr, *b = nullptr;
  CUDA_OK(cudaMalloc(&a, bytes));
  CUDA_OK(cudaMalloc(&b, bytes));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  for (auto _ : state) {
    cudaEventRecord(start);
    cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 2 * bytes));
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaFree(a);
  cudaFree(b);
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0) {
    std::printf("kernel_bench: no CUDA device (cudaGetDeviceCount: %s); nothing to measure\n",
                e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
    return 0;
  }
  for (int64_t s = 1 << 20; s <= (int64_t{1} << 30); s *= 4) {
    benchmark::RegisterBenchmark("device_memcpy", runMemcpy)->Arg(s)->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  for (zcclDataType_t dtype : {zcclBfloat16, zcclFloat32}) {
    const std::string t = dtype == zcclBfloat16 ? "bf16" : "fp32";
    auto sizes = [](benchmark::internal::Benchmark* b) {
      for (int64_t s = 1 << 20; s <= (int64_t{1} << 30); s *= 4) b->Arg(s);
      b->UseManualTime()->Unit(benchmark::kMicrosecond);
    };
    sizes(benchmark::RegisterBenchmark(("encode/" + t).c_str(), runEncodeDecode, dtype, false));
    sizes(benchmark::RegisterBenchmark(("decode/" + t).c_str(), runEncodeDecode, dtype, true));
    sizes(benchmark::RegisterBenchmark(("decode_reduce4/" + t).c_str(), runDecodeReduce, dtype));
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  gEncode.reset();
  gReduce.reset();
  return 0;
}
