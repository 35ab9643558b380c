// Choosing how a block is coded (the encoder's decision; docs/format.md, "Choosing a plan").
//
// Input: the block's exponent histogram (all n elements; +0.0 counts in bin 0) and its number of
// +0.0 elements. Every candidate plan is a tuple (Z, k, X, base):
//   Z    1 reserves a code for +0.0 (its residual is then not stored), 0 codes it as exponent 0;
//   k    code bits per element, 0..maxCodeBits;
//   X    1 reserves an escape code, whose exponent goes to the escape stream;
//   base first exponent of the window of w = 2^k - Z - X consecutive exponents.
// A candidate's cost is the exact size in bytes of the block it would produce (windowLayout),
// with the escape width set by the range of the escaped exponents in gap-skipped space.
// The plan is the cheapest candidate, in the order Z, k, X, base ascending, the first one
// winning ties; if it is not strictly smaller than the raw block, the block is stored raw.
//
// Only bases from min(lo, maxExp+1-w) up to where the window's top reaches hi (the lowest and
// highest exponent present) are tried: a window sliding outside [lo, hi] only loses coverage.
// The k loop stops once the cost of the code planes and residuals alone (a lower bound that grows
// with k) reaches the best size so far, and a (Z, k, X) whose cheapest conceivable escape stream
// cannot beat the best is skipped; neither pruning can change the result.
//
// Both the CPU codecs and the CUDA kernels call chooseBlockPlan, so frames are byte-identical.
#pragma once

#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/format.h"
#include "common/host_device.h"

