// Reliability over Open MPI, run by ctest under mpirun with 2, 3 and 4 ranks (issue 11): ranks
// that disagree on a call (count, dtype, kind, op, root) get zcclInvalidUsage on every rank that
// receives in the call, with a message naming both calls, and no byte is written outside any
// buffer (every buffer sits between guard zones), compression on and off; the next call is not
// poisoned; ZCCL_CHECK_CALLS=1 makes every rank report; handles of destroyed communicators never
// come back; MPI_COMM_NULL and calls after MPI_Finalize return errors instead of aborting; fp32
// max/min follow ZipCCL's NaN and signed-zero rule on every path. Every rank prints its own
// failures; the exit status is nonzero if any rank failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collectives/local_harness.h"
#include "mpi/mpi_world.h"
#include "transport/call_envelope.h"
#include "zccl/zccl_mpi.h"

namespace zccl::test {
namespace {


zcclComm_t mpiComm(int compression) {
  zcclComm_t comm = nullptr;
  zcclConfig_t c = localConfig(compression, ZCCL_ALGO_DIRECT, 256 * 1024);
  EXPECT_EQ(zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &c), zcclSuccess) << zcclGetLastError(nullptr);
  return comm;
}

// A buffer of `bytes` between two 256 KiB guard zones of a known pattern.
class Guarded {
 public:
  explicit Guarded(size_t bytes) : bytes_(bytes), mem_(bytes + 2 * kGuard) {
    for (size_t i = 0; i < mem_.size(); ++i) mem_[i] = pattern(i);
  }
  uint8_t* data() { return mem_.data() + kGuard; }
  // Bytes of the guard zones that changed.
  size_t damaged() const {
    size_t n = 0;
    for (size_t i = 0; i < kGuard; ++i) n += mem_[i] != pattern(i);
    for (size_t i = kGuard + bytes_; i < mem_.size(); ++i) n += mem_[i] != pattern(i);
    return n;
  }

