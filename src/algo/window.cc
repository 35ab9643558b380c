#include "algo/window.h"

#include <algorithm>

#include "algo/algorithms.h"

namespace zccl::algo {
namespace {

size_t ceilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// frames(m): the room for the messages of m elements; m is a segment's or block's count.
size_t frames(const Context& ctx, size_t m) { return m == 0 ? 0 : ctx.blockCapacity(m); }
size_t raw(const Context& ctx, size_t m) { return m * ctx.elemBytes; }
// The host engine decodes a coded reduction input into one chunk (host_engine.cc, slot 15).
void decodeRoom(const Context& ctx, size_t m, SlotNeeds* s) {
  if (ctx.compress) s->need(15, raw(ctx, std::min(ctx.chunkElems, m)));
}

// Each as its file asks (all_gather.cc, reduce_scatter_*.cc, ...).
void ringAllGatherNeed(const Context& ctx, size_t m, SlotNeeds* s) {
  if (!ctx.compress || ctx.size() == 1) return;
  for (int k = 0; k < 3; ++k) s->need(k, frames(ctx, m));
}

void directReduceScatterNeed(const Context& ctx, size_t m, SlotNeeds* s) {
  const size_t P = ctx.size();
  if (P == 1) return;
  s->need(1, P * (ctx.compress ? frames(ctx, m) : raw(ctx, m)));
  if (ctx.compress) {
    s->need(0, P * frames(ctx, m));
    s->need(2, P * raw(ctx, m));
  }
  decodeRoom(ctx, m, s);
}

void ringReduceScatterNeed(const Context& ctx, size_t m, SlotNeeds* s) {
  if (ctx.size() == 1) return;
  const size_t msg = ctx.compress ? frames(ctx, m) : raw(ctx, m);
  s->need(0, msg);
  s->need(1, msg);
  s->need(2, raw(ctx, m));
  s->need(3, raw(ctx, m));
  decodeRoom(ctx, m, s);
}

void reduceScatterNeed(const Context& ctx, Algorithm a, size_t m, SlotNeeds* s) {
  if (a == Algorithm::kRing) {
    ringReduceScatterNeed(ctx, m, s);
  } else {
    directReduceScatterNeed(ctx, m, s);
  }
}

void hierarchicalNeed(const Context& ctx, size_t n, const Levels& levels, SlotNeeds* s) {
  if (levels.intra == nullptr || levels.inter == nullptr) return;
  const Context intra = levelContext(ctx, *levels.intra, false);
  const Context inter = levelContext(ctx, *levels.inter, ctx.compress);
  const size_t own = ceilDiv(n, intra.size()), across = ceilDiv(own, inter.size());
  directReduceScatterNeed(intra, own, s);
  s->need(7, std::max<size_t>(1, raw(ctx, own)));  // the node's partial segment
  directReduceScatterNeed(inter, across, s);
  ringAllGatherNeed(inter, across, s);
  ringAllGatherNeed(intra, own, s);
}

void doublingNeed(const Context& ctx, size_t n, SlotNeeds* s) {
  if (ctx.size() == 1) return;
  s->need(8, raw(ctx, n));                       // the running result
  s->need(10, frames(ctx, n));                   // incoming (raw chunks uncompressed: the same room)
  if (ctx.compress) s->need(9, frames(ctx, n));  // its own frames
  decodeRoom(ctx, n, s);
}

}  // namespace

size_t SlotNeeds::total() const {
  size_t t = 0;
  for (size_t b : bytes) t += b;
  return t;
}

SlotNeeds scratchNeeds(const Context& ctx, const Plan& plan, const Call& call, size_t count, const Levels& levels) {
  const size_t P = ctx.size();
  SlotNeeds s;
  if (plan.algorithm == Algorithm::kHierarchical) {
    hierarchicalNeed(ctx, count, levels, &s);
    return s;
  }
  if (plan.algorithm == Algorithm::kDoubling) {
    doublingNeed(ctx, count, &s);
    return s;
  }
  switch (call.coll) {
    case Collective::kAllReduce:
      reduceScatterNeed(ctx, plan.algorithm, ceilDiv(count, P), &s);
      ringAllGatherNeed(ctx, ceilDiv(count, P), &s);
      break;
    case Collective::kBroadcast:
      if (ctx.compress && P > 1) s.need(0, frames(ctx, count));
      break;
    case Collective::kReduce: {
      const size_t seg = ceilDiv(count, P);
      reduceScatterNeed(ctx, plan.algorithm, seg, &s);
      s.need(6, raw(ctx, seg));  // a non-root's own segment
      if (ctx.compress && P > 1) {
        s.need(0, frames(ctx, seg));      // a non-root's frames
        s.need(1, P * frames(ctx, seg));  // the root's incoming frames
      }
      break;
    }
    case Collective::kAllGather:
      ringAllGatherNeed(ctx, count, &s);
      break;
    case Collective::kReduceScatter:
      reduceScatterNeed(ctx, plan.algorithm, count, &s);
      break;
    case Collective::kAlltoAll:
      if (ctx.compress && P > 1) {
        s.need(0, P * frames(ctx, count));
        s.need(1, P * frames(ctx, count));
      }
      break;
  }
  return s;
}

size_t windowElems(const Context& ctx, const Plan& plan, const Call& call, const Levels& levels, size_t budget) {
  if (budget == 0 || call.count == 0) return call.count;
  auto fits = [&](size_t w) { return scratchNeed(ctx, plan, call, w, levels) <= budget; };
  if (fits(call.count)) return call.count;
  // Whole chunks in every rank's segment where the window is large enough for them.
  const bool segmented = call.coll == Collective::kAllReduce || call.coll == Collective::kReduce;
  const size_t ranks = plan.algorithm == Algorithm::kHierarchical || segmented ? ctx.size() : 1;
  const size_t unit = plan.algorithm == Algorithm::kDoubling ? ctx.chunkElems : ctx.chunkElems * ranks;
  size_t lo = 0, hi = call.count / unit;  // fits(lo * unit) for lo > 0; !fits(call.count)
  while (lo < hi) {
    const size_t mid = lo + (hi - lo + 1) / 2;
    if (fits(mid * unit)) lo = mid; else hi = mid - 1;
  }
  if (lo > 0) {  // windows of equal size where rounding allows: 256 MiB as 4 x 64, not 3 x 84 + 4
    const size_t most = lo * unit, windows = ceilDiv(call.count, most);
    return std::min(most, ceilDiv(ceilDiv(call.count, windows), unit) * unit);
  }
  size_t small = 1, big = std::min(unit, call.count);  // windows below one unit: chunks shrink
  while (small < big) {
    const size_t mid = small + (big - small + 1) / 2;
    if (fits(mid)) small = mid; else big = mid - 1;
  }
  return small;
}

}  // namespace zccl::algo
