#include "tune/cost_model.h"

#include <algorithm>
#include <cmath>

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;

// The link a flat algorithm's steps cross and the bandwidth one flow gets on it when `flowsPerNode`
// ranks of a node send at once.
struct Path {
  double alpha, bandwidth;
  bool serial;        // the cores that code also copy: transfer and codec add up
  double eagerBytes;  // messages up to this size leave without the receiver (0: none)
  double copyPerByte;  // seconds of the ranks' cores per byte on the wire (kernel TCP copies)
  // Seconds the cores spend on a step of `wire` seconds of bytes and `work` seconds of codec: over
  // a network the cores also copy every byte through the kernel's TCP stack.
  double cores(double wire, double work) const { return work + copyPerByte * wire * bandwidth; }
  // Seconds of such a step: the wire and the cores overlap (the longer counts) unless the cores
  // are what moves the bytes (serial: the two add up).
  double step(double wire, double work) const { return serial ? wire + work : std::max(wire, cores(wire, work)); }
};

Path pathFor(const Fabric& f, int flowsPerNode) {
  if (f.nodes > 1) {
    return Path{f.inter.latency, f.inter.bandwidth / std::max(1, flowsPerNode), false, f.interEagerBytes,
                f.interCopySecondsPerByte};
  }
  const int pairs = std::max(1, f.localRanks / 2);  // the probe measured one pair exchanging
  return Path{f.intra.latency, f.intra.bandwidth / pairs, f.intraUsesCores, f.intraEagerBytes, 0};
}

struct Codec {
  bool on;
  double rho, cE, cD;
};

Codec codecFor(const Fabric& f, int dtype, bool compress) {
  const int i = codecIndex(dtype);
  if (!compress || i < 0 || f.codec[i].compress <= 0 || f.codec[i].decompress <= 0) return Codec{false, 1, 0, 0};
  return Codec{true, f.codec[i].ratio, 1.0 / f.codec[i].compress, 1.0 / f.codec[i].decompress};
}

double log2Ceil(int p) { return p <= 1 ? 0 : std::ceil(std::log2(static_cast<double>(p))); }

// P-1 steps of one block of s bytes per rank, each overlapping the transfer with `work` seconds of
// codec per byte, plus fill (first chunk compressed) and drain (last block decoded) when coded.
double blockSteps(int P, double s, double k, const Path& path, const Codec& c, double workPerByte) {
  if (P <= 1) return 0;
  const double wire = s * c.rho / path.bandwidth;
  double t = (P - 1) * (k * path.alpha + path.step(wire, workPerByte * s));
  if (c.on) t += c.cE * s / k + c.cD * s;
  return t;
}

double reduceSeconds(const Fabric& f, double bytes) { return f.reduceBandwidth > 0 ? bytes / f.reduceBandwidth : 0; }

// Reduce-scatter of segments of s bytes.
double reduceScatter(const Fabric& f, Algorithm a, double s, double k, const Codec& c) {
  const int P = f.ranks;
  if (a == Algorithm::kRing) {  // decode, reduce and encode in series with every hop's transfer
    const Path path = pathFor(f, 1);
    const double perHop = (c.cE + c.cD) * s + reduceSeconds(f, 2 * s);
    return (P - 1) * (k * path.alpha + path.step(s * c.rho / path.bandwidth, 0) + perHop);
  }
  const Path path = pathFor(f, f.localRanks);
  return blockSteps(P, s, k, path, c, c.cE + c.cD) + reduceSeconds(f, P * s);
}

double allGather(const Fabric& f, double s, double k, const Codec& c) {
  return blockSteps(f.ranks, s, k, pathFor(f, 1), c, std::max(c.cE, c.cD));
}

