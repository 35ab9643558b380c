#include "algo/execute.h"

#include <algorithm>
#include <cstdint>

#include "algo/algorithms.h"
#include "algo/window.h"

namespace zccl::algo {
namespace {

constexpr int kReduceOwnSlot = 6;  // scratch slot of reduce's own segment (algorithms use 0-3)

zcclResult_t reduceScatter(Context& ctx, Algorithm a, const void* send, const Segments& seg, void* out,
                           zcclRedOp_t op) {
  return a == Algorithm::kRing ? ringReduceScatter(ctx, send, seg, out, op)
                               : directReduceScatter(ctx, send, seg, out, op);
}

}  // namespace

const char* collectiveName(Collective c) {
  static const char* names[] = {"allreduce", "broadcast", "reduce", "allgather", "reducescatter", "alltoall"};
  return names[static_cast<int>(c)];
}

const char* algorithmName(Algorithm a) {
  static const char* names[] = {"plain", "direct", "ring", "chain", "pairwise", "hier", "doubling"};
  return names[static_cast<int>(a)];
}

zcclResult_t runPlain(transport::Transport& t, const Call& c) {
  switch (c.coll) {
    case Collective::kAllReduce:
      return t.plainAllReduce(c.send, c.recv, c.count, c.dtype, c.op);
    case Collective::kBroadcast:
      return t.plainBroadcast(c.send, c.recv, c.count, c.dtype, c.root);
    case Collective::kReduce:
      return t.plainReduce(c.send, c.recv, c.count, c.dtype, c.op, c.root);
    case Collective::kAllGather:
      return t.plainAllGather(c.send, c.recv, c.count, c.dtype);
    case Collective::kReduceScatter:
      return t.plainReduceScatter(c.send, c.recv, c.count, c.dtype, c.op);
    case Collective::kAlltoAll:
      return t.plainAlltoAll(c.send, c.recv, c.count, c.dtype);
  }
  ZCCL_FAIL(zcclInternalError, "unknown collective %d", static_cast<int>(c.coll));
}

namespace {

// Elements [off, off + n) of a call (of every rank block where the collective has blocks), run as
// a collective of their own.
zcclResult_t runWindow(Context& ctx, const Plan& plan, const Call& c, size_t off, size_t n, const Levels& levels) {
  const size_t eb = ctx.elemBytes;
  // The window's part of each buffer (nullptr stays nullptr: reduce's recvbuff off the root).
  const void* send = c.send == nullptr ? nullptr : static_cast<const uint8_t*>(c.send) + off * eb;
  void* recv = c.recv == nullptr ? nullptr : static_cast<uint8_t*>(c.recv) + off * eb;
  if (plan.algorithm == Algorithm::kHierarchical) {
    // Each level runs on its view of the communicator; what they sent and the first decode error
    // are the call's.
    Context intra = levelContext(ctx, *levels.intra, false);
    Context inter = levelContext(ctx, *levels.inter, ctx.compress);
    const zcclResult_t r = hierarchicalAllReduce(intra, inter, send, recv, n, c.op);
    for (const Context* level : {&intra, &inter}) {
      ctx.rawBytesSent += level->rawBytesSent;
      ctx.wireBytesSent += level->wireBytesSent;
      ctx.controlBytesSent += level->controlBytesSent;
      ctx.noteDecode(level->decodeError);
    }
    return r;
  }
  const int P = ctx.size(), r = ctx.rank();
  if (plan.algorithm == Algorithm::kDoubling) return recursiveDoublingAllReduce(ctx, send, recv, n, c.op);
  uint8_t* out = static_cast<uint8_t*>(recv);
  switch (c.coll) {
    case Collective::kAllReduce: {
      const Segments seg = Segments::even(n, P);
      uint8_t* own = out + seg.offset[r] * eb;
      ZCCL_CHECK(reduceScatter(ctx, plan.algorithm, send, seg, own, c.op));
      return ringAllGather(ctx, out, seg, own);
    }
    case Collective::kBroadcast:
      return chainBroadcast(ctx, send, recv, n, c.root);
    case Collective::kReduce: {
      const Segments seg = Segments::even(n, P);
      void* own = nullptr;
      if (r == c.root) {
        own = out + seg.offset[r] * eb;
      } else {
        ZCCL_CHECK(ctx.engine.scratch(kReduceOwnSlot, seg.count[r] * eb, &own));
      }
      ZCCL_CHECK(reduceScatter(ctx, plan.algorithm, send, seg, own, c.op));
      return gatherToRoot(ctx, own, seg, recv, c.root);
    }
    case Collective::kAllGather:  // the window of every rank's block of the output
      return ringAllGather(ctx, static_cast<uint8_t*>(c.recv), Segments::window(n, P, c.count, off), send);
    case Collective::kReduceScatter:  // the window of every rank's block of the input
      return reduceScatter(ctx, plan.algorithm, c.send, Segments::window(n, P, c.count, off), recv, c.op);
    case Collective::kAlltoAll:
      return pairwiseAlltoAll(ctx, send, recv, n, c.count);
  }
  ZCCL_FAIL(zcclInternalError, "unknown collective %d", static_cast<int>(c.coll));
}

}  // namespace

zcclResult_t runPlan(Context& ctx, const Plan& plan, const Call& c, const Levels& levels) {
  ZCCL_REQUIRE(plan.algorithm != Algorithm::kPlain && algorithmRuns(c.coll, plan.algorithm), zcclInternalError,
               "plan %s cannot run %s", algorithmName(plan.algorithm), collectiveName(c.coll));
  ZCCL_REQUIRE(plan.algorithm != Algorithm::kHierarchical || (levels.intra != nullptr && levels.inter != nullptr),
               zcclInternalError, "hierarchical plan on a communicator without uniform nodes");
  ZCCL_REQUIRE(plan.algorithm != Algorithm::kDoubling || isPowerOfTwo(ctx.size()), zcclInternalError,
               "doubling plan on %d ranks", ctx.size());
  const size_t w = windowElems(ctx, plan, c, levels, ctx.engine.scratchBudget());
  const SlotNeeds needs = scratchNeeds(ctx, plan, c, w, levels);
  ctx.engine.beginCall(needs.bytes, SlotNeeds::kSlots);
  size_t off = 0;
  do {  // a call of 0 elements is one empty window
    const size_t n = std::min(w, c.count - off);
    ZCCL_CHECK(runWindow(ctx, plan, c, off, n, levels));
    off += n;
  } while (off < c.count);
  return zcclSuccess;
}

}  // namespace zccl::algo
