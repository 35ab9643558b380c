// main() of every perf binary: nccl-tests' procedure on ZipCCL communicators.
//
// For each dtype, op and size (-b to -e, adding -i or multiplying by -f): buffers are filled with
// this rank's payload (-D), then for out-of-place and for in-place each variant is timed over -n
// back-to-back calls after a barrier: compression off (-Z both), the measured communicator (-Z),
// and Open MPI's own collective (-B). The per-iteration time is averaged over ranks as -a says
// (nccl-tests' rule), so every rank prints the same numbers. Warm-up (-w calls) runs once at the
// largest and the smallest size, as in nccl-tests. The size ratio comes from the communicators'
// traffic counters (zcclCommGetStats) summed over ranks during the timed calls.
//
// With -c, each half then runs once more on fresh data through the compression-off communicator
// and through the measured one, and every element of the result is compared bit for bit; the
// number of differing elements, summed over ranks, is #wrong, and any makes the exit status 1.
#pragma once

#include "coll_desc.h"

namespace zccl::perf {

// Runs the binary for `kind`; returns the process exit status. Calls MPI_Init and MPI_Finalize.
int perfMain(int argc, char** argv, CollKind kind);

}  // namespace zccl::perf
