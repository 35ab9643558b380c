// Recursive-doubling all-reduce, for latency-bound messages on a power-of-two number of ranks.
//
// In step d = 1, 2, 4, ..., P/2 rank r exchanges its whole running result with rank r XOR d and
// combines the two, the lower rank's first, accumulated in fp32 and rounded to the dtype (sum,
// min, max, product; avg is a sum, divided by P once at the end): after log2(P) steps every rank
// holds the reduction of all P contributions. Both partners of a step compute the same bytes (the
// same two inputs in the same order), so all ranks end with identical results, deterministic
// whatever the timing; the bytes differ from the direct algorithm's, which rounds once.
//
// The running result lives in scratch (n bytes) and reaches the output only where it is complete:
// a chunk whose frame could not be decoded (or that arrived as a lost marker) is not reduced
// further, goes on as a lost marker in the later steps, and is never written.
//
// Cost: log2(P) (k alpha + rho n beta + 2 n reduction) against the direct algorithm's
// 2 (P-1) k alpha + 2 (P-1)/P rho n beta: fewer, larger messages, the better choice where alpha
// dominates (small messages, or many ranks).
#include "algo/algorithms.h"

namespace zccl::algo {
namespace {

constexpr int kRunningSlot = 8, kFrameSlot = 9, kIncomingSlot = 10;  // algorithms use 0-3, reduce 6, hier 7

}  // namespace

bool isPowerOfTwo(int p) { return p > 0 && (p & (p - 1)) == 0; }

zcclResult_t recursiveDoublingAllReduce(Context& ctx, const void* send, void* recv, size_t count, zcclRedOp_t op) {
  const int P = ctx.size(), r = ctx.rank();
  ZCCL_REQUIRE(isPowerOfTwo(P), zcclInternalError, "recursive doubling needs a power-of-two rank count, not %d", P);
  const size_t eb = ctx.elemBytes, bytes = count * eb, n = ctx.chunks(count);
  if (P == 1) return ctx.engine.copy(recv, send, bytes);
  uint8_t *running = nullptr, *frames = nullptr, *incoming = nullptr;
  ZCCL_CHECK(ctx.engine.scratch(kRunningSlot, bytes, reinterpret_cast<void**>(&running)));
  ZCCL_CHECK(ctx.engine.scratch(kIncomingSlot, ctx.blockCapacity(count), reinterpret_cast<void**>(&incoming)));
  if (ctx.compress)
    ZCCL_CHECK(ctx.engine.scratch(kFrameSlot, ctx.blockCapacity(count), reinterpret_cast<void**>(&frames)));
  ZCCL_CHECK(ctx.engine.copy(running, send, bytes));
  const zcclRedOp_t stepOp = op == zcclAvg ? zcclSum : op;
  std::vector<bool> lost(n, false);
  for (int d = 1; d < P; d <<= 1) {
    const int partner = r ^ d;
    OutgoingBlock out;
    prepareBlock(ctx, running, count, frames, &out);
    for (size_t c = 0; c < n; ++c) {
      if (lost[c]) markLost(&out, c);
    }
    std::vector<uint64_t> exact;
    ZCCL_CHECK(exchangeMessageSizes(ctx, partner, &out, partner, n, &exact));
    std::vector<transport::Request> sends;
    ZCCL_CHECK(sendBlock(ctx, partner, &out, &sends));
    IncomingBlock in;
    ZCCL_CHECK(recvBlock(ctx, partner, count, incoming, exact.empty() ? nullptr : exact.data(), &in));
    for (size_t c = 0; c < n; ++c) ZCCL_CHECK(waitChunk(ctx, &in, c));
    ZCCL_CHECK(ctx.transport.waitAll(sends));  // raw sends read `running`, which the reduction rewrites
    for (size_t c = 0; c < n; ++c) {
      ReduceInput theirs{};
      if (lost[c] || !chunkInput(ctx, in, c, &theirs)) {
        lost[c] = true;
        continue;
      }
      uint8_t* mine = running + c * ctx.chunkElems * eb;
      const ReduceInput own{mine, 0};
      const ReduceInput inputs[2] = {r < partner ? own : theirs, r < partner ? theirs : own};
      // A frame that fails to decode inside the reduction leaves the chunk lost, as a lost marker does.
      const zcclResult_t rc = ctx.engine.reduce(inputs, 2, ctx.chunkCount(count, c), ctx.dtype, stepOp, P, true, mine);
      ctx.noteDecode(rc);
      lost[c] = rc != zcclSuccess;
      ctx.transport.progress();
    }
  }
  for (size_t c = 0; c < n; ++c) {
    if (lost[c]) continue;
    uint8_t* chunk = running + c * ctx.chunkElems * eb;
    if (op == zcclAvg) {
      const ReduceInput sum{chunk, 0};
      ZCCL_CHECK(ctx.engine.reduce(&sum, 1, ctx.chunkCount(count, c), ctx.dtype, zcclAvg, P, false, chunk));
    }
    ZCCL_CHECK(
        ctx.engine.copy(static_cast<uint8_t*>(recv) + c * ctx.chunkElems * eb, chunk, ctx.chunkCount(count, c) * eb));
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
