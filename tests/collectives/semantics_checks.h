// The semantic checks shared by the local-transport tests and the mpirun tests: every
// collective, every NCCL dtype, every reduction op, counts 0, 1, prime and not divisible by the
// rank count, in place and out of place, verified against exact values (local_harness.h). Each
// check reports its own failure and is counted: checkReductions and checkDataMovement return the
// number that failed on this rank, for the caller (often a rank thread) to EXPECT_EQ(..., 0u).
#pragma once

#include <gtest/gtest.h>

#include "collectives/local_harness.h"

namespace zccl::test {

inline const size_t kSemanticCounts[] = {0, 1, 13, 5003};
inline const zcclRedOp_t kSemanticOps[] = {zcclSum, zcclProd, zcclMax, zcclMin, zcclAvg};

inline std::string where(int rank, zcclDataType_t d, zcclRedOp_t op, size_t count, bool inPlace) {
  return "rank " + std::to_string(rank) + " dtype " + std::to_string(d) + " op " + std::to_string(op) + " count " +
         std::to_string(count) + (inPlace ? " in place" : " out of place");
}

// Returns v, adding one to *failed when v is nonzero (an error result, a memcmp that differs).
template <class T>
T counted(size_t* failed, T v) {
  *failed += v != T{};
  return v;
}

// All-reduce, reduce-scatter and reduce on rank r of P; adds the failed checks to *failed.
inline void reductionChecks(zcclComm_t comm, int r, int P, size_t* failed) {
  for (int dt = 0; dt < zcclNumTypes; ++dt) {
    const zcclDataType_t d = static_cast<zcclDataType_t>(dt);
    const size_t eb = dtypeBytes(d);
    for (zcclRedOp_t op : kSemanticOps) {
      for (size_t count : kSemanticCounts) {
        for (bool inPlace : {false, true}) {
          const std::string at = where(r, d, op, count, inPlace);
          // all-reduce
          std::vector<uint8_t> send = verifiableBuffer(d, r, count, op), recv(count * eb, 0xEE);
          uint8_t* out = inPlace ? send.data() : recv.data();
          ASSERT_EQ(counted(failed, zcclAllReduce(send.data(), out, count, d, op, comm, nullptr)), zcclSuccess)
              << at << ": " << zcclGetLastError(nullptr);
          const std::vector<uint8_t> want = expectedReduction(d, op, P, count);
          EXPECT_EQ(0, counted(failed, std::memcmp(out, want.data(), want.size()))) << "all-reduce " << at;
          // reduce-scatter: block r of P blocks of `count`
          std::vector<uint8_t> rsSend(P * count * eb);
          for (int q = 0; q < P; ++q) {
            std::vector<uint8_t> part = verifiableBuffer(d, r, count, op, q * count);
            std::copy(part.begin(), part.end(), rsSend.begin() + q * count * eb);
          }
          std::vector<uint8_t> rsRecv(count * eb, 0xEE);
          uint8_t* rsOut = inPlace ? rsSend.data() + r * count * eb : rsRecv.data();
          ASSERT_EQ(counted(failed, zcclReduceScatter(rsSend.data(), rsOut, count, d, op, comm, nullptr)), zcclSuccess)
              << at;
          const std::vector<uint8_t> rsWant = expectedReduction(d, op, P, count, r * count);
          EXPECT_EQ(0, counted(failed, std::memcmp(rsOut, rsWant.data(), rsWant.size()))) << "reduce-scatter " << at;
          // reduce to root P-1
          const int root = P - 1;
          std::vector<uint8_t> rdSend = verifiableBuffer(d, r, count, op), rdRecv(count * eb, 0xEE);
          uint8_t* rdOut = inPlace && r == root ? rdSend.data() : rdRecv.data();
          ASSERT_EQ(counted(failed, zcclReduce(rdSend.data(), rdOut, count, d, op, root, comm, nullptr)), zcclSuccess)
              << at;
          if (r == root) {
            EXPECT_EQ(0, counted(failed, std::memcmp(rdOut, want.data(), want.size()))) << "reduce " << at;
          } else if (!inPlace) {
            const std::vector<uint8_t> untouched(count * eb, 0xEE);
            *failed += rdRecv != untouched;
            EXPECT_EQ(rdRecv, untouched) << "reduce wrote a non-root buffer " << at;
          }
        }
      }
    }
  }
}

// Returns how many reduction checks failed on rank r of P.
[[nodiscard]] inline size_t checkReductions(zcclComm_t comm, int r, int P) {
  size_t failed = 0;
  reductionChecks(comm, r, P, &failed);
  return failed;
}

// All-gather, broadcast and all-to-all on rank r of P; adds the failed checks to *failed.
inline void dataMovementChecks(zcclComm_t comm, int r, int P, size_t* failed) {
  for (int dt = 0; dt < zcclNumTypes; ++dt) {
    const zcclDataType_t d = static_cast<zcclDataType_t>(dt);
    const size_t eb = dtypeBytes(d);
    for (size_t count : kSemanticCounts) {
      for (bool inPlace : {false, true}) {
        const std::string at = where(r, d, zcclSum, count, inPlace);
        // all-gather
        std::vector<uint8_t> mine = verifiableBuffer(d, r, count, zcclSum);
        std::vector<uint8_t> all(P * count * eb, 0xEE);
        const uint8_t* agSend = mine.data();
        if (inPlace) {
          std::copy(mine.begin(), mine.end(), all.begin() + r * count * eb);
          agSend = all.data() + r * count * eb;
        }
        ASSERT_EQ(counted(failed, zcclAllGather(agSend, all.data(), count, d, comm, nullptr)), zcclSuccess)
            << at << ": " << zcclGetLastError(nullptr);
        for (int q = 0; q < P; ++q) {
          EXPECT_EQ(0, counted(failed, std::memcmp(all.data() + q * count * eb,
                                                   verifiableBuffer(d, q, count, zcclSum).data(), count * eb)))
              << "all-gather block " << q << " " << at;
        }
        // broadcast from root 1 % P
        const int root = 1 % P;
        std::vector<uint8_t> bSend = verifiableBuffer(d, root, count, zcclSum), bRecv(count * eb, 0xEE);
        uint8_t* bOut = inPlace && r == root ? bSend.data() : bRecv.data();
        ASSERT_EQ(
            counted(failed, zcclBroadcast(r == root ? bSend.data() : nullptr, bOut, count, d, root, comm, nullptr)),
            zcclSuccess)
            << at;
        EXPECT_EQ(0, counted(failed, std::memcmp(bOut, verifiableBuffer(d, root, count, zcclSum).data(), count * eb)))
            << "broadcast " << at;
        // all-to-all (never in place): block q of rank r's send is verifiable(r, index q * count..)
        std::vector<uint8_t> aSend(P * count * eb), aRecv(P * count * eb, 0xEE);
        for (int q = 0; q < P; ++q) {
          std::vector<uint8_t> part = verifiableBuffer(d, r, count, zcclSum, q * count);
          std::copy(part.begin(), part.end(), aSend.begin() + q * count * eb);
        }
        ASSERT_EQ(counted(failed, zcclAlltoAll(aSend.data(), aRecv.data(), count, d, comm, nullptr)), zcclSuccess)
            << at;
        for (int q = 0; q < P; ++q) {
          EXPECT_EQ(0,
                    counted(failed, std::memcmp(aRecv.data() + q * count * eb,
                                                verifiableBuffer(d, q, count, zcclSum, r * count).data(), count * eb)))
              << "all-to-all block from " << q << " " << at;
        }
      }
    }
  }
}

// Returns how many data-movement checks failed on rank r of P.
[[nodiscard]] inline size_t checkDataMovement(zcclComm_t comm, int r, int P) {
  size_t failed = 0;
  dataMovementChecks(comm, r, P, &failed);
  return failed;
}

}  // namespace zccl::test
