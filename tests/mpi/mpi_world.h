// This process's rank and the rank count of MPI_COMM_WORLD, and the main() of the tests run
// under mpirun.
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

namespace zccl::test {

inline int worldRank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

inline int worldSize() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

// Initialises MPI and GoogleTest, runs every test on every rank (each prints its own failures),
// and returns nonzero if any rank failed. MPI is finalized unless keepMpi (the caller then does it).
inline int runTestsOnEveryRank(int argc, char** argv, const char* name, bool keepMpi = false) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int mine = RUN_ALL_TESTS();
  int worst = 0;
  MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (mine != 0) std::fprintf(stderr, "%s: rank %d FAILED\n", name, worldRank());
  if (!keepMpi) MPI_Finalize();
  return worst != 0 ? 1 : 0;
}

}  // namespace zccl::test
