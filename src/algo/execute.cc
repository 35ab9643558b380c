#include "algo/execute.h"

#include "algo/algorithms.h"

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

zcclResult_t runPlan(Context& ctx, const Plan& plan, const Call& c, const Levels& levels) {
  ZCCL_REQUIRE(plan.algorithm != Algorithm::kPlain && algorithmRuns(c.coll, plan.algorithm), zcclInternalError,
               "plan %s cannot run %s", algorithmName(plan.algorithm), collectiveName(c.coll));
  if (plan.algorithm == Algorithm::kHierarchical) {
    ZCCL_REQUIRE(levels.intra != nullptr && levels.inter != nullptr, zcclInternalError,
                 "hierarchical plan on a communicator without uniform nodes");
    // Each level runs on its view of the communicator; what they sent and the first decode error
    // are the call's.
    Context intra{*levels.intra, ctx.engine, ctx.dtype, ctx.elemBytes, false, ctx.chunkElems, ctx.codec, ctx.tag};
    Context inter{*levels.inter, ctx.engine,     ctx.dtype, ctx.elemBytes,
                  ctx.compress,  ctx.chunkElems, ctx.codec, ctx.tag};
    const zcclResult_t r = hierarchicalAllReduce(intra, inter, c.send, c.recv, c.count, c.op);
    for (const Context* level : {&intra, &inter}) {
      ctx.rawBytesSent += level->rawBytesSent;
      ctx.wireBytesSent += level->wireBytesSent;
      ctx.controlBytesSent += level->controlBytesSent;
      ctx.noteDecode(level->decodeError);
    }
    return r;
  }
  const int P = ctx.size(), r = ctx.rank();
  if (plan.algorithm == Algorithm::kDoubling) {
    ZCCL_REQUIRE(isPowerOfTwo(P), zcclInternalError, "doubling plan on %d ranks", P);
    return recursiveDoublingAllReduce(ctx, c.send, c.recv, c.count, c.op);
  }
  const size_t eb = ctx.elemBytes;
  uint8_t* recv = static_cast<uint8_t*>(c.recv);
  switch (c.coll) {
    case Collective::kAllReduce: {
      const Segments seg = Segments::even(c.count, P);
      uint8_t* own = recv + seg.offset[r] * eb;
      ZCCL_CHECK(reduceScatter(ctx, plan.algorithm, c.send, seg, own, c.op));
      return ringAllGather(ctx, recv, seg, own);
    }
    case Collective::kBroadcast:
      return chainBroadcast(ctx, c.send, c.recv, c.count, c.root);
    case Collective::kReduce: {
      const Segments seg = Segments::even(c.count, P);
      void* own = nullptr;
      if (r == c.root) {
        own = recv + seg.offset[r] * eb;
      } else {
        ZCCL_CHECK(ctx.engine.scratch(kReduceOwnSlot, seg.count[r] * eb, &own));
      }
      ZCCL_CHECK(reduceScatter(ctx, plan.algorithm, c.send, seg, own, c.op));
      return gatherToRoot(ctx, own, seg, c.recv, c.root);
    }
    case Collective::kAllGather:
      return ringAllGather(ctx, recv, Segments::blocks(c.count, P), c.send);
    case Collective::kReduceScatter:
      return reduceScatter(ctx, plan.algorithm, c.send, Segments::blocks(c.count, P), c.recv, c.op);
    case Collective::kAlltoAll:
      return pairwiseAlltoAll(ctx, c.send, c.recv, c.count);
  }
  ZCCL_FAIL(zcclInternalError, "unknown collective %d", static_cast<int>(c.coll));
}

}  // namespace zccl::algo
