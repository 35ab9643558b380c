// zcclCommInitCustom: communicators whose bytes move through application callbacks. The callbacks
// here forward to a local world with exact receive sizes (ranks as threads), so the tests check
// the public entry point end to end: verifiable reductions, bit-exact data movement with
// compression on and off, argument checks, the callbacks' errors in zcclGetLastError, and that
// destroy runs once.
#include <atomic>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "collectives/local_harness.h"
#include "transport/local/local_transport.h"
#include "zccl/zccl_custom.h"

namespace zccl::test {
namespace {

// The application side: a transport whose requests are heap-allocated handles.
struct Endpoint {
  transport::LocalTransport local;
  int failSendAfter = -1;  // fail the n-th isend (0-based); -1: never
  int sends = 0;
  std::atomic<int>* destroyed = nullptr;
  std::string error;
  Endpoint(std::shared_ptr<transport::LocalWorld> w, int rank) : local(std::move(w), rank) {}
};

zcclResult_t cbSend(void* c, int peer, int tag, const void* data, size_t bytes, void** request) {
  auto* e = static_cast<Endpoint*>(c);
  if (e->failSendAfter >= 0 && e->sends++ >= e->failSendAfter) {
    e->error = "link to peer " + std::to_string(peer) + " is down";
    return zcclRemoteError;
  }
  auto* r = new transport::Request;
  *request = r;
  return e->local.isend(peer, tag, data, bytes, r);
}
zcclResult_t cbRecv(void* c, int peer, int tag, void* data, size_t bytes, void** request) {
  auto* r = new transport::Request;
  *request = r;
  return static_cast<Endpoint*>(c)->local.irecv(peer, tag, data, bytes, r);
}
zcclResult_t cbWait(void* c, void* request) {
  std::unique_ptr<transport::Request> r(static_cast<transport::Request*>(request));
  return static_cast<Endpoint*>(c)->local.wait(r.get(), nullptr);
}
const char* cbError(void* c) { return static_cast<Endpoint*>(c)->error.c_str(); }
void cbDestroy(void* c) {
  auto* e = static_cast<Endpoint*>(c);
  if (e->destroyed != nullptr) ++*e->destroyed;
}

zcclCustomTransport_t callbacks(Endpoint* e, int rank, int nranks) {
  zcclCustomTransport_t t{};
  t.version = ZCCL_CUSTOM_TRANSPORT_VERSION;
  t.rank = rank;
  t.nranks = nranks;
  t.context = e;
  t.isend = cbSend;
  t.irecv = cbRecv;
  t.wait = cbWait;
  t.errorMessage = cbError;
  t.destroy = cbDestroy;
  return t;
}

// Runs body on `ranks` threads, each with a custom-transport communicator.
void runCustom(int ranks, zcclConfig_t config, const std::function<void(zcclComm_t, int, Endpoint&)>& body,
               std::atomic<int>* destroyed = nullptr) {
  auto world = std::make_shared<transport::LocalWorld>(ranks, /*exactSizes=*/true);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      Endpoint e(world, r);
      e.destroyed = destroyed;
      const zcclCustomTransport_t t = callbacks(&e, r, ranks);
      zcclComm_t comm = nullptr;
      ASSERT_EQ(zcclCommInitCustom(&comm, &t, &config), zcclSuccess) << zcclGetLastError(nullptr);
      body(comm, r, e);
      EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(CustomTransport, ReductionsAreExactWithCompressionOnAndOff) {
  const size_t count = 20000;
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    for (zcclRedOp_t op : {zcclSum, zcclMax, zcclProd}) {
      for (zcclDataType_t d : {zcclBfloat16, zcclFloat32, zcclInt32}) {
        const std::vector<uint8_t> want = expectedReduction(d, op, 3, count);
        runCustom(3, localConfig(compression), [&](zcclComm_t comm, int rank, Endpoint&) {
          std::vector<uint8_t> buf = verifiableBuffer(d, rank, count, op);
          ASSERT_EQ(zcclAllReduce(buf.data(), buf.data(), count, d, op, comm, nullptr), zcclSuccess)
              << zcclGetLastError(nullptr);
          EXPECT_EQ(buf, want) << "compression " << compression << " op " << op << " dtype " << d;
        });
      }
    }
  }
}

TEST(CustomTransport, AllGatherAndAlltoAllMoveEveryBitPattern) {
  const size_t count = 9000;  // bf16 elements per rank: random bits (NaN payloads, -0, denormals)
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    runCustom(3, localConfig(compression), [&](zcclComm_t comm, int rank, Endpoint&) {
      auto bits = [](int r, size_t n) {
        std::vector<uint16_t> v(n);
        std::mt19937 g(1234 + r);
        for (uint16_t& x : v) x = static_cast<uint16_t>(g());
        return v;
      };
      const std::vector<uint16_t> mine = bits(rank, count);
      std::vector<uint16_t> all(3 * count);
      ASSERT_EQ(zcclAllGather(mine.data(), all.data(), count, zcclBfloat16, comm, nullptr), zcclSuccess)
          << zcclGetLastError(nullptr);
      for (int r = 0; r < 3; ++r) {
        EXPECT_EQ(0, std::memcmp(all.data() + r * count, bits(r, count).data(), count * 2)) << "block " << r;
      }
      const std::vector<uint16_t> send = bits(10 + rank, 3 * count);
      std::vector<uint16_t> recv(3 * count);
      ASSERT_EQ(zcclAlltoAll(send.data(), recv.data(), count, zcclBfloat16, comm, nullptr), zcclSuccess)
          << zcclGetLastError(nullptr);
      for (int p = 0; p < 3; ++p) {
        EXPECT_EQ(0, std::memcmp(recv.data() + p * count, bits(10 + p, 3 * count).data() + rank * count, count * 2));
      }
    });
  }
}

TEST(CustomTransport, RefusesBadArguments) {
  Endpoint e(std::make_shared<transport::LocalWorld>(2, true), 0);
  zcclComm_t comm = nullptr;
  zcclCustomTransport_t t = callbacks(&e, 0, 2);
  EXPECT_EQ(zcclCommInitCustom(nullptr, &t, nullptr), zcclInvalidArgument);
  EXPECT_EQ(zcclCommInitCustom(&comm, nullptr, nullptr), zcclInvalidArgument);
  t.version = 99;
  EXPECT_EQ(zcclCommInitCustom(&comm, &t, nullptr), zcclInvalidArgument);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("version 99"), std::string::npos);
  t = callbacks(&e, 2, 2);
  EXPECT_EQ(zcclCommInitCustom(&comm, &t, nullptr), zcclInvalidArgument);
  t = callbacks(&e, 0, 2);
  t.wait = nullptr;
  EXPECT_EQ(zcclCommInitCustom(&comm, &t, nullptr), zcclInvalidArgument);
  EXPECT_EQ(comm, nullptr);
}

