// The call envelope (transport/call_envelope.h): every field of a collective's or a point-to-point
// operation's tag decodes to what made it, failure notices are told apart, and size classes hold
// every size within a quarter, travelling in bits of their own.
#include "transport/call_envelope.h"

#include <gtest/gtest.h>

#include "transport/transport.h"

namespace zccl::transport {
namespace {

CallSignature signature(int kind, int op, int dtype, uint64_t count, int root, uint64_t seq) {
  CallSignature s;
  s.kind = kind;
  s.op = op;
  s.dtype = dtype;
  s.count = count;
  s.root = root;
  s.seq = seq;
  return s;
}

TEST(CallEnvelope, EveryKindOpAndDtypeDecodesToWhatMadeIt) {
  for (int kind = 0; kind < 6; ++kind) {
    const bool reduces = kind == 0 || kind == 2 || kind == 4;
    for (int op = 0; op < (reduces ? 5 : 1); ++op) {
      for (int dtype = 0; dtype < 12; ++dtype) {
        const int tag = envelopeTag(kTagCollective, signature(kind, op, dtype, 1000, 0, 70));
        ASSERT_GE(tag, 0);
        const Envelope e = decodeEnvelope(tag);
        EXPECT_EQ(e.channel, kTagCollective);
        EXPECT_EQ(e.seq, 70 % kSeqModulo);
        EXPECT_EQ(e.kind, kind);
        EXPECT_EQ(e.op, op);
        EXPECT_EQ(e.dtype, dtype);
        EXPECT_EQ(e.sizeClass, 0);
        EXPECT_FALSE(isFailureNotice(e));
      }
    }
  }
  const Envelope p2p = decodeEnvelope(envelopeTag(kTagPointToPoint, signature(6, 0, 9, 1000, 3, 5)));
  EXPECT_EQ(p2p.kind, 6);
  EXPECT_EQ(p2p.dtype, 9);
  const Envelope notice = decodeEnvelope(failureNoticeTag(9));
  EXPECT_TRUE(isFailureNotice(notice));
  EXPECT_EQ(notice.seq, 9);
}

TEST(CallEnvelope, CountsAndRootsReachTheHash) {
  int differ = 0;
  for (uint64_t n = 1; n <= 256; ++n) {
    differ += decodeEnvelope(envelopeTag(kTagCollective, signature(0, 0, 7, n, 0, 0))).hash !=
              decodeEnvelope(envelopeTag(kTagCollective, signature(0, 0, 7, 2 * n, 0, 0))).hash;
  }
  EXPECT_GT(differ, 240);  // 8 bits: about 1 pair in 256 collides
  const int root0 = envelopeTag(kTagCollective, signature(1, 0, 7, 1000, 0, 0));
  const int root1 = envelopeTag(kTagCollective, signature(1, 0, 7, 1000, 1, 0));
  EXPECT_NE(root0, root1);
  EXPECT_FALSE(isStaleLeftover(decodeEnvelope(root0), decodeEnvelope(root1)));
}

TEST(SizeClasses, HoldEverySizeWithinAQuarter) {
  for (uint64_t n : {0ull, 1ull, 4ull, 5ull, 7ull, 8ull, 9ull, 1000ull, 1024ull, 1025ull, 262144ull, 262145ull,
                     1048576ull + 4096ull, 2147483647ull}) {
    const int k = sizeClassOf(n);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, 127);
    EXPECT_GE(sizeClassLimit(k), n) << n;
    if (n >= 4) EXPECT_LE(sizeClassLimit(k), n + n / 4) << n;
    if (k > 1) EXPECT_LT(sizeClassLimit(k - 1), n) << n << ": not the smallest class";
  }
  for (int k = 2; k <= 117; ++k) EXPECT_GT(sizeClassLimit(k), sizeClassLimit(k - 1)) << k;
  EXPECT_GE(sizeClassLimit(sizeClassOf(2147483647ull)), 2147483647ull);
}

TEST(SizeClasses, TravelInTheirOwnBits) {
  const int call = envelopeTag(kTagCollective, signature(0, 0, 7, 1000, 0, 3));
  const int tag = sizedTag(call, 4000);
  const Envelope e = decodeEnvelope(tag), plain = decodeEnvelope(call);
  EXPECT_EQ(e.seq, plain.seq);
  EXPECT_EQ(e.kind, plain.kind);
  EXPECT_EQ(e.hash, plain.hash);
  EXPECT_EQ(sizeClassBytes(tag), 4096u);
  EXPECT_EQ(sizeClassBytes(call), 0u);
  EXPECT_TRUE(sameSignature(tag, sizedTag(call, 100)));
  EXPECT_FALSE(sameSignature(tag, sizedTag(envelopeTag(kTagCollective, signature(0, 0, 7, 1000, 0, 4)), 4000)));
  EXPECT_EQ(sizedTag(sizedTag(call, 100), 4000), tag);  // a class replaces the one before
  EXPECT_EQ(sizeClassBytes(sizedTag(kTagSizes, 4000)), 0u);
  EXPECT_EQ(sizeClassBytes(sizedTag(kTagProbe, 4000)), 0u);
}

}  // namespace
}  // namespace zccl::transport
