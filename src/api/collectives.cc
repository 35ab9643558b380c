// Validation, path choice and execution of collective calls, and group deferral.
#include "api/collectives.h"

#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "algo/execute.h"
#include "algo/point_to_point.h"
#include "api/call_check.h"
#include "api/quantized_collectives.h"
#include "common/check.h"
#include "common/dtype_size.h"
#include "tune/selector.h"

namespace zccl::api {
namespace {

using transport::Transport;

static_assert(static_cast<int>(Kind::kAlltoAll) == static_cast<int>(algo::Collective::kAlltoAll) &&
                  static_cast<int>(Kind::kAlltoAll) == static_cast<int>(Transport::Coll::kAlltoAll),
              "the API's, the algorithms' and the transport's collectives are listed in one order");

const char* kindName(Kind k) {
  static const char* names[] = {"zcclAllReduce",     "zcclBroadcast", "zcclReduce", "zcclAllGather",
                                "zcclReduceScatter", "zcclAlltoAll",  "zcclSend",   "zcclRecv"};
  return names[static_cast<int>(k)];
}

bool isReduction(Kind k) { return k == Kind::kAllReduce || k == Kind::kReduce || k == Kind::kReduceScatter; }

zcclResult_t validate(const CallArgs& a, zcclComm** commOut) {
  const char* fn = kindName(a.kind);
  zcclComm* comm = liveComm(a.comm);
  ZCCL_REQUIRE(comm != nullptr, zcclInvalidUsage, "%s: invalid or destroyed communicator", fn);
  const int P = comm->transport->size(), r = comm->transport->rank();
  ZCCL_REQUIRE(static_cast<int>(a.dtype) >= 0 && a.dtype < zcclNumTypes, zcclInvalidArgument, "%s: invalid dtype %d",
               fn, static_cast<int>(a.dtype));
  if (isReduction(a.kind)) {
    ZCCL_REQUIRE(static_cast<int>(a.op) >= 0 && a.op < zcclNumOps, zcclInvalidArgument, "%s: invalid op %d", fn,
                 static_cast<int>(a.op));
  }
  const bool rooted = a.kind == Kind::kBroadcast || a.kind == Kind::kReduce;
  const bool p2p = a.kind == Kind::kSend || a.kind == Kind::kRecv;
  if (rooted || p2p) {
    ZCCL_REQUIRE(a.root >= 0 && a.root < P, zcclInvalidArgument, "%s: %s %d is not a rank of %d", fn,
                 p2p ? "peer" : "root", a.root, P);
  }
  const size_t eb = dtypeBytes(a.dtype);
  const size_t blocks = (a.kind == Kind::kAllGather || a.kind == Kind::kReduceScatter || a.kind == Kind::kAlltoAll)
                            ? static_cast<size_t>(P)
                            : 1;
  ZCCL_REQUIRE(a.count <= (SIZE_MAX / 8) / eb / blocks, zcclInvalidArgument, "%s: count %zu is too large", fn, a.count);
  if (a.count != 0) {
    const bool needSend = a.kind != Kind::kRecv && !(a.kind == Kind::kBroadcast && r != a.root);
    const bool needRecv = a.kind != Kind::kSend && !(a.kind == Kind::kReduce && r != a.root);
    ZCCL_REQUIRE(!needSend || a.send != nullptr, zcclInvalidArgument, "%s: sendbuff is NULL with count %zu", fn,
                 a.count);
    ZCCL_REQUIRE(!needRecv || a.recv != nullptr, zcclInvalidArgument, "%s: recvbuff is NULL with count %zu", fn,
                 a.count);
    ZCCL_REQUIRE(a.kind != Kind::kAlltoAll || a.send != a.recv, zcclInvalidArgument,
                 "%s: in-place all-to-all is not supported (NCCL semantics)", fn);
  }
  *commOut = comm;
  return zcclSuccess;
}

// A device communicator's transport and engine work on the call's stream.
void bindStream(zcclComm* comm, cudaStream_t stream) {
  if (comm->streamBound != nullptr) comm->streamBound->setStream(stream);
  if (comm->engineStream != nullptr) comm->engineStream->setStream(stream);
}

algo::Context makeContext(zcclComm* comm, zcclDataType_t dtype, const algo::Plan& plan, int tag) {
  zcclCodecConfig_t codec = ZCCL_CODEC_CONFIG_INITIALIZER;
  codec.mode = comm->settings.codecMode;
  codec.checksum = comm->settings.checksum;
  const size_t eb = dtypeBytes(dtype);
  return algo::Context{
      *comm->transport, *comm->engine, dtype, eb, plan.compress, std::max<size_t>(1, plan.chunkBytes / eb), codec, tag};
}

// Adds what a call through ZipCCL's algorithms sent to the communicator's counters.
void account(zcclComm* comm, const algo::Context& ctx) {
  comm->stats.calls++;
  if (ctx.compress) comm->stats.compressedCalls++;
  comm->stats.rawBytes += ctx.rawBytesSent;
  comm->stats.wireBytes += ctx.wireBytesSent;
  comm->stats.controlBytes += ctx.controlBytesSent;
}

zcclResult_t reportDecode(const algo::Context& ctx, const char* fn) {
  ZCCL_REQUIRE(ctx.decodeError != zcclInvalidUsage, zcclInvalidUsage,
               "%s: rank %d received a raw chunk of another size than its call makes (a peer is in a different "
               "call: the ranks disagree on the count, or on ZCCL_CHUNK_BYTES); the affected chunks of its output were "
               "not written",
               fn, ctx.rank());
  ZCCL_REQUIRE(ctx.decodeError == zcclSuccess, ctx.decodeError,
               "%s: rank %d received a corrupt frame (or a peer's lost marker for a chunk it could not "
               "produce from one); the affected chunks of its output were not written",
               fn, ctx.rank());
  return zcclSuccess;
}

// The plan of a call, logged the first time its bucket (collective, dtype, power-of-two size)
// is decided, on rank 0 (as NCCL logs tuning); a forced algorithm that cannot run warns once.
tune::Choice choosePlan(zcclComm* comm, const tune::Query& q) {
  const tune::Choice ch = tune::select(q, comm->settings, comm->fabric);
  if (ch.forcedFellBack && comm->warnedFallbacks.insert(static_cast<int>(q.coll)).second) {
    ZCCL_WARN(
        "ZCCL_ALGO: the algorithm forced for %s cannot run this call (plain: no transport collective for "
        "it; hier: nodes of unequal size or a single level); the selector chooses instead",
        algo::collectiveName(q.coll));
  }
  int bucket = 0;
  while (bucket < 63 && (size_t{1} << (bucket + 1)) <= q.messageBytes) ++bucket;
  const uint64_t key = static_cast<uint64_t>(q.coll) << 16 | static_cast<uint64_t>(q.dtype) << 8 | bucket;
  if (comm->transport->rank() == 0 && comm->loggedBuckets.insert(key).second) {
    ZCCL_INFO(kLogTune, "%s dtype %d %zu bytes (bucket 2^%d): %s, predicted %s ms (raw %s, coded %s)",
              algo::collectiveName(q.coll), q.dtype, q.messageBytes, bucket, tune::describe(ch.plan).c_str(),
              tune::milliseconds(ch.seconds).c_str(), tune::milliseconds(ch.bestRaw).c_str(),
              tune::milliseconds(ch.bestCoded).c_str());
  }
  return ch;
}

zcclResult_t runCollective(zcclComm* comm, const CallArgs& a, int tag) {
  Transport& t = *comm->transport;
  const auto coll = static_cast<algo::Collective>(a.kind);  // Kind begins with the collectives, in order
  const bool plainAvailable = t.plainSupports(static_cast<Transport::Coll>(a.kind), a.dtype, a.op, a.count);
  const bool capturing = comm->streamBound != nullptr && comm->streamBound->streamCapturing();
  const tune::Choice ch =
      choosePlan(comm, tune::Query{coll, a.dtype, a.count * dtypeBytes(a.dtype), plainAvailable, capturing});
  ZCCL_INFO(kLogColl, "%s: %zu x dtype %d, %s", kindName(a.kind), a.count, static_cast<int>(a.dtype),
            tune::describe(ch.plan).c_str());
  std::snprintf(comm->stats.lastPlan, sizeof(comm->stats.lastPlan), "%s", tune::describe(ch.plan).c_str());
  const algo::Call call{coll, a.send, a.recv, a.count, a.dtype, a.op, a.root};
  if (ch.plan.algorithm == algo::Algorithm::kPlain) {
    comm->stats.calls++;
    comm->stats.plainCalls++;
    return algo::runPlain(t, call);
  }
  algo::Context ctx = makeContext(comm, a.dtype, ch.plan, tag);
  const zcclResult_t res =
      algo::runPlan(ctx, ch.plan, call, algo::Levels{comm->intraLevel.get(), comm->interLevel.get()});
  account(comm, ctx);
  ZCCL_CHECK(res);
  return reportDecode(ctx, kindName(a.kind));
}

// Point-to-point operations of one group (or a lone one), posted together, then completed.
zcclResult_t runPointToPoint(const std::vector<std::pair<zcclComm*, CallArgs>>& ops) {
  std::vector<std::unique_ptr<algo::Context>> contexts;
  std::vector<std::unique_ptr<algo::PointToPoint>> p2p;
  int slot = 16;  // the slot map: algo/scratch_space.h
  for (const auto& [comm, a] : ops) {
    // Point-to-point follows all-to-all's settings and decision (one block between two ranks).
    const tune::Query q{algo::Collective::kAlltoAll, a.dtype, a.count * dtypeBytes(a.dtype), false};
    algo::Plan plan = tune::select(q, comm->settings, comm->fabric).plan;
    // A receiver on an exact-size transport (NCCL) cannot learn a frame's size in a group:
    // point-to-point travels uncompressed there.
    if (comm->transport->exactReceiveSizes() || plan.algorithm == algo::Algorithm::kPlain) plan.compress = false;
    if (plan.chunkBytes == 0) plan.chunkBytes = size_t{1} << 20;
    contexts.push_back(std::make_unique<algo::Context>(makeContext(comm, a.dtype, plan, beginCall(comm, a))));
    // Scratch: an operation's frames stay in its own slot until the group completes, so it is
    // compressed only where they fit the budget's share of one send and one receive per peer
    // (a rule both ends derive from the count alone, so they agree; docs/env.md).
    algo::Context& ctx = *contexts.back();
    const size_t share = comm->engine->scratchBudget() / (2 * static_cast<size_t>(comm->transport->size()));
    if (ctx.compress && ctx.blockCapacity(a.count) > share) ctx.compress = false;
    p2p.push_back(std::make_unique<algo::PointToPoint>(a.kind == Kind::kSend, a.send, a.recv, a.count, a.root, slot++));
  }
  std::map<algo::Engine*, std::vector<size_t>> need;  // per engine and slot: the operations' frames
  for (size_t i = 0; i < p2p.size(); ++i) {
    std::vector<size_t>& n = need[&contexts[i]->engine];
    n.resize(static_cast<size_t>(p2p[i]->slot()) + 1, 0);
    if (contexts[i]->compress) n[p2p[i]->slot()] = contexts[i]->blockCapacity(ops[i].second.count);
  }
  for (const auto& [engine, bytes] : need) engine->beginCall(bytes.data(), bytes.size());
  for (size_t i = 0; i < p2p.size(); ++i) ZCCL_CHECK(p2p[i]->post(*contexts[i]));
  zcclResult_t first = zcclSuccess;
  for (size_t i = 0; i < p2p.size(); ++i) {
    zcclResult_t res = p2p[i]->complete(*contexts[i]);
    account(ops[i].first, *contexts[i]);
    if (res == zcclSuccess) res = reportDecode(*contexts[i], kindName(ops[i].second.kind));
    if (res != zcclSuccess && first == zcclSuccess) first = res;
  }
  if (first != zcclSuccess) {
    for (const auto& op : ops) endCall(op.first, first);
  }
  return first;
}

zcclResult_t run(zcclComm* comm, const CallArgs& a) {
  bindStream(comm, a.stream);
  if (a.kind == Kind::kSend || a.kind == Kind::kRecv) return runPointToPoint({{comm, a}});
  const int tag = beginCall(comm, a);  // call_check.h: envelope, ZCCL_CHECK_CALLS, clean-up
  ZCCL_CHECK(checkCallIfAsked(comm, a));
  if (a.count == 0) return zcclSuccess;
  if (takesQuantizedPath(comm, a)) return endCall(comm, runQuantized(comm, a));  // opt-in 8-bit reductions
  return endCall(comm, runCollective(comm, a, tag));
}

struct GroupState {
  int depth = 0;
  std::vector<std::pair<zcclComm_t, CallArgs>> ops;
  zcclResult_t firstError = zcclSuccess;
};
thread_local GroupState tlsGroup;

}  // namespace

zcclResult_t submit(const CallArgs& args) {
  CommPin pin(args.comm);  // an abort from another thread frees the communicator after this call
  zcclComm* comm = nullptr;
  const zcclResult_t v = validate(args, &comm);
  if (tlsGroup.depth > 0) {
    if (v != zcclSuccess && tlsGroup.firstError == zcclSuccess) tlsGroup.firstError = v;
    if (v == zcclSuccess) tlsGroup.ops.emplace_back(args.comm, args);
    return v;
  }
  ZCCL_CHECK(v);
  return run(comm, args);
}

zcclResult_t groupStart() {
  ++tlsGroup.depth;
  return zcclSuccess;
}

zcclResult_t groupEnd() {
  ZCCL_REQUIRE(tlsGroup.depth > 0, zcclInvalidUsage, "zcclGroupEnd without zcclGroupStart");
  if (--tlsGroup.depth > 0) return zcclSuccess;
  GroupState group = std::move(tlsGroup);
  tlsGroup = GroupState{};
  // Point-to-point operations progress together; collectives follow in issue order.
  std::vector<std::pair<zcclComm*, CallArgs>> p2p;
  for (auto& [handle, a] : group.ops) {
    if (a.kind != Kind::kSend && a.kind != Kind::kRecv) continue;
    zcclComm* comm = liveComm(handle);
    ZCCL_REQUIRE(comm != nullptr, zcclInvalidUsage, "zcclGroupEnd: a communicator was destroyed inside the group");
    bindStream(comm, a.stream);
    p2p.emplace_back(comm, a);
  }
  zcclResult_t first = group.firstError;
  if (!p2p.empty()) {
    const zcclResult_t r = runPointToPoint(p2p);
    if (first == zcclSuccess) first = r;
  }
  for (auto& [handle, a] : group.ops) {
    if (a.kind == Kind::kSend || a.kind == Kind::kRecv) continue;
    zcclComm* comm = liveComm(handle);
    ZCCL_REQUIRE(comm != nullptr, zcclInvalidUsage, "zcclGroupEnd: a communicator was destroyed inside the group");
    const zcclResult_t r = run(comm, a);
    if (first == zcclSuccess) first = r;
  }
  return first;
}

}  // namespace zccl::api