TEST(CustomTransport, SendToSelfIsRefused) {
  runCustom(2, localConfig(ZCCL_COMPRESSION_OFF), [](zcclComm_t comm, int rank, Endpoint&) {
    float x = 1;
    EXPECT_EQ(zcclSend(&x, 1, zcclFloat32, rank, comm, nullptr), zcclInvalidUsage);
    EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("never sends to itself"), std::string::npos);
  });
}

TEST(CustomTransport, CallbackErrorsCarryTheirMessage) {
  // Rank 0's transport fails at once; rank 1 is told nothing, so it only sends (an all-gather of
  // 2 ranks would wait for rank 0's data): a send completes in the local world without a receiver.
  runCustom(2, localConfig(ZCCL_COMPRESSION_ON), [](zcclComm_t comm, int rank, Endpoint& e) {
    std::vector<uint16_t> buf(5000, 0x3f80);
    if (rank == 0) {
      e.failSendAfter = 0;
      EXPECT_EQ(zcclSend(buf.data(), buf.size(), zcclBfloat16, 1, comm, nullptr), zcclRemoteError);
      const std::string msg = zcclGetLastError(nullptr);
      EXPECT_NE(msg.find("custom transport: isend"), std::string::npos) << msg;
      EXPECT_NE(msg.find("link to peer 1 is down"), std::string::npos) << msg;
    } else {
      EXPECT_EQ(zcclSend(buf.data(), buf.size(), zcclBfloat16, 0, comm, nullptr), zcclSuccess);
    }
  });
}

TEST(CustomTransport, DestroyRunsOncePerCommunicator) {
  std::atomic<int> destroyed{0};
  runCustom(
      3, localConfig(ZCCL_COMPRESSION_AUTO), [](zcclComm_t, int, Endpoint&) {}, &destroyed);
  EXPECT_EQ(destroyed.load(), 3);
}

}  // namespace
}  // namespace zccl::test