// The transport's own collectives: the faster of the textbook algorithms, one message per step;
// from 1 MiB of buffer (64 KiB for reduce-scatter, every size for broadcast), where Open MPI's
// tuned component leaves its latency algorithms for its bandwidth ones (measured: its all-reduce
// is the faster below 1 MiB, 0.35 of ZipCCL's speed above; its broadcast 1.8-2.8x slower than the
// chain from 64 KiB, and 2-3x at 4-16 KiB once the shaper's burst no longer hides the link; its
// fp32 reduce-scatter the faster up to 32 KiB, 0.57-0.86 of ZipCCL's uncompressed direct one at
// 64-512 KiB, docs/perf.md section 10), at the fraction of the links' bandwidth the transport's
// implementation reaches (Fabric::plainEfficiency, fitted).
double plain(const Fabric& f, Collective coll, double n) {
  const int P = f.ranks;
  if (P <= 1) return 0;
  Path ring = pathFor(f, 1), all = pathFor(f, f.localRanks);
  const bool blocks = coll == Collective::kAllGather || coll == Collective::kReduceScatter ||
                      coll == Collective::kAlltoAll;  // n is one rank's block
  const double buffer = blocks ? n * P : n;
  const double from = coll == Collective::kBroadcast       ? 0.0
                      : coll == Collective::kReduceScatter ? double(64 << 10)
                                                           : double(1 << 20);
  const double efficiency = buffer >= from ? f.plainEfficiency[static_cast<int>(coll)] : 1.0;
  ring.bandwidth *= efficiency;
  all.bandwidth *= efficiency;
  const double lg = log2Ceil(P), s = n / P;
  switch (coll) {
    case Collective::kAllReduce: {
      const double rabenseifner = 2 * (P - 1) * (ring.alpha + s / ring.bandwidth) + reduceSeconds(f, n);
      const double doubling = lg * (all.alpha + n / all.bandwidth + reduceSeconds(f, 2 * n));
      return std::min(rabenseifner, doubling);
    }
    case Collective::kReduceScatter:  // n is one block
      return (P - 1) * (all.alpha + n / all.bandwidth) + reduceSeconds(f, P * n);
    case Collective::kReduce: {
      const double binomial = lg * (ring.alpha + n / ring.bandwidth + reduceSeconds(f, 2 * n));
      const double scatterGather =
          (P - 1) * (all.alpha + s / all.bandwidth) + reduceSeconds(f, n) + (P - 1) * (ring.alpha + s / ring.bandwidth);
      return std::min(binomial, scatterGather);
    }
    case Collective::kAllGather:
      return std::min((P - 1) * (ring.alpha + n / ring.bandwidth), lg * all.alpha + (P - 1) * n / all.bandwidth);
    case Collective::kBroadcast:
      return std::min(lg * (ring.alpha + n / ring.bandwidth),
                      (lg + P - 1) * ring.alpha + 2.0 * (P - 1) / P * n / ring.bandwidth);
    case Collective::kAlltoAll:
      return (P - 1) * (all.alpha + n / all.bandwidth);
  }
  return -1;
}

// The hierarchical all-reduce (algo/hierarchical_all_reduce.cc): the node's level raw over the
// intra-node link, then L concurrent all-reduces of n/L between nodes sharing each node's link.
double hierarchical(const Fabric& f, double n, size_t chunkBytes, const Codec& c) {
  const int L = f.localRanks, N = f.nodes;
  Fabric node = f;
  node.ranks = L;
  node.nodes = 1;
  Fabric across = f;
  across.ranks = N;
  across.localRanks = 1;
  across.inter.bandwidth = f.inter.bandwidth / L;
  const double chunk = static_cast<double>(std::max<size_t>(chunkBytes, 1));
  const auto chunks = [&](double bytes) { return std::max(1.0, std::ceil(bytes / chunk)); };
  const Codec raw{false, 1, 0, 0};
  const double s = n / L, t = s / N;
  return reduceScatter(node, Algorithm::kDirect, s, chunks(s), raw) + allGather(node, s, chunks(s), raw) +
         reduceScatter(across, Algorithm::kDirect, t, chunks(t), c) + allGather(across, t, chunks(t), c);
}

}  // namespace