 private:
  static constexpr size_t kGuard = 256 * 1024;
  static uint8_t pattern(size_t i) { return static_cast<uint8_t>(i * 131 + 7); }
  size_t bytes_;
  std::vector<uint8_t> mem_;
};

enum class Coll { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAlltoAll };
const char* kCollNames[] = {"all-reduce", "broadcast", "reduce", "all-gather", "reduce-scatter", "all-to-all"};

// One rank's call: its own count, dtype, op and root, with its buffers sized for them exactly.
struct Call {
  Coll coll;
  size_t count;
  zcclDataType_t dtype = zcclFloat32;
  zcclRedOp_t op = zcclSum;
  int root = 0;
};

zcclResult_t runCall(zcclComm_t comm, const Call& c, size_t* guardDamage) {
  const int P = worldSize();
  const size_t eb = c.dtype == zcclFloat32 ? 4 : 2;
  const bool blocks = c.coll == Coll::kAllGather || c.coll == Coll::kReduceScatter || c.coll == Coll::kAlltoAll;
  const size_t sendCount = c.coll == Coll::kReduceScatter || c.coll == Coll::kAlltoAll ? c.count * P : c.count;
  const size_t recvCount = c.coll == Coll::kAllGather || c.coll == Coll::kAlltoAll ? c.count * P : c.count;
  (void)blocks;
  Guarded send(sendCount * eb), recv(recvCount * eb);
  for (size_t i = 0; i < sendCount * eb; ++i) send.data()[i] = static_cast<uint8_t>(i % 61);  // small floats
  zcclResult_t r = zcclInternalError;
  switch (c.coll) {
    case Coll::kAllReduce:
      r = zcclAllReduce(send.data(), recv.data(), c.count, c.dtype, c.op, comm, nullptr);
      break;
    case Coll::kBroadcast:
      r = zcclBroadcast(send.data(), recv.data(), c.count, c.dtype, c.root, comm, nullptr);
      break;
    case Coll::kReduce:
      r = zcclReduce(send.data(), recv.data(), c.count, c.dtype, c.op, c.root, comm, nullptr);
      break;
    case Coll::kAllGather:
      r = zcclAllGather(send.data(), recv.data(), c.count, c.dtype, comm, nullptr);
      break;
    case Coll::kReduceScatter:
      r = zcclReduceScatter(send.data(), recv.data(), c.count, c.dtype, c.op, comm, nullptr);
      break;
    case Coll::kAlltoAll:
      r = zcclAlltoAll(send.data(), recv.data(), c.count, c.dtype, comm, nullptr);
      break;
  }
  *guardDamage = send.damaged() + recv.damaged();
  return r;
}

// After a failed call, a correct all-reduce on the same communicator must be exact. In bf16, which
// Open MPI cannot reduce, the call runs ZipCCL's algorithms even uncompressed, so its messages reach
// a peer still waiting in the call before (small integers: the sums are exact in bf16 too).
void expectNotPoisoned(zcclComm_t comm, const std::string& where, zcclDataType_t dtype = zcclFloat32) {
  const int P = worldSize(), r = worldRank();
  const size_t count = 70001, eb = dtype == zcclBfloat16 ? 2 : 4;
  auto encode = [&](float f, uint8_t* at) {  // bf16: the top half of the float32
    std::memcpy(at, reinterpret_cast<const uint8_t*>(&f) + (eb == 2 ? 2 : 0), eb);
  };
  std::vector<uint8_t> in(count * eb), out(count * eb, 0xFF), want(count * eb);
  for (size_t i = 0; i < count; ++i) {
    encode(static_cast<float>((i + r) % 7), &in[i * eb]);
    float sum = 0;
    for (int p = 0; p < P; ++p) sum += static_cast<float>((i + p) % 7);
    encode(sum, &want[i * eb]);
  }
  ASSERT_EQ(zcclAllReduce(in.data(), out.data(), count, dtype, zcclSum, comm, nullptr), zcclSuccess)
      << where << ": the call after the mismatch failed: " << zcclGetLastError(nullptr);
  size_t wrong = 0;
  for (size_t i = 0; i < count; ++i) wrong += std::memcmp(&out[i * eb], &want[i * eb], eb) != 0;
  EXPECT_EQ(wrong, 0u) << where << ": the call after the mismatch returned wrong data";
}

// Runs `mine` on this rank (the others run theirs), then checks the outcome on this rank.
void expectMismatchCaught(int compression, const Call& mine, bool mayPass, const std::string& where) {
  zcclComm_t comm = mpiComm(compression);
  ASSERT_NE(comm, nullptr);
  size_t damage = 0;
  const zcclResult_t r = runCall(comm, mine, &damage);
  const std::string msg = zcclGetLastError(nullptr);
  EXPECT_EQ(damage, 0u) << where << ": bytes written outside the buffers";
  if (!(mayPass && r == zcclSuccess)) {
    EXPECT_EQ(r, zcclInvalidUsage) << where << ": " << msg;
    EXPECT_NE(msg.find("rank"), std::string::npos) << where << ": the message names no rank: " << msg;
  }
  expectNotPoisoned(comm, where);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

std::string label(const char* what, Coll c, int compression) {
  return std::string(what) + " " + kCollNames[static_cast<int>(c)] + (compression ? ", compressed" : ", raw") +
         ", rank " + std::to_string(worldRank());
}

const Coll kAllColls[] = {Coll::kAllReduce, Coll::kBroadcast,     Coll::kReduce,
                          Coll::kAllGather, Coll::kReduceScatter, Coll::kAlltoAll};

TEST(MpiReliability, MismatchedCountsWriteNothingOutsideAnyBuffer) {
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    for (Coll c : kAllColls) {
      Call mine{c, worldRank() == 0 ? size_t{100000} : size_t{200000}};
      // The root of a broadcast only sends: its own output is right, it may return success.
      expectMismatchCaught(compression, mine, c == Coll::kBroadcast && worldRank() == 0,
                           label("count 100000 vs 200000", c, compression));
    }
  }
}

// The envelope's count hash has 8 bits (transport/call_envelope.h): counts N and b x N whose hashes
// agree, with every message a whole chunk (so their size classes agree too), are a mismatch the
// envelope cannot see. No rank may write outside a buffer. With 2 ranks the rank that expects
// fewer messages gets them and may return success (documented: ZCCL_CHECK_CALLS=1 reports it);
// the other, which expects more, must not wait forever (ZCCL_TIMEOUT would turn that into
// zcclRemoteError): its posted receive sees the peer's next call at the front of its messages and
// fails. With more ranks, ranks can wait on each other until ZCCL_TIMEOUT (docs/algorithms.md):
// the test runs at 2 ranks.
// Uncompressed calls run in bf16, which Open MPI cannot reduce: ZipCCL's raw algorithms, with
// envelopes (MPI's own collectives carry none; docs/algorithms.md).
TEST(MpiReliability, CountsWhoseEnvelopesAgreeNeitherHangNorWritePastABuffer) {
  const int P = worldSize();
  if (P != 2) GTEST_SKIP() << "with more than 2 ranks such a mismatch can block every rank until ZCCL_TIMEOUT";
  auto hashOf = [](size_t count) {
    transport::CallSignature sig;
    sig.count = count;
    return transport::decodeEnvelope(transport::envelopeTag(transport::kTagCollective, sig)).hash;
  };
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    const zcclDataType_t dtype = compression == ZCCL_COMPRESSION_OFF ? zcclBfloat16 : zcclFloat32;
    const size_t chunkElems = 4096 / (dtype == zcclFloat32 ? 4 : 2);  // 4096-byte chunks
    const size_t n = static_cast<size_t>(P) * chunkElems * 2;
    size_t b = 2;
    while (hashOf(b * n) != hashOf(n)) ++b;
    ASSERT_LT(b, 1000u);
    for (Coll c : kAllColls) {
      const std::string where = label(("count " + std::to_string(n) + " vs " + std::to_string(b * n)).c_str(), c,
                                      compression);
      zcclComm_t comm = nullptr;
      zcclConfig_t config = localConfig(compression, ZCCL_ALGO_DIRECT, 4096);
      ASSERT_EQ(zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &config), zcclSuccess) << zcclGetLastError(nullptr);
      size_t damage = 0;
      const zcclResult_t r = runCall(comm, Call{c, worldRank() == 0 ? n : b * n, dtype}, &damage);
      EXPECT_EQ(damage, 0u) << where << ": bytes written outside the buffers";
      EXPECT_TRUE(r == zcclSuccess || r == zcclInvalidUsage) << where << ": " << r << " " << zcclGetLastError(nullptr);
      // The next call first: a rank blocked in MPI's own collective would send a waiting peer nothing.
      expectNotPoisoned(comm, where, zcclBfloat16);
      int caught = r == zcclInvalidUsage, any = 0;
      MPI_Allreduce(&caught, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
      EXPECT_EQ(any, 1) << where << ": no rank reported the mismatch";
      EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
    }
  }
}

