/*
 * ZipCCL communicators on an NCCL communicator the caller already has: GPU buffers, that NCCL
 * communicator underneath, the CUDA kernels compress. This is how the NCCL drop-in
 * (plugins/nccl, docs/shim.md) gives a framework's own communicators ZipCCL's collectives.
 * Separate from zccl.h so that programs that never see NCCL need no NCCL types.
 */
#ifndef ZCCL_ZCCL_NCCL_H_
#define ZCCL_ZCCL_NCCL_H_

#include "zccl/zccl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ncclComm_t, declared as nccl.h does. */
struct ncclComm;

/* Creates a GPU communicator over the ranks of `nccl` (rank and size are NCCL's), on the
 * current CUDA device, which must be the communicator's. Collective: every rank of nccl calls
 * it at the same point of its sequence of operations on nccl, from the thread that issues
 * them, outside ncclGroupStart / ncclGroupEnd. It runs ZipCCL's start-up exchanges (topology,
 * agreed figures, the link probe where ZCCL_PROBE asks for one) as NCCL operations on nccl on
 * the legacy default stream and waits for them. nccl must be ready (a nonblocking one no longer
 * ncclInProgress). A nonblocking nccl works: where NCCL answers one of ZipCCL's operations with
 * ncclInProgress, ZipCCL polls ncclCommGetAsyncError until NCCL is done, since it waits for its
 * operations (stream synchronisation) in any case; ZipCCL's own calls never return
 * ncclInProgress.
 *
 * nccl stays the caller's, and ZipCCL's operations share it: they are issued in call order
 * with the caller's own, so every rank must issue the same sequence of calls on both. The result's
 * collectives take device pointers and a cudaStream_t, as zcclCommInitRank's do. zcclCommDestroy
 * leaves nccl alive (destroy it afterwards); zcclCommAbort aborts it too (ncclCommAbort, which
 * frees it), so that operations blocked on a dead peer return.
 * [out] comm: host pointer. [in] config: NULL for the defaults. zcclSystemError in builds without
 * NCCL support. */
zcclResult_t zcclCommInitFromNccl(zcclComm_t* comm, struct ncclComm* nccl, zcclConfig_t* config);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_NCCL_H_ */
