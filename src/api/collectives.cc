// Validation, path choice and execution of collective calls, and group deferral.
#include "api/collectives.h"

#include <memory>
#include <vector>

#include "algo/algorithms.h"
#include "algo/point_to_point.h"
#include "api/call_check.h"
#include "common/check.h"
#include "common/dtype_size.h"
#include "tune/policy.h"

namespace zccl::api {
namespace {

using transport::Transport;

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

algo::Context makeContext(zcclComm* comm, zcclDataType_t dtype, bool compress, int tag) {
  zcclCodecConfig_t codec = ZCCL_CODEC_CONFIG_INITIALIZER;
  codec.mode = comm->config.codecMode;
  codec.checksum = comm->config.checksum;
  const size_t eb = dtypeBytes(dtype);
  return algo::Context{*comm->transport,
                       *comm->engine,
                       dtype,
                       eb,
                       compress,
                       std::max<size_t>(1, comm->config.chunkBytes / eb),
                       codec,
                       tag};
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
  ZCCL_REQUIRE(ctx.decodeError == zcclSuccess, ctx.decodeError,
               "%s: rank %d received a corrupt frame (or a peer's lost marker for a chunk it could not "
               "produce from one); the affected chunks of its output were not written",
               fn, ctx.rank());
  return zcclSuccess;
}

// Reduce-scatter of `seg` into out with the configured algorithm.
zcclResult_t reduceScatter(algo::Context& ctx, int algorithm, const void* send, const algo::Segments& seg, void* out,
                           zcclRedOp_t op) {
  return algorithm == ZCCL_ALGO_RING ? algo::ringReduceScatter(ctx, send, seg, out, op)
                                     : algo::directReduceScatter(ctx, send, seg, out, op);
}

constexpr int kReduceOwnSlot = 6;  // scratch slot of reduce's own segment (algorithms use 0-3)

// Runs a collective with ZipCCL's algorithms (compressed or not, as ctx says).
zcclResult_t runAlgorithm(zcclComm* comm, const CallArgs& a, algo::Context& ctx) {
  const int P = ctx.size(), r = ctx.rank();
  const size_t eb = ctx.elemBytes;
  uint8_t* recv = static_cast<uint8_t*>(a.recv);
  switch (a.kind) {
    case Kind::kAllReduce: {
      const algo::Segments seg = algo::Segments::even(a.count, P);
      uint8_t* own = recv + seg.offset[r] * eb;
      ZCCL_CHECK(reduceScatter(ctx, comm->config.algorithm, a.send, seg, own, a.op));
      ZCCL_CHECK(algo::ringAllGather(ctx, recv, seg, own));
      break;
    }
    case Kind::kBroadcast:
      ZCCL_CHECK(algo::chainBroadcast(ctx, a.send, a.recv, a.count, a.root));
      break;
    case Kind::kReduce: {
      const algo::Segments seg = algo::Segments::even(a.count, P);
      void* own = nullptr;
      if (r == a.root) {
        own = recv + seg.offset[r] * eb;
      } else {
        ZCCL_CHECK(comm->engine->scratch(kReduceOwnSlot, seg.count[r] * eb, &own));
      }
      ZCCL_CHECK(reduceScatter(ctx, comm->config.algorithm, a.send, seg, own, a.op));
      ZCCL_CHECK(algo::gatherToRoot(ctx, own, seg, a.recv, a.root));
      break;
    }
    case Kind::kAllGather:
      ZCCL_CHECK(algo::ringAllGather(ctx, recv, algo::Segments::blocks(a.count, P), a.send));
      break;
    case Kind::kReduceScatter:
      ZCCL_CHECK(reduceScatter(ctx, comm->config.algorithm, a.send, algo::Segments::blocks(a.count, P), a.recv, a.op));
      break;
    case Kind::kAlltoAll:
      ZCCL_CHECK(algo::pairwiseAlltoAll(ctx, a.send, a.recv, a.count));
      break;
    default:
      ZCCL_FAIL(zcclInternalError, "%s is not a collective", kindName(a.kind));
  }
  return zcclSuccess;
}

zcclResult_t runCollective(zcclComm* comm, const CallArgs& a, int tag) {
  Transport& t = *comm->transport;
  const size_t eb = dtypeBytes(a.dtype);
  using Coll = Transport::Coll;
  static const Coll kColl[] = {Coll::kAllReduce, Coll::kBroadcast,     Coll::kReduce,
                               Coll::kAllGather, Coll::kReduceScatter, Coll::kAlltoAll};
  const bool plainAvailable = t.plainSupports(kColl[static_cast<int>(a.kind)], a.dtype, a.op, a.count);
  const tune::Decision d = tune::decide(comm->config, plainAvailable, a.dtype, a.count * eb);
  ZCCL_INFO(kLogColl, "%s: %zu x dtype %d, %s", kindName(a.kind), a.count, static_cast<int>(a.dtype),
            d.plain      ? "plain transport path"
            : d.compress ? "compressed"
                         : "uncompressed");
  if (d.plain) {
    comm->stats.calls++;
    comm->stats.plainCalls++;
    switch (a.kind) {
      case Kind::kAllReduce:
        return t.plainAllReduce(a.send, a.recv, a.count, a.dtype, a.op);
      case Kind::kBroadcast:
        return t.plainBroadcast(a.send, a.recv, a.count, a.dtype, a.root);
      case Kind::kReduce:
        return t.plainReduce(a.send, a.recv, a.count, a.dtype, a.op, a.root);
      case Kind::kAllGather:
        return t.plainAllGather(a.send, a.recv, a.count, a.dtype);
      case Kind::kReduceScatter:
        return t.plainReduceScatter(a.send, a.recv, a.count, a.dtype, a.op);
      case Kind::kAlltoAll:
        return t.plainAlltoAll(a.send, a.recv, a.count, a.dtype);
      default:
        break;
    }
  }
  algo::Context ctx = makeContext(comm, a.dtype, d.compress, tag);
  const zcclResult_t res = runAlgorithm(comm, a, ctx);
  account(comm, ctx);
  ZCCL_CHECK(res);
  return reportDecode(ctx, kindName(a.kind));
}

// Point-to-point operations of one group (or a lone one), posted together, then completed.
zcclResult_t runPointToPoint(const std::vector<std::pair<zcclComm*, CallArgs>>& ops) {
  std::vector<std::unique_ptr<algo::Context>> contexts;
  std::vector<std::unique_ptr<algo::PointToPoint>> p2p;
  int slot = 16;
  for (const auto& [comm, a] : ops) {
    const size_t eb = dtypeBytes(a.dtype);
    tune::Decision d = tune::decide(comm->config, false, a.dtype, a.count * eb);
    // A receiver on an exact-size transport (NCCL) cannot learn a frame's size in a group:
    // point-to-point travels uncompressed there.
    if (comm->transport->exactReceiveSizes()) d.compress = false;
    contexts.push_back(std::make_unique<algo::Context>(makeContext(comm, a.dtype, d.compress, beginCall(comm, a))));
    p2p.push_back(std::make_unique<algo::PointToPoint>(a.kind == Kind::kSend, a.send, a.recv, a.count, a.root, slot++));
  }
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