namespace zccl::codec {

struct BlockPlan {
  BlockHeader header;  // what the block header will say (counts included)
  uint32_t bytes;      // block size in bytes, padded to 4
  ZCCL_HD bool raw() const { return header.raw(); }
};

// Histogram bins: 2^E exponents, at most 256.
constexpr uint32_t kHistBins = 256;

// Prefix sums and next/previous non-empty bin over [lo, hi] for one choice of Z.
struct PlanHistogram {
  uint32_t prefix[kHistBins + 1];  // prefix[e] = elements with exponent < e (within [lo, hi+1])
  uint16_t nextNonEmpty[kHistBins];
  uint16_t prevNonEmpty[kHistBins];
  uint32_t lo;
  uint32_t hi;
  uint32_t nCoded;    // elements carrying an exponent (n, or n - zeros when Z = 1)
  uint32_t distinct;  // non-empty bins
};

ZCCL_HD void buildPlanHistogram(const uint32_t* hist, uint32_t maxExp, uint32_t removeFromBin0, PlanHistogram* ph) {
  uint32_t lo = 0;
  while (lo <= maxExp && (lo == 0 ? hist[0] - removeFromBin0 : hist[lo]) == 0) ++lo;
  uint32_t hi = maxExp;
  while (hi > lo && (hi == 0 ? hist[0] - removeFromBin0 : hist[hi]) == 0) --hi;
  ph->lo = lo;
  ph->hi = hi;
  ph->nCoded = 0;
  ph->distinct = 0;
  if (lo > maxExp) return;  // no exponent at all (every element is a zero-coded +0.0)
  ph->prefix[lo] = 0;
  for (uint32_t e = lo; e <= hi; ++e) {
    uint32_t c = e == 0 ? hist[0] - removeFromBin0 : hist[e];
    ph->distinct += c != 0;
    ph->prefix[e + 1] = ph->prefix[e] + c;
    ph->prevNonEmpty[e] = static_cast<uint16_t>(c != 0 ? e : ph->prevNonEmpty[e - 1]);
  }
  for (uint32_t e = hi + 1; e-- > lo;) {
    uint32_t c = e == 0 ? hist[0] - removeFromBin0 : hist[e];
    ph->nextNonEmpty[e] = static_cast<uint16_t>(c != 0 ? e : ph->nextNonEmpty[e + 1]);
  }
  ph->nCoded = ph->prefix[hi + 1];
}

// Cost of one candidate; returns false if it cannot code the block (escapes without X).
ZCCL_HD bool evaluatePlan(const CodecTraits& t, uint32_t n, uint32_t zeros, const PlanHistogram& ph, uint32_t z,
                          uint32_t k, uint32_t x, uint32_t base, BlockPlan* out) {
  int32_t w = (1 << static_cast<int>(k)) - static_cast<int32_t>(z) - static_cast<int32_t>(x);
  if (w < 0) return false;
  uint32_t uw = static_cast<uint32_t>(w);
  uint32_t nZero = z ? zeros : 0;
  uint32_t covered = 0;
  if (ph.nCoded != 0 && uw != 0) {
    uint32_t a = base < ph.lo ? ph.lo : base;
    uint32_t b = base + uw - 1 > ph.hi ? ph.hi : base + uw - 1;
    covered = a <= b ? ph.prefix[b + 1] - ph.prefix[a] : 0;
  }
  uint32_t nEscape = ph.nCoded - covered;
  if (nEscape != 0 && x == 0) return false;
  uint32_t escBase = 0, escBits = 0;
  if (nEscape != 0) {
    uint32_t emin = (ph.lo < base || uw == 0) ? ph.lo : ph.nextNonEmpty[base + uw];
    uint32_t emax = (ph.hi >= base + uw || uw == 0) ? ph.hi : ph.prevNonEmpty[base - 1];
    escBase = escapeSkipped(emin, base, uw);
    escBits = bitWidth(escapeSkipped(emax, base, uw) - escBase);
  }
  WindowLayout l = windowLayout(t, n, k, nZero, nEscape, escBits);
  out->header.kind = static_cast<uint8_t>(k | (z ? kBlockZeroCode : 0) | (x ? kBlockEscapeCode : 0));
  out->header.base = static_cast<uint8_t>(uw == 0 ? 0 : base);
  out->header.escBase = static_cast<uint8_t>(escBase);
  out->header.escBits = static_cast<uint8_t>(escBits);
  out->header.nEscape = static_cast<uint16_t>(nEscape);
  out->header.nZero = static_cast<uint16_t>(nZero);
  out->bytes = l.bytes;
  return true;
}

// The raw plan of a block.
ZCCL_HD BlockPlan rawBlockPlan(const CodecTraits& t, uint32_t n) {
  BlockPlan p;
  p.header = BlockHeader{kBlockRaw, 0, 0, 0, 0, 0};
  p.bytes = rawBlockBytes(t, n);
  return p;
}

// hist: 2^E bins over all n elements; zeros: elements equal to +0.0 (all bits clear).
ZCCL_HD BlockPlan chooseBlockPlan(const CodecTraits& t, uint32_t n, const uint32_t* hist, uint32_t zeros) {
  BlockPlan best = rawBlockPlan(t, n);
  const uint32_t maxExp = t.maxExp();
  PlanHistogram ph;
  for (uint32_t z = 0; z <= 1; ++z) {
    if (z == 1 && zeros == 0) break;  // a zero code without zeros only narrows the window
    buildPlanHistogram(hist, maxExp, z ? zeros : 0, &ph);
    for (uint32_t k = 0; k <= t.maxCodeBits; ++k) {
      if (windowLayout(t, n, k, z ? zeros : 0, 0, 0).bytes >= best.bytes) break;
      for (uint32_t x = 0; x <= 1; ++x) {
        int32_t w = (1 << static_cast<int>(k)) - static_cast<int32_t>(z) - static_cast<int32_t>(x);
        if (w < 0) continue;
        uint32_t uw = static_cast<uint32_t>(w);
        uint32_t first = 0, last = 0;
        if (ph.nCoded != 0 && uw != 0) {
          first = ph.lo < maxExp + 1 - uw ? ph.lo : maxExp + 1 - uw;
          last = ph.hi + 1 >= uw ? ph.hi + 1 - uw : 0;
          if (last > maxExp + 1 - uw) last = maxExp + 1 - uw;
          if (last < first || x == 0) last = first;
        }
        // Only the escape stream's size varies with the base: compute that cheaply and build a
        // full plan only for a candidate that beats the best so far.
        const uint32_t fixedBytes = windowLayout(t, n, k, z ? zeros : 0, 0, 0).escOffset;
        if (x == 1 && uw != 0 && ph.nCoded != 0 && first < last) {
          // A bound valid for every base: at least nCoded - (best coverage) escapes, spread over
          // at least distinct - w exponents, hence at least bitWidth(distinct - w - 1) bits each.
          // Wide histograms (incompressible data) skip their long base scans this way.
          uint32_t maxCovered = 0;
          for (uint32_t base = first; base <= last; ++base) {
            const uint32_t a = base < ph.lo ? ph.lo : base;
            const uint32_t b = base + uw - 1 > ph.hi ? ph.hi : base + uw - 1;
            const uint32_t covered = a <= b ? ph.prefix[b + 1] - ph.prefix[a] : 0;
            maxCovered = covered > maxCovered ? covered : maxCovered;
          }
          const uint32_t minBits = ph.distinct > uw + 1 ? bitWidth(ph.distinct - uw - 1) : 0;
          if (pad4(fixedBytes + ((ph.nCoded - maxCovered) * minBits + 7u) / 8u) >= best.bytes) continue;
        }
        for (uint32_t base = first; base <= last; ++base) {
          uint32_t nEscape = ph.nCoded, escBits = 0;
          if (ph.nCoded != 0 && uw != 0) {
            const uint32_t a = base < ph.lo ? ph.lo : base;
            const uint32_t b = base + uw - 1 > ph.hi ? ph.hi : base + uw - 1;
            nEscape -= a <= b ? ph.prefix[b + 1] - ph.prefix[a] : 0;
          }
          if (nEscape != 0) {
            if (x == 0) continue;
            const uint32_t emin = (ph.lo < base || uw == 0) ? ph.lo : ph.nextNonEmpty[base + uw];
            const uint32_t emax = (ph.hi >= base + uw || uw == 0) ? ph.hi : ph.prevNonEmpty[base - 1];
            escBits = bitWidth(escapeSkipped(emax, base, uw) - escapeSkipped(emin, base, uw));
          }
          if (pad4(fixedBytes + (nEscape * escBits + 7u) / 8u) >= best.bytes) continue;
          BlockPlan cand;
          if (evaluatePlan(t, n, zeros, ph, z, k, x, base, &cand) && cand.bytes < best.bytes) best = cand;
        }
      }
    }
  }
  return best;
}

}  // namespace zccl::codec
