// zccl-quant-error --train: a small training run with its gradients all-reduced in 8 bits
// versus losslessly, final losses side by side (docs/perf.md section 6).
//
// A 2-layer MLP (64 -> 256 ReLU -> 10, 19,210 parameters) learns to imitate a random teacher MLP
// (64 -> 128 ReLU -> 10, labels = the teacher's argmax) with softmax cross-entropy. P = 4 ranks
// (threads, local transport) each draw their own batch of 32 fresh samples per step (the same
// samples in both runs), compute the gradient in fp32, round it to bf16 and all-reduce it (avg)
// through zcclAllReduceQuantized or zcclAllReduce (lossless); every rank applies the same SGD
// step (momentum 0.9) to its fp32 parameters, which stay identical on all ranks because the
// all-reduce result is. Rank 0 evaluates the loss on 4096 held-out samples.
#include "quant_error/train_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "api/local_comm.h"
#include "common/float16.h"
#include "zccl/zccl.h"

namespace {

constexpr int kIn = 64, kHidden = 256, kOut = 10, kTeacherHidden = 128, kBatch = 32, kRanks = 4;
constexpr size_t kParams = kHidden * kIn + kHidden + kOut * kHidden + kOut;

struct Mlp {
  int in, hidden, out;
  std::vector<float> w;  // W1 (hidden x in), b1, W2 (out x hidden), b2
  float* w1() { return w.data(); }
  float* b1() { return w1() + hidden * in; }
  float* w2() { return b1() + hidden; }
  float* b2() { return w2() + out * hidden; }
  // Logits of x; h receives the hidden activations.
  void forward(const float* x, std::vector<float>& h, float* logits) {
    h.assign(hidden, 0.0f);
    for (int j = 0; j < hidden; ++j) {
      float s = b1()[j];
      for (int i = 0; i < in; ++i) s += w1()[j * in + i] * x[i];
      h[j] = s > 0 ? s : 0;
    }
    for (int k = 0; k < out; ++k) {
      float s = b2()[k];
      for (int j = 0; j < hidden; ++j) s += w2()[k * hidden + j] * h[j];
      logits[k] = s;
    }
  }
};

Mlp randomMlp(int in, int hidden, int out, uint64_t seed) {
  Mlp m{in, hidden, out, std::vector<float>(static_cast<size_t>(hidden) * in + hidden + out * hidden + out)};
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n1(0.0f, std::sqrt(2.0f / in)), n2(0.0f, std::sqrt(1.0f / hidden));
  for (int i = 0; i < hidden * in; ++i) m.w1()[i] = n1(rng);
  for (int i = 0; i < out * hidden; ++i) m.w2()[i] = n2(rng);
  return m;
}

// Cross-entropy of one sample; with grad, adds its gradient (scaled by `scale`).
float sampleLoss(Mlp& m, const float* x, int label, float scale, float* grad) {
  std::vector<float> h;
  float logits[kOut], p[kOut];
  m.forward(x, h, logits);
  float mx = logits[0], z = 0;
  for (float l : logits) mx = std::max(mx, l);
  for (int k = 0; k < kOut; ++k) z += p[k] = std::exp(logits[k] - mx);
  for (float& v : p) v /= z;
  if (grad != nullptr) {
    float* g1 = grad;
    float* gb1 = g1 + kHidden * kIn;
    float* g2 = gb1 + kHidden;
    float* gb2 = g2 + kOut * kHidden;
    std::vector<float> dh(kHidden, 0.0f);
    for (int k = 0; k < kOut; ++k) {
      const float d = (p[k] - (k == label ? 1.0f : 0.0f)) * scale;
      gb2[k] += d;
      for (int j = 0; j < kHidden; ++j) {
        g2[k * kHidden + j] += d * h[j];
        dh[j] += d * m.w2()[k * kHidden + j];
      }
    }
    for (int j = 0; j < kHidden; ++j) {
      if (h[j] <= 0) continue;
      gb1[j] += dh[j];
      for (int i = 0; i < kIn; ++i) g1[j * kIn + i] += dh[j] * x[i];
    }
  }
  return -std::log(std::max(p[label], 1e-30f));
}

struct Samples {
  std::vector<float> x;
  std::vector<int> y;
};

Samples draw(Mlp& teacher, size_t n, uint64_t seed) {
  Samples s{std::vector<float>(n * kIn), std::vector<int>(n)};
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g;
  for (float& v : s.x) v = g(rng);
  std::vector<float> h;
  float logits[kOut];
  for (size_t i = 0; i < n; ++i) {
    teacher.forward(&s.x[i * kIn], h, logits);
    s.y[i] = static_cast<int>(std::max_element(logits, logits + kOut) - logits);
  }
  return s;
}

// Trains on kRanks threads; returns the eval loss at steps 0, 50, 100, ...
std::vector<float> train(bool quantized, int steps) {
  auto world = std::make_shared<zccl::transport::LocalWorld>(kRanks);
  std::vector<float> curve;
  std::vector<std::thread> threads;
  for (int r = 0; r < kRanks; ++r) {
    threads.emplace_back([&, r] {
      zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
      c.compression = ZCCL_COMPRESSION_ON;
      zcclComm_t comm = nullptr;
      if (zccl::api::commInitLocal(&comm, world, r, &c) != zcclSuccess) return;
      Mlp teacher = randomMlp(kIn, kTeacherHidden, kOut, 7), student = randomMlp(kIn, kHidden, kOut, 8);
      const Samples eval = draw(teacher, 4096, 9);
      std::vector<float> grad(kParams), velocity(kParams, 0.0f);
      std::vector<uint16_t> g16(kParams), sum16(kParams);
      for (int step = 0; step <= steps; ++step) {
        if (r == 0 && step % 50 == 0) {
          double loss = 0;
          for (size_t i = 0; i < eval.y.size(); ++i)
            loss += sampleLoss(student, &eval.x[i * kIn], eval.y[i], 0, nullptr);
          curve.push_back(static_cast<float>(loss / eval.y.size()));
        }
        if (step == steps) break;
        const Samples batch = draw(teacher, kBatch, 1000003ull * step + r);
        std::fill(grad.begin(), grad.end(), 0.0f);
        for (int i = 0; i < kBatch; ++i) sampleLoss(student, &batch.x[i * kIn], batch.y[i], 1.0f / kBatch, grad.data());
        for (size_t i = 0; i < kParams; ++i) g16[i] = zccl::floatToBf16(grad[i]);
        const zcclResult_t rc =
            quantized ? zcclAllReduceQuantized(g16.data(), sum16.data(), kParams, zcclBfloat16, zcclAvg, comm, nullptr)
                      : zcclAllReduce(g16.data(), sum16.data(), kParams, zcclBfloat16, zcclAvg, comm, nullptr);
        if (rc != zcclSuccess) std::fprintf(stderr, "all-reduce failed: %s\n", zcclGetLastError(nullptr));
        for (size_t i = 0; i < kParams; ++i) {
          velocity[i] = 0.9f * velocity[i] + zccl::bf16ToFloat(sum16[i]);
          student.w[i] -= 0.05f * velocity[i];
        }
      }
      zcclCommDestroy(comm);
    });
  }
  for (auto& t : threads) t.join();
  return curve;
}

}  // namespace

int runTrainCheck(int steps) {
  const std::vector<float> exact = train(false, steps), eight = train(true, steps);
  std::printf("\n| step | eval loss, lossless all-reduce | eval loss, 8-bit all-reduce |\n|---:|---:|---:|\n");
  for (size_t i = 0; i < exact.size() && i < eight.size(); ++i)
    std::printf("| %zu | %.4f | %.4f |\n", i * 50, exact[i], eight[i]);
  return 0;
}
