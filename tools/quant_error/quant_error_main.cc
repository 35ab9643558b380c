// zccl-quant-error: the error figures of the 8-bit reductions (docs/perf.md section 6). Not a
// test and not timed: it prints tables.
//
//   --map      one quantize step of candidate 8-bit maps (int8 with one fp32 scale per block of
//              32..256, block-scaled FP8 E4M3), relative L2 error, and the entropy of the chosen
//              codes (what lossless coding on top could save);
//   --train [STEPS]  a small MLP trained with 8-bit versus lossless gradient all-reduces
//              (train_check.cc);
//   (default)  all-reduce (sum) of P = 2, 4, 8, 16, 32 ranks (threads over the local transport)
//              against the exact fp64 sum: ZipCCL 8-bit, a naive 8-bit ring with one shared scale
//              (simulated element by element, NCCL's ring order), NCCL-style bf16 ring (ZipCCL's
//              ring algorithm uncompressed: bf16 partial sums rounded at every hop), and ZipCCL's
//              lossless direct all-reduce (fp32 sum, rounded once).
//
// Data (bf16): real gradients (gpt-kjv, rank p takes gradient file p mod 3, rotated by
// 7919 * (p / 3) elements so that no two ranks hold the same tensor), Gaussian and Student-t
// (nu = 3) with a seed per rank. Errors: relative L2 ||y - S||_2 / ||S||_2, relative Linf
// ||y - S||_inf / ||S||_inf, and the worst block-relative error: max over 128-element blocks of
// max|y - S| / max|S| within the block.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "api/local_comm.h"
#include "codec/q8_codec.h"
#include "common/float16.h"
#include "common/float8.h"
#include "quant_error/train_check.h"
#include "synthetic.h"
#include "tensor_file.h"
#include "zccl/zccl.h"

