#include "tune/selector.h"

#include <cstdio>

#include "tune/cost_model.h"

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;
using algo::Plan;

constexpr size_t kDefaultChunk = size_t{1} << 20;
// 256 KiB chunks were measured 1.3x-1.4x slower than 1 MiB at 64 MiB over 1 Gbit/s (docs/perf.md
// sections 5 and 7): a per-message cost of Open MPI's TCP path that the model's alpha does not see.
constexpr size_t kChunkCandidates[] = {size_t{1} << 20, size_t{4} << 20};

// ZipCCL's own algorithm for a collective when nothing chooses another.
Algorithm defaultAlgorithm(Collective c) {
  switch (c) {
    case Collective::kAllGather:
      return Algorithm::kRing;
    case Collective::kBroadcast:
      return Algorithm::kChain;
    case Collective::kAlltoAll:
      return Algorithm::kPairwise;
    default:
      return Algorithm::kDirect;
  }
}

}  // namespace

std::string describe(const Plan& p) {
  if (p.algorithm == Algorithm::kPlain) return "plain";
  char buf[64];
  const size_t kib = p.chunkBytes >> 10;
  if (kib >= 1024 && kib % 1024 == 0) {
    std::snprintf(buf, sizeof(buf), "%s/%s/%zuM", algo::algorithmName(p.algorithm), p.compress ? "on" : "off",
                  kib / 1024);
  } else {
    std::snprintf(buf, sizeof(buf), "%s/%s/%zuK", algo::algorithmName(p.algorithm), p.compress ? "on" : "off", kib);
  }
  return buf;
}

std::string milliseconds(double seconds) {
  if (seconds < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", seconds * 1e3);
  return buf;
}

Choice select(const Query& q, const Settings& s, const Fabric& f) {
  const int ci = static_cast<int>(q.coll);
  const bool coded = codecIndex(q.dtype) >= 0;
  Choice out;
  int forced = s.algorithmFor[ci], mode = s.compressionFor[ci];
  size_t chunkBytes = s.chunkBytes;
  // The site's rules decide what the config and the variables leave to the model.
  if (q.capturing && q.plainAvailable) {
    out.plan = Plan{Algorithm::kPlain, false, 0};
    out.seconds = out.bestRaw = predictSeconds(q.coll, out.plan, q.messageBytes, q.dtype, f);
    return out;
  }
  const double linkGbit = (f.nodes > 1 ? f.inter.bandwidth : f.intra.bandwidth) * 8 / 1e9;
  if (const Rule* rule = matchRule(s.rules, q.coll, q.messageBytes, f.nodes, f.ranks, q.dtype, linkGbit)) {
    if (mode == ZCCL_COMPRESSION_AUTO && rule->compress >= 0) mode = rule->compress;
    if (forced == kAutoAlgorithm && rule->algorithm >= 0) forced = rule->algorithm;
    if (chunkBytes == 0 && rule->chunk > 0) chunkBytes = static_cast<size_t>(rule->chunk);
  }
  const bool hierarchicalImpossible =  // hier without uniform nodes, doubling off a power of two
      forced > static_cast<int>(Algorithm::kPlain) &&
      predictSeconds(q.coll, Plan{static_cast<Algorithm>(forced), false, kDefaultChunk}, q.messageBytes, q.dtype, f) <
          0;
  if ((forced == static_cast<int>(Algorithm::kPlain) && !q.plainAvailable) || hierarchicalImpossible ||
      (forced >= 0 && !algo::algorithmRuns(q.coll, static_cast<Algorithm>(forced)))) {
    out.forcedFellBack = true;
    forced = kAutoAlgorithm;
  }
  const auto price = [&](const Plan& p) { return predictSeconds(q.coll, p, q.messageBytes, q.dtype, f); };
  const auto finish = [&](const Plan& p) {
    out.plan = p;
    out.seconds = price(p);
    if (!p.compress) out.bestRaw = out.seconds;
    return out;
  };
  const size_t fixedChunk = chunkBytes != 0 ? chunkBytes : kDefaultChunk;

  if (forced == static_cast<int>(Algorithm::kPlain)) return finish(Plan{Algorithm::kPlain, false, 0});
  if (!coded) {  // nothing to compress: the transport's own collective where it has one
    if (q.plainAvailable) return finish(Plan{Algorithm::kPlain, false, 0});  // whatever ZCCL_ALGO forces
    const Algorithm a = forced >= 0 ? static_cast<Algorithm>(forced) : defaultAlgorithm(q.coll);
    return finish(Plan{a, false, fixedChunk});
  }
  if (mode != ZCCL_COMPRESSION_AUTO) {
    const Algorithm a = forced >= 0 ? static_cast<Algorithm>(forced) : defaultAlgorithm(q.coll);
    return finish(Plan{a, mode == ZCCL_COMPRESSION_ON, fixedChunk});
  }

  // auto: price every candidate.
  Plan bestRawPlan, bestCodedPlan;
  double bestZipccl = -1, plainTime = -1;
  for (int a = 0; a < algo::kAlgorithms; ++a) {
    const Algorithm alg = static_cast<Algorithm>(a);
    if (!algo::algorithmRuns(q.coll, alg) || (forced >= 0 && forced != a)) continue;
    if (price(Plan{alg, false, fixedChunk}) < 0) continue;  // hier without uniform nodes, doubling off 2^k
    if (alg == Algorithm::kPlain) {
      if (q.plainAvailable) plainTime = price(Plan{alg, false, 0});
      continue;
    }
    // Recursive doubling is the latency-bound form; compressed it codes and decodes the whole
    // running result at every step, serially (a step needs the previous one's sum): measured at
    // 64 KiB bf16 over 1 Gbit/s, doubling/on took 1.65 ms against 0.53 ms for direct/on
    // (docs/perf.md section 10). Where the wire is worth compressing, doubling is not the form.
    const bool codedToo = q.messageBytes >= s.minCompressBytes && alg != Algorithm::kDoubling;
    for (size_t chunk : kChunkCandidates) {
      if (chunkBytes != 0) chunk = chunkBytes;
      const double raw = price(Plan{alg, false, chunk});
      if (bestZipccl < 0 || raw < bestZipccl) bestZipccl = raw, bestRawPlan = Plan{alg, false, chunk};
      const double coded = codedToo ? price(Plan{alg, true, chunk}) : -1;
      if (codedToo && (out.bestCoded < 0 || coded < out.bestCoded)) {
        out.bestCoded = coded, bestCodedPlan = Plan{alg, true, chunk};
      }
      if (chunkBytes != 0) break;
    }
  }
  double raw = bestZipccl;
  Plan rawPlan = bestRawPlan;
  if (plainTime >= 0 && (bestZipccl < 0 || bestZipccl >= (1 - kPlainMargin) * plainTime)) {
    raw = plainTime;
    rawPlan = Plan{Algorithm::kPlain, false, 0};
  }
  out.bestRaw = raw;
  if (out.bestCoded >= 0 && (raw < 0 || out.bestCoded < (1 - kCompressMargin) * raw)) {
    out.plan = bestCodedPlan;
    out.seconds = out.bestCoded;
  } else {
    out.plan = rawPlan;
    out.seconds = raw;
  }
  return out;
}

}  // namespace zccl::tune
