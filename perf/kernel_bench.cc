// GPU codec kernel throughput (Google Benchmark, manual timing with CUDA events): encode, decode
// and fused decode-reduce (4 sources) of bf16 and fp32 Gaussian data, 1 MiB to 1 GiB, in bytes/s
// of uncompressed data. Needs a GPU; without one it says so and exits 0.
//   build/bin/kernel_bench --benchmark_filter=bf16 --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

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

struct DeviceData {
  void* input = nullptr;
  void* frames = nullptr;
  void* output = nullptr;
  void* workspace = nullptr;
  uint64_t* sizes = nullptr;
  int32_t* status = nullptr;
};

void runEncodeDecode(benchmark::State& state, zcclDataType_t dtype, bool decode) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  const size_t elem = dtype == zcclFloat32 ? 4 : 2;
  const size_t count = bytes / elem;
  const int segs = 8;  // an 8-rank collective's partition
  zccl::data::SyntheticSpec spec;
  const std::vector<uint8_t> host = zccl::data::makeSynthetic(spec, dtype, count, 1);
  auto enc = std::make_unique<kk::EncodeBatch>();
  auto dec = std::make_unique<kk::DecodeBatch>();
  enc->dtype = dec->dtype = dtype;
  enc->nsegs = dec->nsegs = segs;
  size_t outBytes = 0, per = count / segs;
  for (int s = 0; s < segs; ++s) {
    const size_t c = s + 1 == segs ? count - per * (segs - 1) : per;
    size_t bound = 0;
    zcclCodecMaxCompressedSize(c, dtype, &bound);
    enc->segs[s] = {per * s, c, outBytes};
    dec->segs[s] = {outBytes, bound, c, per * s};
    outBytes += bound;
  }
  DeviceData d;
  size_t ws = 0;
  kk::launchEncode(*enc, nullptr, nullptr, nullptr, nullptr, &ws, nullptr);
  CUDA_OK(cudaMalloc(&d.input, bytes));
  CUDA_OK(cudaMalloc(&d.frames, outBytes));
  CUDA_OK(cudaMalloc(&d.output, bytes));
  CUDA_OK(cudaMalloc(&d.workspace, ws + 1));
  CUDA_OK(cudaMalloc(&d.sizes, 8 * segs));
  CUDA_OK(cudaMalloc(&d.status, 64));
  CUDA_OK(cudaMemcpy(d.input, host.data(), bytes, cudaMemcpyHostToDevice));
  cudaStream_t stream;
  CUDA_OK(cudaStreamCreate(&stream));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  kk::launchEncode(*enc, d.input, d.frames, d.sizes, d.workspace, &ws, stream);
  CUDA_OK(cudaStreamSynchronize(stream));
  std::vector<uint64_t> sizes(segs);
  cudaMemcpy(sizes.data(), d.sizes, 8 * segs, cudaMemcpyDeviceToHost);
  uint64_t compressed = 0;
  for (uint64_t s : sizes) compressed += s;
  for (auto _ : state) {
    cudaEventRecord(start, stream);
    if (decode) {
      size_t zero = 0;
      kk::launchDecode(*dec, d.frames, d.output, d.status, d.workspace, &zero, stream);
    } else {
      kk::launchEncode(*enc, d.input, d.frames, d.sizes, d.workspace, &ws, stream);
    }
    cudaEventRecord(stop, stream);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ratio"] = static_cast<double>(compressed) / bytes;
  cudaStreamDestroy(stream);
  for (void* p : {d.input, d.frames, d.output, d.workspace, static_cast<void*>(d.sizes), static_cast<void*>(d.status)})
    cudaFree(p);
}

void runDecodeReduce(benchmark::State& state, zcclDataType_t dtype) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  const size_t elem = dtype == zcclFloat32 ? 4 : 2;
  const size_t count = bytes / elem;
  const int sources = 4;
  zccl::data::SyntheticSpec spec;
  size_t bound = 0;
  zcclCodecMaxCompressedSize(count, dtype, &bound);
  std::vector<uint8_t> frames(bound * sources);
  auto red = std::make_unique<kk::ReduceBatch>();
  red->dtype = dtype;
  red->op = zcclSum;
  red->count = count;
  red->nsources = sources;
  for (int s = 0; s < sources; ++s) {
    const std::vector<uint8_t> host = zccl::data::makeSynthetic(spec, dtype, count, 10 + s);
    size_t used = 0;
    zcclCodecCompress(host.data(), count, dtype, frames.data() + bound * s, bound, &used, nullptr);
    red->sources[s] = {bound * s, bound, 1};
  }
  DeviceData d;
  CUDA_OK(cudaMalloc(&d.frames, frames.size()));
  CUDA_OK(cudaMalloc(&d.output, bytes));
  CUDA_OK(cudaMalloc(&d.status, 64));
  CUDA_OK(cudaMemcpy(d.frames, frames.data(), frames.size(), cudaMemcpyHostToDevice));
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  size_t ws = 0;
  char dummy;
  for (auto _ : state) {
    cudaEventRecord(start);
    kk::launchDecodeReduce(*red, d.frames, nullptr, d.output, d.status, &dummy, &ws, nullptr);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  // Bytes of output per second; each output byte consumed `sources` compressed inputs.
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  for (void* p : {d.frames, d.output, static_cast<void*>(d.status)}) cudaFree(p);
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
  return 0;
}