TEST(MpiReliability, MismatchedDtypesKindsOpsAndRootsAreReported) {
  const int r = worldRank(), P = worldSize();
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON}) {
    Call dtype{Coll::kAllReduce, 65536, r == 0 ? zcclBfloat16 : zcclFloat32};
    expectMismatchCaught(compression, dtype, false, label("bf16 vs fp32", Coll::kAllReduce, compression));
    Call kind{r == 0 ? Coll::kAllReduce : Coll::kAllGather, 65536};
    expectMismatchCaught(compression, kind, false, label("all-reduce vs all-gather", kind.coll, compression));
    Call op{Coll::kAllReduce, 65536, zcclFloat32, r == 0 ? zcclSum : zcclMax};
    expectMismatchCaught(compression, op, false, label("sum vs max", Coll::kAllReduce, compression));
    Call reduceRoot{Coll::kReduce, 65536, zcclFloat32, zcclSum, r == 0 ? 0 : P - 1};
    expectMismatchCaught(compression, reduceRoot, false, label("roots 0 vs P-1", Coll::kReduce, compression));
    // Every rank its own root: no rank receives; a rank fails if it sees another's message of the
    // same call while its sends wait, else returns success with its own (right) output.
    Call bcastRoot{Coll::kBroadcast, 300000, zcclFloat32, zcclSum, r};
    expectMismatchCaught(compression, bcastRoot, true, label("each its own root", Coll::kBroadcast, compression));
  }
}