namespace {

using Tensor = std::vector<uint16_t>;  // bf16

std::vector<float> toFloat(const Tensor& t) {
  std::vector<float> f(t.size());
  for (size_t i = 0; i < t.size(); ++i) f[i] = zccl::bf16ToFloat(t[i]);
  return f;
}

struct Errors {
  double relL2, relInf, worstBlock;
};

Errors errorsOf(const std::vector<double>& exact, const std::vector<float>& y) {
  double num = 0, den = 0, worst = 0, errInf = 0, sumInf = 0;
  for (size_t b = 0; b < exact.size(); b += 128) {
    double e = 0, m = 0;
    for (size_t i = b; i < std::min(exact.size(), b + 128); ++i) {
      const double d = y[i] - exact[i];
      num += d * d;
      den += exact[i] * exact[i];
      e = std::max(e, std::fabs(d));
      m = std::max(m, std::fabs(exact[i]));
    }
    if (m > 0) worst = std::max(worst, e / m);
    errInf = std::max(errInf, e);
    sumInf = std::max(sumInf, m);
  }
  return {std::sqrt(num / den), errInf / sumInf, worst};
}

// Runs `call` on P local ranks (threads); returns rank 0's bf16 output (checks all ranks agree).
Tensor runLocal(const std::vector<Tensor>& in, int algorithm, int compression, bool quantized) {
  const int P = static_cast<int>(in.size());
  const size_t n = in[0].size();
  auto world = std::make_shared<zccl::transport::LocalWorld>(P);
  std::vector<Tensor> out(P, Tensor(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < P; ++r) {
    threads.emplace_back([&, r] {
      zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
      c.compression = compression;
      c.algorithm = algorithm;
      zcclComm_t comm = nullptr;
      if (zccl::api::commInitLocal(&comm, world, r, &c) != zcclSuccess) std::abort();
      const zcclResult_t rc =
          quantized ? zcclAllReduceQuantized(in[r].data(), out[r].data(), n, zcclBfloat16, zcclSum, comm, nullptr)
                    : zcclAllReduce(in[r].data(), out[r].data(), n, zcclBfloat16, zcclSum, comm, nullptr);
      if (rc != zcclSuccess) std::fprintf(stderr, "rank %d: %s\n", r, zcclGetLastError(nullptr));
      zcclCommDestroy(comm);
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 1; r < P; ++r) {
    if (out[r] != out[0]) std::fprintf(stderr, "warning: rank %d's result differs from rank 0's\n", r);
  }
  return out[0];
}

// The naive 8-bit ring all-reduce: one scale for the whole tensor (the largest |x| of any rank
// / 127, agreed beforehand), partial sums carried as saturating int8 codes of that scale and
// requantized at every hop, in NCCL's ring order (segment b starts at rank b+1), then all-gathered.
std::vector<float> naiveRing8(const std::vector<std::vector<float>>& in) {
  const int P = static_cast<int>(in.size());
  const size_t n = in[0].size();
  float m = 0;
  for (const auto& x : in)
    for (float v : x) m = std::max(m, std::fabs(v));
  const float s = m / 127.0f;
  auto q = [&](float v) { return std::max(-127.0f, std::min(127.0f, std::nearbyint(v / s))); };
  std::vector<float> y(n);
  for (size_t i = 0; i < n; ++i) {
    const int b = static_cast<int>(static_cast<uint64_t>(i) * P / n);
    float code = q(in[(b + 1) % P][i]);
    for (int h = 2; h <= P; ++h) code = q(code * s + in[(b + h) % P][i]);
    y[i] = code * s;
  }
  return y;
}

void printAllReduceTable(const char* name, const std::vector<Tensor>& all) {
  std::printf("\n### %s (%zu elements per rank, bf16, sum)\n\n", name, all[0].size());
  std::printf(
      "| P | ZipCCL 8-bit rel L2 | rel Linf | naive 8-bit ring rel L2 | rel Linf | bf16 ring (NCCL) rel L2 |"
      " rel Linf | ZipCCL lossless rel L2 | rel Linf | worst block (8-bit / naive / bf16 ring / lossless) |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (int P : {2, 4, 8, 16, 32}) {
    std::vector<Tensor> in(all.begin(), all.begin() + P);
    std::vector<std::vector<float>> f;
    for (const auto& t : in) f.push_back(toFloat(t));
    std::vector<double> exact(in[0].size(), 0.0);
    for (const auto& x : f)
      for (size_t i = 0; i < x.size(); ++i) exact[i] += x[i];
    const Errors ours = errorsOf(exact, toFloat(runLocal(in, ZCCL_ALGO_DIRECT, ZCCL_COMPRESSION_OFF, true)));
    const Errors naive = errorsOf(exact, naiveRing8(f));
    const Errors ring = errorsOf(exact, toFloat(runLocal(in, ZCCL_ALGO_RING, ZCCL_COMPRESSION_OFF, false)));
    const Errors direct = errorsOf(exact, toFloat(runLocal(in, ZCCL_ALGO_DIRECT, ZCCL_COMPRESSION_ON, false)));
    std::printf("| %d | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2g / %.2g / %.2g / %.2g |\n", P,
                ours.relL2, ours.relInf, naive.relL2, naive.relInf, ring.relL2, ring.relInf, direct.relL2,
                direct.relInf, ours.worstBlock, naive.worstBlock, ring.worstBlock, direct.worstBlock);
    std::fflush(stdout);
  }
}

// ---- --map: one quantize step of candidate maps ------------------------------------------

double relL2Int8(const std::vector<float>& x, size_t block) {
  double num = 0, den = 0;
  for (size_t b = 0; b < x.size(); b += block) {
    const size_t e = std::min(x.size(), b + block);
    float m = 0;
    for (size_t i = b; i < e; ++i) m = std::max(m, std::fabs(x[i]));
    const float s = m / 127.0f;
    for (size_t i = b; i < e; ++i) {
      const float y = s == 0 ? 0 : std::nearbyint(x[i] / s) * s;
      num += (y - x[i]) * (y - x[i]);
      den += static_cast<double>(x[i]) * x[i];
    }
  }
  return std::sqrt(num / den);
}

double relL2E4m3(const std::vector<float>& x, size_t block) {
  double num = 0, den = 0;
  for (size_t b = 0; b < x.size(); b += block) {
    const size_t e = std::min(x.size(), b + block);
    float m = 0;
    for (size_t i = b; i < e; ++i) m = std::max(m, std::fabs(x[i]));
    const float s = m / 448.0f;
    for (size_t i = b; i < e; ++i) {
      const float y = s == 0 ? 0 : zccl::fp8e4m3ToFloat(zccl::floatToFp8e4m3(x[i] / s)) * s;
      num += (y - x[i]) * (y - x[i]);
      den += static_cast<double>(x[i]) * x[i];
    }
  }
  return std::sqrt(num / den);
}

// Empirical entropy (bits) of the chosen frame's codes.
double codeEntropy(const std::vector<uint16_t>& t) {
  std::vector<uint8_t> f(zccl::codec::q8FrameBytes(t.size()));
  zccl::codec::q8Encode(zccl::codec::q8FastOps(), zcclBfloat16, zcclBfloat16, t.data(), t.size(), {}, f.data(),
                        f.size());
  std::map<uint8_t, double> h;
  for (size_t i = 0; i < t.size(); ++i) h[f[zccl::codec::q8CodesOffset(t.size()) + i]] += 1;
  double bits = 0;
  for (auto& [c, k] : h) bits -= k / t.size() * std::log2(k / t.size());
  return bits;
}

void printMapTable(const std::vector<std::pair<std::string, Tensor>>& data) {
  std::printf(
      "\n| data | int8/32 | int8/64 | int8/128 | int8/256 | e4m3/32 | e4m3/128 | e4m3/256 | code entropy (int8/128) |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [name, t] : data) {
    const std::vector<float> x = toFloat(t);
    std::printf("| %s | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2f bits |\n", name.c_str(), relL2Int8(x, 32),
                relL2Int8(x, 64), relL2Int8(x, 128), relL2Int8(x, 256), relL2E4m3(x, 32), relL2E4m3(x, 128),
                relL2E4m3(x, 256), codeEntropy(t));
  }
  std::printf("\nbytes per element with an fp32 scale: block 32: 1.125, 64: 1.0625, 128: 1.031, 256: 1.016\n");
}

Tensor synthetic(const char* spec, size_t n, uint64_t seed) {
  zccl::data::SyntheticSpec s;
  std::string error;
  zccl::data::parseSyntheticSpec(spec, &s, &error);
  std::vector<uint8_t> b = zccl::data::makeSynthetic(s, zcclBfloat16, n, seed);
  Tensor t(n);
  std::memcpy(t.data(), b.data(), 2 * n);
  return t;
}

std::vector<Tensor> realGradients(int ranks) {
  std::vector<Tensor> files;
  for (const std::string& path : zccl::data::findSharedTensorFiles()) {
    if (path.find("grads-bf16") == std::string::npos) continue;
    zccl::data::TensorFile tf;
    std::string error;
    if (!zccl::data::readTensorFile(path, &tf, &error)) continue;
    const std::vector<uint8_t> b = zccl::data::concatTensors(tf);
    Tensor t(b.size() / 2);
    std::memcpy(t.data(), b.data(), b.size());
    files.push_back(std::move(t));
  }
  std::vector<Tensor> out;
  if (files.empty()) return out;
  size_t n = files[0].size();
  for (const Tensor& f : files) n = std::min(n, f.size());
  for (int p = 0; p < ranks; ++p) {
    const Tensor& f = files[p % files.size()];
    Tensor t(n);
    const size_t shift = 7919 * static_cast<size_t>(p / files.size());
    for (size_t i = 0; i < n; ++i) t[i] = f[(i + shift) % n];
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--train") return runTrainCheck(argc > 2 ? std::atoi(argv[2]) : 400);
  const bool map = argc > 1 && std::string(argv[1]) == "--map";
  const size_t n = 1 << 20;
  std::vector<Tensor> gauss, heavy;
  for (int p = 0; p < 32; ++p) {
    gauss.push_back(synthetic("gaussian", n, 1000 + p));
    heavy.push_back(synthetic("student-t:3", n, 2000 + p));
  }
  const std::vector<Tensor> grads = realGradients(32);
  if (map) {
    std::vector<std::pair<std::string, Tensor>> d = {{"Gaussian", gauss[0]}, {"Student-t nu=3", heavy[0]}};
    for (size_t f = 0; f < std::min<size_t>(3, grads.size()); ++f)
      d.push_back({"gpt-kjv grads #" + std::to_string(f), grads[f]});
    printMapTable(d);
    return 0;
  }
  if (!grads.empty()) printAllReduceTable("gpt-kjv gradients", grads);
  printAllReduceTable("Gaussian", gauss);
  printAllReduceTable("Student-t nu=3", heavy);
  return 0;
}
