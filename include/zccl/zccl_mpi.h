/*
 * ZipCCL communicators over MPI: host buffers, Open MPI underneath, the CPU codec compresses.
 * Separate from zccl.h so that GPU-only programs need no MPI headers.
 */
#ifndef ZCCL_ZCCL_MPI_H_
#define ZCCL_ZCCL_MPI_H_

#include <mpi.h>

#include "zccl/zccl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates a host-memory communicator over the ranks of `mpiComm` (collective over it; MPI must be
 * initialised, MPI_THREAD_SINGLE suffices: ZipCCL calls MPI only from the calling thread). ZipCCL
 * duplicates mpiComm, so its traffic never matches the application's messages. Buffers passed to
 * collectives on the result are host pointers; calls are synchronous; `stream` is ignored.
 * [out] comm: host pointer. [in] config: NULL for the defaults. */
zcclResult_t zcclCommInitMpi(zcclComm_t* comm, MPI_Comm mpiComm);
zcclResult_t zcclCommInitMpiConfig(zcclComm_t* comm, MPI_Comm mpiComm, zcclConfig_t* config);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_MPI_H_ */
