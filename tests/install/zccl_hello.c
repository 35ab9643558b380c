/* A program outside the ZipCCL tree, built against an installed ZipCCL (CMake or pkg-config) and
 * run under mpirun: a compressed bf16 all-reduce whose exact result is known (small integers),
 * and the version of the library it loaded. Exit status 0 only if every element is right. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zccl/zccl_mpi.h>

static uint16_t bf16FromInt(int v) { /* small integers are exact in bf16: the top half of fp32 */
  union {
    float f;
    uint32_t u;
  } x;
  x.f = (float)v;
  return (uint16_t)(x.u >> 16);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0, version = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;
  config.compression = ZCCL_COMPRESSION_ON;
  zcclComm_t comm;
  if (zcclCommInitMpiConfig(&comm, MPI_COMM_WORLD, &config) != zcclSuccess) {
    fprintf(stderr, "zcclCommInitMpi: %s\n", zcclGetLastError(NULL));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  const size_t count = 1 << 20;
  uint16_t* buf = malloc(count * sizeof *buf);
  for (size_t i = 0; i < count; ++i) buf[i] = bf16FromInt((int)((i + rank) % 7) - 3);
  zcclResult_t r = zcclAllReduce(buf, buf, count, zcclBfloat16, zcclSum, comm, NULL);
  size_t wrong = 0;
  for (size_t i = 0; r == zcclSuccess && i < count; ++i) {
    int want = 0;
    for (int p = 0; p < size; ++p) want += (int)((i + p) % 7) - 3;
    wrong += buf[i] != bf16FromInt(want);
  }
  zcclCommStats_t stats;
  zcclCommGetStats(comm, &stats);
  zcclGetVersion(&version);
  if (rank == 0) {
    printf("zccl %d: all-reduce of %zu bf16 on %d ranks: %s, %zu wrong, wire/raw %.3f\n", version, count, size,
           zcclGetErrorString(r), wrong, stats.rawBytes ? (double)stats.wireBytes / stats.rawBytes : 0.0);
  }
  zcclCommDestroy(comm);
  free(buf);
  MPI_Finalize();
  return r == zcclSuccess && wrong == 0 && stats.compressedCalls > 0 ? 0 : 1;
}
