// This process's rank and the rank count of MPI_COMM_WORLD, for the tests run under mpirun.
#pragma once

#include <mpi.h>

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

}  // namespace zccl::test
