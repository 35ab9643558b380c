#include "transport/call_envelope.h"

#include <cstdio>

#include "transport/transport.h"

namespace zccl::transport {
namespace {

constexpr int kKindP2P = 6;  // send and receive share one kind on the wire

const char* kindName(int k) {
  static const char* kNames[] = {"zcclAllReduce",     "zcclBroadcast", "zcclReduce", "zcclAllGather",
                                 "zcclReduceScatter", "zcclAlltoAll",  "zcclSend",   "zcclRecv"};
  return k >= 0 && k < 8 ? kNames[k] : "an unknown call";
}

const char* dtypeName(int d) {
  static const char* kNames[] = {"int8",    "uint8",   "int32",   "uint32",   "int64",      "uint64",
                                 "float16", "float32", "float64", "bfloat16", "float8e4m3", "float8e5m2"};
  return d >= 0 && d < 12 ? kNames[d] : "dtype?";
}

const char* opName(int op) {
  static const char* kNames[] = {"sum", "prod", "max", "min", "avg"};
  return op >= 0 && op < 5 ? kNames[op] : "op?";
}

bool hasOp(int kind) { return kind == 0 || kind == 2 || kind == 4; }

// Kind, op and dtype in one byte: the 20 (kind, op) pairs that occur (reductions with each of the
// 5 ops, the other kinds with op 0) times the 12 dtypes.
constexpr int kDtypes = 12;
int kindOpDtypeCode(int kind, int op, int dtype) {
  static const int kPairOfOplessKind[8] = {-1, 15, -1, 16, -1, 17, 18, 19};
  const int pair = hasOp(kind) ? kind / 2 * 5 + (op >= 0 && op < 5 ? op : 0) : kPairOfOplessKind[kind & 7];
  return pair * kDtypes + (dtype >= 0 && dtype < kDtypes ? dtype : 0);
}
void decodeKindOpDtype(int code, int* kind, int* op, int* dtype) {
  static const int kOplessKinds[5] = {1, 3, 5, 6, 7};
  const int pair = code / kDtypes;
  *dtype = code % kDtypes;
  if (pair < 15) {
    *kind = pair / 5 * 2;
    *op = pair % 5;
  } else {
    *kind = pair < 20 ? kOplessKinds[pair - 15] : -1;  // codes 240-255 are never made
    *op = 0;
  }
}
bool hasRoot(int kind) { return kind == 1 || kind == 2; }

// 8 bits of a 64-bit mix of the count and the root.
int countRootHash(uint64_t count, int root) {
  uint64_t x = count * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(static_cast<uint32_t>(root)) + 0x7F4A7C15ull);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<int>(x & 0xFF);
}

}  // namespace

int envelopeTag(int channel, const CallSignature& sig) {
  const bool p2p = channel == kTagPointToPoint;
  const int kind = p2p ? kKindP2P : sig.kind & 7;
  const int seq = p2p ? 0 : static_cast<int>(sig.seq % kSeqModulo);
  const int op = hasOp(kind) ? sig.op & 7 : 0;
  const int hash = countRootHash(sig.count, p2p || !hasRoot(kind) ? 0 : sig.root);
  return (channel & kChannelMask) | seq << 2 | kindOpDtypeCode(kind, op, sig.dtype) << 8 | hash << 16;
}

Envelope decodeEnvelope(int tag) {
  Envelope e{tag & kChannelMask, (tag >> 2) & 63, 0, 0, 0, (tag >> 16) & 0xFF,
             (tag & kSizeClassMask) >> kSizeClassShift};
  decodeKindOpDtype((tag >> 8) & 0xFF, &e.kind, &e.op, &e.dtype);
  return e;
}

int sizeClassOf(uint64_t bytes) {
  if (bytes <= 4) return 1;
  int top = 63 - __builtin_clzll(bytes);  // bytes in [2^top, 2^(top+1))
  int shift = top - 2;                    // bytes in [4 << shift, 8 << shift)
  uint64_t m = ((bytes + (uint64_t{1} << shift) - 1) >> shift) - 4;  // ceil(bytes / 2^shift) - 4, 0..4
  if (m == 4) {
    ++shift;
    m = 0;
  }
  const int k = 1 + 4 * shift + static_cast<int>(m);
  return k <= 127 ? k : 127;
}

uint64_t sizeClassLimit(int k) {
  if (k <= 0) return 0;
  return static_cast<uint64_t>(4 + (k - 1) % 4) << ((k - 1) / 4);
}

int sizedTag(int tag, uint64_t capacity) {
  const int channel = tag & kChannelMask;
  if (channel != kTagCollective && channel != kTagPointToPoint) return tag & ~kSizeClassMask;
  return (tag & ~kSizeClassMask) | sizeClassOf(capacity) << kSizeClassShift;
}

int failureNoticeTag(int seq) { return kTagSizes | (seq % kSeqModulo) << 2 | kindOpDtypeCode(7, 0, 0) << 8; }

bool isFailureNotice(const Envelope& e) { return e.channel == kTagSizes && e.kind == 7; }

bool isStaleLeftover(const Envelope& got, const Envelope& want) {
  if ((got.channel != kTagCollective && !isFailureNotice(got)) || want.channel != kTagCollective) return false;
  const int behind = (want.seq - got.seq + kSeqModulo) % kSeqModulo;
  return behind >= 1 && behind <= kStaleWindow;
}

std::string describeCall(const CallSignature& sig) {
  char buf[160];
  const bool p2p = sig.kind >= kKindP2P;
  int n = std::snprintf(buf, sizeof(buf), "%s (", kindName(sig.kind));
  if (!p2p) n += std::snprintf(buf + n, sizeof(buf) - n, "call %llu, ", static_cast<unsigned long long>(sig.seq));
  n += std::snprintf(buf + n, sizeof(buf) - n, "%llu x %s", static_cast<unsigned long long>(sig.count),
                     dtypeName(sig.dtype));
  if (hasOp(sig.kind)) n += std::snprintf(buf + n, sizeof(buf) - n, ", op %s", opName(sig.op));
  if (hasRoot(sig.kind)) n += std::snprintf(buf + n, sizeof(buf) - n, ", root %d", sig.root);
  std::snprintf(buf + n, sizeof(buf) - n, ")");
  return buf;
}

std::string describeEnvelope(int tag) {
  const Envelope e = decodeEnvelope(tag);
  char buf[160];
  if (e.channel == kTagPointToPoint) {
    std::snprintf(buf, sizeof(buf), "zcclSend (%s, count hash 0x%02x)", dtypeName(e.dtype), e.hash);
  } else {
    int n = std::snprintf(buf, sizeof(buf), "%s (call %d mod %d, %s", kindName(e.kind), e.seq, kSeqModulo,
                          dtypeName(e.dtype));
    if (hasOp(e.kind)) n += std::snprintf(buf + n, sizeof(buf) - n, ", op %s", opName(e.op));
    std::snprintf(buf + n, sizeof(buf) - n, ", count%s hash 0x%02x)", hasRoot(e.kind) ? "/root" : "", e.hash);
  }
  return buf;
}

}  // namespace zccl::transport