// Run by its own ctest with ZCCL_CHECK_CALLS=1 (skipped otherwise): every rank reports, the
// broadcast root and the plain path (MPI's own collectives under auto) included.
TEST(MpiReliability, CheckCallsModeReportsOnEveryRank) {
  const char* v = std::getenv("ZCCL_CHECK_CALLS");
  if (v == nullptr || std::string(v) != "1") GTEST_SKIP() << "needs ZCCL_CHECK_CALLS=1";
  const int r = worldRank();
  for (int compression : {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON, ZCCL_COMPRESSION_AUTO}) {
    Call bcast{Coll::kBroadcast, r == 0 ? size_t{1000} : size_t{2000}};
    expectMismatchCaught(compression, bcast, false, label("check mode, count", Coll::kBroadcast, compression));
    Call small{Coll::kAllReduce, r == 0 ? size_t{64} : size_t{128}, zcclFloat32, zcclSum};
    expectMismatchCaught(compression, small, false, label("check mode, small count", Coll::kAllReduce, compression));
  }
  zcclComm_t comm = mpiComm(ZCCL_COMPRESSION_ON);
  size_t damage = 0;
  EXPECT_EQ(runCall(comm, Call{r == 0 ? Coll::kAllReduce : Coll::kAllGather, 4096}, &damage), zcclInvalidUsage);
  const std::string msg = zcclGetLastError(nullptr);
  EXPECT_NE(msg.find("ZCCL_CHECK_CALLS"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4096 x float32"), std::string::npos) << msg;
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

TEST(MpiReliability, MismatchMessageNamesBothCalls) {
  zcclComm_t comm = mpiComm(ZCCL_COMPRESSION_ON);
  size_t damage = 0;
  Call kind{worldRank() == 0 ? Coll::kAllReduce : Coll::kAllGather, 4096};
  EXPECT_EQ(runCall(comm, kind, &damage), zcclInvalidUsage);
  const std::string msg = zcclGetLastError(nullptr);
  EXPECT_NE(msg.find("zcclAllReduce"), std::string::npos) << msg;
  EXPECT_NE(msg.find("zcclAllGather"), std::string::npos) << msg;
  EXPECT_EQ(damage, 0u);
  EXPECT_EQ(zcclCommDestroy(comm), zcclSuccess);
}

TEST(MpiReliability, DestroyedHandlesNeverComeBack) {
  zcclComm_t first = mpiComm(ZCCL_COMPRESSION_ON);
  ASSERT_EQ(zcclCommDestroy(first), zcclSuccess);
  for (int i = 0; i < 4; ++i) {
    zcclComm_t next = mpiComm(ZCCL_COMPRESSION_ON);
    EXPECT_NE(next, first);
    float x = 1, y = 0;
    EXPECT_EQ(zcclAllReduce(&x, &y, 1, zcclFloat32, zcclSum, first, nullptr), zcclInvalidUsage);
    EXPECT_EQ(zcclCommDestroy(first), zcclInvalidUsage);
    EXPECT_EQ(zcclCommDestroy(next), zcclSuccess);
  }
}

TEST(MpiReliability, NullCommunicatorIsAnErrorNotAnAbort) {
  zcclComm_t comm = reinterpret_cast<zcclComm_t>(0x1);
  EXPECT_EQ(zcclCommInitMpi(&comm, MPI_COMM_NULL), zcclInvalidArgument);
  EXPECT_EQ(comm, nullptr);
  EXPECT_NE(std::string(zcclGetLastError(nullptr)).find("MPI_COMM_NULL"), std::string::npos);
}

// ZipCCL's rule (common/reduce_ops.h): a NaN wins, and of equal values (-0 and +0) the lowest
// rank's is kept. Small messages (MPI's own path under auto before) and large ones alike.
TEST(MpiReliability, FloatMaxMinFollowOneRuleOnEveryPath) {
  const int r = worldRank();
  zcclComm_t autoComm = mpiComm(ZCCL_COMPRESSION_AUTO), onComm = mpiComm(ZCCL_COMPRESSION_ON);
  for (size_t count : {size_t{64}, size_t{40000}}) {
    std::vector<float> in(count);
    for (size_t i = 0; i < count; ++i) {
      switch (i % 4) {
        case 0:  // NaN on the last rank only, against numbers elsewhere
          in[i] = r == worldSize() - 1 ? std::nanf("") : 1.0f;
          break;
        case 1:  // NaN on rank 0 only
          in[i] = r == 0 ? std::nanf("") : 2.0f;
          break;
        case 2:  // -0 on rank 0, +0 elsewhere
          in[i] = r == 0 ? -0.0f : 0.0f;
          break;
        default:  // +0 on rank 0, -0 elsewhere
          in[i] = r == 0 ? 0.0f : -0.0f;
      }
    }
    for (zcclRedOp_t op : {zcclMax, zcclMin}) {
      for (zcclComm_t comm : {autoComm, onComm}) {
        std::vector<float> out(count);
        ASSERT_EQ(zcclAllReduce(in.data(), out.data(), count, zcclFloat32, op, comm, nullptr), zcclSuccess);
        size_t wrong = 0;
        for (size_t i = 0; i < count; ++i) {
          const bool wantNan = i % 4 < 2;
          const bool wantNegative = i % 4 == 2;
          wrong += wantNan ? !std::isnan(out[i]) : (out[i] != 0.0f || std::signbit(out[i]) != wantNegative);
        }
        EXPECT_EQ(wrong, 0u) << "count " << count << ", op " << op << (comm == autoComm ? ", auto" : ", on");
      }
    }
  }
  EXPECT_EQ(zcclCommDestroy(autoComm), zcclSuccess);
  EXPECT_EQ(zcclCommDestroy(onComm), zcclSuccess);
}

}  // namespace
}  // namespace zccl::test

// After MPI_Finalize: calls on a communicator made before return zcclInvalidUsage (no abort), and
// a new communicator cannot be made. Returns the number of failed checks.
int checkAfterFinalize() {
  zcclComm_t on = nullptr, plain = nullptr;
  zcclConfig_t c = zccl::test::localConfig(ZCCL_COMPRESSION_ON);
  zcclCommInitMpiConfig(&on, MPI_COMM_WORLD, &c);
  c.compression = ZCCL_COMPRESSION_AUTO;
  zcclCommInitMpiConfig(&plain, MPI_COMM_WORLD, &c);
  MPI_Finalize();
  int failed = 0;
  std::vector<float> x(100000, 1.0f), y(100000);
  failed += zcclAllReduce(x.data(), y.data(), x.size(), zcclFloat32, zcclSum, on, nullptr) != zcclInvalidUsage;
  failed += zcclAllReduce(x.data(), y.data(), 4, zcclInt32, zcclSum, plain, nullptr) != zcclInvalidUsage;
  failed += zcclBroadcast(x.data(), y.data(), 4, zcclFloat32, 0, plain, nullptr) != zcclInvalidUsage;
  zcclComm_t again = nullptr;
  failed += zcclCommInitMpi(&again, MPI_COMM_WORLD) != zcclInvalidUsage;
  failed += zcclCommDestroy(on) != zcclSuccess;
  failed += zcclCommDestroy(plain) != zcclSuccess;
  if (failed != 0)
    std::fprintf(stderr, "after MPI_Finalize: %d checks failed (%s)\n", failed, zcclGetLastError(nullptr));
  return failed;
}

int main(int argc, char** argv) {
  const int worst = zccl::test::runTestsOnEveryRank(argc, argv, "mpi_reliability_test", /*keepMpi=*/true);
  const int after = checkAfterFinalize();  // finalizes MPI
  return worst != 0 || after != 0 ? 1 : 0;
}