double predictSeconds(Collective coll, const algo::Plan& plan, size_t messageBytes, int dtype, const Fabric& f) {
  if (!algo::algorithmRuns(coll, plan.algorithm)) return -1;
  if (plan.algorithm == Algorithm::kDoubling) {  // log2(P) exchanges of the whole running result
    const int P = f.ranks;
    if (P < 1 || (P & (P - 1)) != 0) return -1;
    const Codec c = codecFor(f, dtype, plan.compress);
    const double n = static_cast<double>(messageBytes);
    const double k = std::max(1.0, std::ceil(n / static_cast<double>(std::max<size_t>(plan.chunkBytes, 1))));
    const Path path = pathFor(f, f.localRanks);
    // A step needs the previous step's sum, so nothing overlaps across steps; inside one, k chunks
    // pipeline (the longer of wire and codec, plus one chunk of the other to fill and drain).
    const double wire = n * c.rho / path.bandwidth, work = (c.cE + c.cD) * n;
    const double cores = path.cores(wire, work);
    const double step = path.serial ? wire + work : std::max(wire, cores) + std::min(wire, cores) / k;
    return log2Ceil(P) * (k * path.alpha + step + reduceSeconds(f, 2 * n));
  }
  if (plan.algorithm == Algorithm::kHierarchical) {
    if (!f.uniformNodes || f.nodes < 2 || f.localRanks < 2) return -1;
    return hierarchical(f, static_cast<double>(messageBytes), plan.chunkBytes, codecFor(f, dtype, plan.compress));
  }
  const double n = static_cast<double>(messageBytes);
  if (plan.algorithm == Algorithm::kPlain) return plain(f, coll, n);
  const int P = f.ranks;
  if (P <= 1) return 0;
  const Codec c = codecFor(f, dtype, plan.compress);
  const double chunk = static_cast<double>(std::max<size_t>(plan.chunkBytes, 1));
  const auto chunks = [&](double bytes) { return std::max(1.0, std::ceil(bytes / chunk)); };
  switch (coll) {
    case Collective::kAllGather:
      return allGather(f, n, chunks(n), c);
    case Collective::kAlltoAll:
      return blockSteps(P, n, chunks(n), pathFor(f, f.localRanks), c, c.cE + c.cD);
    case Collective::kReduceScatter:
      return reduceScatter(f, plan.algorithm, n, chunks(n), c);
    case Collective::kAllReduce: {
      const double s = n / P;
      return reduceScatter(f, plan.algorithm, s, chunks(s), c) + allGather(f, s, chunks(s), c);
    }
    case Collective::kReduce: {  // reduce-scatter, then every segment to the root over its link
      const double s = n / P;
      const Path root = pathFor(f, 1);
      const double gather = root.step((P - 1) * s * c.rho / root.bandwidth, c.cD * (P - 1) * s) +
                            (P - 1) * chunks(s) * root.alpha + c.cE * s;
      return reduceScatter(f, plan.algorithm, s, chunks(s), c) + gather;
    }
    case Collective::kBroadcast: {
      // The chain: P-1+k-1 pipeline stages of one chunk. Where a piece goes eagerly (the frame and
      // the transport's match header within its eager limit), each rank forwards it and returns
      // without waiting for its successor, so calls made back to back (a loop of broadcasts, the
      // perf binaries, nccl-tests) overlap the P-2 stages that fill the chain: a call costs the
      // k stages of the root's link. Measured at 1 Gbit/s, 4 ranks, 16 KiB: 133 us, one stage
      // (174 us at the link's rate) rather than three (docs/perf.md section 10).
      const double k = chunks(n), piece = n / k;
      const Path path = pathFor(f, 1);
      const double stage = path.alpha + path.step(piece * c.rho / path.bandwidth, std::max(c.cE, c.cD) * piece);
      constexpr double kMatchHeader = 64;
      const bool eager = piece * c.rho + kMatchHeader <= path.eagerBytes;
      return (eager ? k : P - 1 + k - 1) * stage + (c.cE + c.cD) * piece;
    }
  }
  return -1;
}

}  // namespace zccl::tune
