#include "api/call_check.h"

#include <cstring>
#include <string>
#include <vector>

#include "common/check.h"
#include "common/params.h"

namespace zccl::api {
namespace {

transport::CallSignature signatureOf(const zcclComm* comm, const CallArgs& a) {
  transport::CallSignature s;
  s.kind = static_cast<int>(a.kind);
  s.dtype = static_cast<int>(a.dtype);
  s.op = static_cast<int>(a.op);
  s.count = a.count;
  s.root = a.root;
  s.seq = comm->callSeq;
  return s;
}

bool isP2P(const CallArgs& a) { return a.kind == Kind::kSend || a.kind == Kind::kRecv; }

// The signature as sent in check mode (fixed layout, host byte order: one machine kind per job).
struct WireSignature {
  int32_t kind, dtype, op, root;
  uint64_t count, seq;
};

}  // namespace

int beginCall(zcclComm* comm, const CallArgs& a) {
  if (isP2P(a)) return transport::envelopeTag(transport::kTagPointToPoint, signatureOf(comm, a));
  const int tag = transport::envelopeTag(transport::kTagCollective, signatureOf(comm, a));
  comm->callSeq++;
  return tag;
}

zcclResult_t checkCallIfAsked(zcclComm* comm, const CallArgs& a) {
  static const bool enabled = paramInt(Param::kCheckCalls) != 0;
  transport::Transport& t = *comm->transport;
  if (!enabled || isP2P(a) || t.size() == 1) return zcclSuccess;
  transport::CallSignature mine = signatureOf(comm, a);
  mine.seq--;  // beginCall advanced it
  const WireSignature w{mine.kind, mine.dtype, mine.op, mine.root, mine.count, mine.seq};
  const int P = t.size(), r = t.rank();
  auto mismatch = [&](int p, const WireSignature& o) {
    transport::CallSignature other{o.kind, o.dtype, o.op, o.count, o.root, o.seq};
    const std::string a1 = transport::describeCall(mine), a2 = transport::describeCall(other);
    ZCCL_FAIL(zcclInvalidUsage, "ZCCL_CHECK_CALLS: rank %d called %s but rank %d called %s", r, a1.c_str(), p,
              a2.c_str());
  };
  if (t.exactReceiveSizes()) {
    // NCCL: no tags and device-memory messages; the size exchange (host words, copied to the
    // device by the transport) carries the signature, to rank r+s from rank r-s in step s.
    static_assert(sizeof(WireSignature) == 4 * sizeof(uint64_t), "the signature travels as 4 words");
    uint64_t out[4], in[4];
    std::memcpy(out, &w, sizeof(w));
    for (int s = 1; s < P; ++s) {
      const int to = (r + s) % P, from = (r - s + P) % P;
      const zcclResult_t res = t.exchangeSizes(to, out, 4, from, in, 4);
      if (res != zcclSuccess) return endCall(comm, res);
      WireSignature o;
      std::memcpy(&o, in, sizeof(o));
      if (std::memcmp(&o, &w, sizeof(w)) != 0) return mismatch(from, o);
    }
    return zcclSuccess;
  }
  // Channel "sizes", sequence number only: every rank's signature matches, whatever it holds.
  transport::CallSignature bare;
  bare.seq = mine.seq;
  bare.kind = 0;
  const int tag = transport::envelopeTag(transport::kTagSizes, bare);
  std::vector<WireSignature> theirs(P);
  std::vector<transport::Request> reqs;
  zcclResult_t first = zcclSuccess;
  for (int p = 0; p < P && first == zcclSuccess; ++p) {
    if (p == r) continue;
    transport::Request s, q;
    first = t.irecv(p, tag, &theirs[p], sizeof(WireSignature), &q);
    if (first == zcclSuccess) first = t.isend(p, tag, &w, sizeof(w), &s);
    reqs.push_back(q);
    reqs.push_back(s);
  }
  if (first == zcclSuccess) first = t.waitAll(reqs);
  if (first != zcclSuccess) return endCall(comm, first);
  for (int p = 0; p < P; ++p) {
    if (p == r) continue;
    const WireSignature& o = theirs[p];
    if (std::memcmp(&o, &w, sizeof(w)) != 0) return mismatch(p, o);
  }
  return zcclSuccess;
}

zcclResult_t endCall(zcclComm* comm, zcclResult_t result) {
  if (result != zcclSuccess) comm->transport->abandon();
  return result;
}

}  // namespace zccl::api
