// The Open MPI transport's receives posted ahead of their message (transport/mpi/mpi_transport.h),
// run by ctest under mpirun with 2 ranks: rank 1 sends, rank 0 receives. A receive with room for
// its tag's whole size class is posted at once and gets its message exactly; one without that room
// is deferred, and so are the later ones from that peer until it is matched; a sender refuses a
// message over its tag's class; a posted receive whose peer moved on to another call, or sends
// another size class of this one, fails with zcclInvalidUsage instead of waiting, and a message
// over the receive's capacity but within its class is reported without a byte written past the
// room (guard zones). Every rank prints its own failures; the exit status is nonzero if any failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "mpi/mpi_world.h"
#include "transport/call_envelope.h"
#include "transport/mpi/mpi_transport.h"
#include "zccl/zccl.h"

namespace zccl::transport {
namespace {

using test::worldRank;

// A collective call's tag (all-reduce of `count` float32, call `seq`) sized for `capacity`.
int callTag(uint64_t count, uint64_t seq, uint64_t capacity) {
  CallSignature sig;
  sig.kind = 0;
  sig.dtype = zcclFloat32;
  sig.op = zcclSum;
  sig.count = count;
  sig.seq = seq;
  return sizedTag(envelopeTag(kTagCollective, sig), capacity);
}

std::vector<uint8_t> pattern(size_t bytes, int salt) {
  std::vector<uint8_t> v(bytes);
  for (size_t i = 0; i < bytes; ++i) v[i] = static_cast<uint8_t>(i * 7 + salt);
  return v;
}

// `room` bytes to receive into, between guard zones of 4096 bytes of 0xA5.
struct Landing {
  explicit Landing(size_t room) : mem(room + 2 * kGuard, 0xA5), room(room) {}
  uint8_t* data() { return mem.data() + kGuard; }
  size_t damaged() const {
    size_t n = 0;
    for (size_t i = 0; i < kGuard; ++i) n += (mem[i] != 0xA5) + (mem[kGuard + room + i] != 0xA5);
    return n;
  }
  static constexpr size_t kGuard = 4096;
  std::vector<uint8_t> mem;
  size_t room;
};

std::unique_ptr<MpiTransport> open() {
  std::string why;
  auto t = std::make_unique<MpiTransport>(MPI_COMM_WORLD, &why);
  EXPECT_TRUE(t->ok()) << why;
  return t;
}

void barrier() { MPI_Barrier(MPI_COMM_WORLD); }

TEST(PostedReceives, ReceivesWithRoomForTheirClassArePostedAndExact) {
  auto t = open();
  const int tag = callTag(250, 0, 1000);  // class: 1024 bytes
  const std::vector<size_t> sizes = {1000, 10, 0};
  if (worldRank() == 1) {
    barrier();  // the receives are posted first
    std::vector<std::vector<uint8_t>> out;
    for (size_t i = 0; i < sizes.size(); ++i) out.push_back(pattern(sizes[i], static_cast<int>(i)));
    std::vector<Request> reqs(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) ASSERT_EQ(t->isend(0, tag, out[i].data(), sizes[i], &reqs[i]), 0);
    EXPECT_EQ(t->waitAll(reqs), zcclSuccess);
  } else if (worldRank() == 0) {
    std::vector<Landing> in(sizes.size(), Landing(1024));
    std::vector<Request> reqs(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
      ASSERT_EQ(t->irecvInto(1, tag, in[i].data(), 1000, 1024, &reqs[i]), zcclSuccess);
    }
    EXPECT_EQ(t->postedReceives(), sizes.size());
    EXPECT_EQ(t->deferredReceives(), 0u);
    barrier();
    for (size_t i = 0; i < sizes.size(); ++i) {
      size_t got = 0;
      ASSERT_EQ(t->wait(&reqs[i], &got), zcclSuccess) << zcclGetLastError(nullptr);
      EXPECT_EQ(got, sizes[i]);
      const std::vector<uint8_t> want = pattern(sizes[i], static_cast<int>(i));
      EXPECT_TRUE(std::equal(want.begin(), want.end(), in[i].data())) << "message " << i;
      EXPECT_EQ(in[i].damaged(), 0u);
    }
  } else {
    barrier();
  }
}

TEST(PostedReceives, ShortRoomDefersAndKeepsPostOrder) {
  auto t = open();
  const int small = callTag(250, 1, 1000), large = callTag(250, 1, 4000);  // classes 1024 and 4096
  if (worldRank() == 1) {
    const auto a = pattern(1000, 1), b = pattern(1000, 2), c = pattern(3000, 3);
    std::vector<Request> reqs(3);
    ASSERT_EQ(t->isend(0, small, a.data(), a.size(), &reqs[0]), zcclSuccess);
    ASSERT_EQ(t->isend(0, small, b.data(), b.size(), &reqs[1]), zcclSuccess);
    ASSERT_EQ(t->isend(0, large, c.data(), c.size(), &reqs[2]), zcclSuccess);
    EXPECT_EQ(t->waitAll(reqs), zcclSuccess);
  } else if (worldRank() == 0) {
    Landing a(1000), b(1024), c(4096);  // a has no room for its class: deferred, and b after it
    std::vector<Request> reqs(3);
    ASSERT_EQ(t->irecvInto(1, small, a.data(), 1000, 1000, &reqs[0]), zcclSuccess);
    ASSERT_EQ(t->irecvInto(1, small, b.data(), 1000, 1024, &reqs[1]), zcclSuccess);
    EXPECT_EQ(t->deferredReceives(), 2u);
    size_t got = 0;
    ASSERT_EQ(t->wait(&reqs[0], &got), zcclSuccess) << zcclGetLastError(nullptr);
    ASSERT_EQ(t->wait(&reqs[1], &got), zcclSuccess) << zcclGetLastError(nullptr);
    // Nothing from rank 1 waits deferred now: the next one is posted.
    ASSERT_EQ(t->irecvInto(1, large, c.data(), 4000, 4096, &reqs[2]), zcclSuccess);
    EXPECT_EQ(t->postedReceives(), 1u);
    ASSERT_EQ(t->wait(&reqs[2], &got), zcclSuccess) << zcclGetLastError(nullptr);
    EXPECT_EQ(got, 3000u);
    const auto wa = pattern(1000, 1), wb = pattern(1000, 2), wc = pattern(3000, 3);
    EXPECT_TRUE(std::equal(wa.begin(), wa.end(), a.data()));
    EXPECT_TRUE(std::equal(wb.begin(), wb.end(), b.data()));
    EXPECT_TRUE(std::equal(wc.begin(), wc.end(), c.data()));
    EXPECT_EQ(a.damaged() + b.damaged() + c.damaged(), 0u);
  }
  barrier();
}

TEST(PostedReceives, SendersRefuseMessagesOverTheirClass) {
  auto t = open();
  const auto big = pattern(1025, 0);
  Request r;
  EXPECT_EQ(t->isend(worldRank() == 0 ? 1 : 0, callTag(250, 2, 1000), big.data(), big.size(), &r),
            zcclInternalError);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("size class"), std::string::npos);
  barrier();
}

// Rank 1 sends one message of call 3 where rank 0 waits for two, then moves on to call 4.
TEST(PostedReceives, APeerThatMovedOnFailsTheWaitInsteadOfHangingIt) {
  auto t = open();
  const int call3 = callTag(250, 3, 1000), call4 = callTag(250, 4, 1000);
  const auto m = pattern(1000, 5), next = pattern(1000, 6);
  if (worldRank() == 1) {
    std::vector<Request> reqs(2);
    ASSERT_EQ(t->isend(0, call3, m.data(), m.size(), &reqs[0]), zcclSuccess);
    ASSERT_EQ(t->isend(0, call4, next.data(), next.size(), &reqs[1]), zcclSuccess);
    EXPECT_EQ(t->waitAll(reqs), zcclSuccess);
  } else if (worldRank() == 0) {
    Landing a(1024), b(1024), c(1024);
    std::vector<Request> reqs(2);
    ASSERT_EQ(t->irecvInto(1, call3, a.data(), 1000, 1024, &reqs[0]), zcclSuccess);
    ASSERT_EQ(t->irecvInto(1, call3, b.data(), 1000, 1024, &reqs[1]), zcclSuccess);
    EXPECT_EQ(t->postedReceives(), 2u);
    size_t got = 0;
    ASSERT_EQ(t->wait(&reqs[0], &got), zcclSuccess) << zcclGetLastError(nullptr);
    EXPECT_EQ(t->wait(&reqs[1], &got), zcclInvalidUsage);
    const std::string msg = zcclGetLastError(nullptr);
    EXPECT_NE(msg.find("mismatched calls"), std::string::npos) << msg;
    EXPECT_NE(msg.find("call 4"), std::string::npos) << msg;
    t->abandon();
    // Call 4's message was left to call 4.
    Request r;
    ASSERT_EQ(t->irecvInto(1, call4, c.data(), 1000, 1024, &r), zcclSuccess);
    ASSERT_EQ(t->wait(&r, &got), zcclSuccess) << zcclGetLastError(nullptr);
    EXPECT_TRUE(std::equal(next.begin(), next.end(), c.data()));
    EXPECT_EQ(a.damaged() + b.damaged() + c.damaged(), 0u);
  }
  barrier();
}

TEST(PostedReceives, AnotherSizeClassOfTheCallIsReported) {
  auto t = open();
  const int mine = callTag(250, 5, 1000), theirs = callTag(250, 5, 5000);  // classes 1024 and 5120
  const auto m = pattern(3000, 7);
  if (worldRank() == 1) {
    Request r;
    ASSERT_EQ(t->isend(0, theirs, m.data(), m.size(), &r), zcclSuccess);
    EXPECT_EQ(t->wait(&r, nullptr), zcclSuccess);
  } else if (worldRank() == 0) {
    Landing a(1024), b(5120);
    Request r;
    ASSERT_EQ(t->irecvInto(1, mine, a.data(), 1000, 1024, &r), zcclSuccess);
    EXPECT_EQ(t->postedReceives(), 1u);
    EXPECT_EQ(t->wait(&r, nullptr), zcclInvalidUsage);
    const std::string msg = zcclGetLastError(nullptr);
    EXPECT_NE(msg.find("different messages"), std::string::npos) << msg;
    EXPECT_EQ(a.damaged(), 0u);
    t->abandon();
    // The message was left as it came: a receive of its own class gets it whole.
    size_t got = 0;
    ASSERT_EQ(t->irecvInto(1, theirs, b.data(), 5000, 5120, &r), zcclSuccess);
    ASSERT_EQ(t->wait(&r, &got), zcclSuccess) << zcclGetLastError(nullptr);
    EXPECT_EQ(got, m.size());
    EXPECT_TRUE(std::equal(m.begin(), m.end(), b.data()));
  }
  barrier();
}

TEST(PostedReceives, OverCapacityWithinTheClassLandsInsideTheRoomAndIsReported) {
  auto t = open();
  const int tag = callTag(250, 6, 1000);  // class 1024: a sender may send 1020 bytes
  const auto m = pattern(1020, 8);
  if (worldRank() == 1) {
    Request r;
    ASSERT_EQ(t->isend(0, tag, m.data(), m.size(), &r), zcclSuccess);
    EXPECT_EQ(t->wait(&r, nullptr), zcclSuccess);
  } else if (worldRank() == 0) {
    Landing a(1024);
    Request r;
    ASSERT_EQ(t->irecvInto(1, tag, a.data(), 1000, 1024, &r), zcclSuccess);
    EXPECT_EQ(t->wait(&r, nullptr), zcclInvalidUsage);
    EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("expects at most 1000 bytes"), std::string::npos);
    EXPECT_EQ(a.damaged(), 0u);
  }
  barrier();
}

}  // namespace
}  // namespace zccl::transport

int main(int argc, char** argv) { return zccl::test::runTestsOnEveryRank(argc, argv, "mpi_posted_receives_test"); }
