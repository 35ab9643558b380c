/*
 * ZipCCL: lossless-compressed collective communication with NCCL's interface.
 *
 * Every function and argument order is nccl.h 2.28's; enum values are identical (zccl_types.h),
 * so a program moves from NCCL to ZipCCL by renaming nccl* to zccl*. A compressed collective
 * returns exactly the bytes the same algorithm returns with compression off, for every dtype and
 * bit pattern.
 *
 * Communicators come in two kinds; a pointer argument lives in the communicator's memory space:
 *   - zcclCommInitRank / zcclCommInitRankConfig: GPU buffers (device pointers), NCCL underneath,
 *     the CUDA kernels compress. `stream` is a cudaStream_t; calls enqueue work on it and return
 *     before it completes, as NCCL's do.
 *   - zcclCommInitMpi / zcclCommInitMpiConfig (zccl_mpi.h): host buffers (host pointers), Open MPI
 *     underneath, the CPU codec compresses. `stream` is ignored (pass NULL); calls return when the
 *     operation is complete on the calling rank.
 *
 * Counts are element counts; count 0 is a valid no-op (every rank must still call). In-place
 * rules are NCCL's: all-reduce, broadcast, reduce: sendbuff == recvbuff; all-gather: sendbuff ==
 * recvbuff + rank * sendcount; reduce-scatter: recvbuff == sendbuff + rank * recvcount;
 * all-to-all: not in place. Other overlaps are undefined.
 *
 * Compression applies to bf16, fp16 and fp32; other types, and messages the configuration does
 * not compress, go through the transport's own collective (MPI's or NCCL's) untouched.
 *
 * Threads: a communicator must be used by one thread at a time (as in NCCL); different
 * communicators may be used concurrently. Errors are recorded per thread (zcclGetLastError).
 * Group calls (zcclGroupStart / zcclGroupEnd) are per thread.
 */
#ifndef ZCCL_ZCCL_H_
#define ZCCL_ZCCL_H_

#include <stddef.h>
#include <stdint.h>

#include "zccl/zccl_codec.h"
#include "zccl/zccl_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cudaStream_t, declared as cuda_runtime.h does (host-buffer users need no CUDA header). */
struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;

#define ZCCL_UNIQUE_ID_BYTES 128
typedef struct {
  char internal[ZCCL_UNIQUE_ID_BYTES];
} zcclUniqueId;

/* Compression policy of a communicator (zcclConfig_t.compression, ZCCL_COMPRESSION). */
#define ZCCL_COMPRESSION_OFF 0  /* ZipCCL's algorithms, frames not compressed */
#define ZCCL_COMPRESSION_ON 1   /* compress every bf16/fp16/fp32 message */
#define ZCCL_COMPRESSION_AUTO 2 /* the selector: compress where its cost model says it pays */

/* Algorithm (zcclConfig_t.algorithm, ZCCL_ALGO; docs/algorithms.md). DIRECT and RING choose the
 * algorithm of reduce-scatter, all-reduce and reduce; PLAIN sends every collective through the
 * transport's own (MPI's, NCCL's) where it has one; AUTO (the default) lets the selector choose
 * per call. ZCCL_ALGO also takes per-collective entries ("allreduce:ring;allgather:plain"). */
#define ZCCL_ALGO_DIRECT 0 /* all-to-all of segments, one fp32 reduction per element, round once */
#define ZCCL_ALGO_RING 1   /* ring: reduce (and round) at every hop, as NCCL's ring does */
#define ZCCL_ALGO_PLAIN 2  /* the transport's own collectives */
#define ZCCL_ALGO_AUTO 3   /* the selector's choice per call */
#define ZCCL_ALGO_HIER 4   /* all-reduce: inside nodes raw, between nodes compressed (uniform nodes) */
#define ZCCL_ALGO_DOUBLING 5 /* all-reduce: recursive doubling (power-of-two rank counts) */

/* Precision of sum/avg all-reduce and reduce-scatter (zcclConfig_t.reducePrecision,
 * ZCCL_REDUCE_PRECISION). 8BIT is lossy and opt-in only: see zcclAllReduceQuantized. */
#define ZCCL_REDUCE_PRECISION_LOSSLESS 0 /* default: every call exact (lossless compression) */
#define ZCCL_REDUCE_PRECISION_8BIT 1     /* bf16/fp16/fp32 sum/avg all-reduce and reduce-scatter in 8 bits */

/* Versioned communicator options. Initialise with ZCCL_CONFIG_INITIALIZER; fields left at
 * ZCCL_CONFIG_UNDEF_INT take the ZCCL_* variable or the default (docs/env.md). */
typedef struct zcclConfig_v1 {
  size_t size;          /* set by the initializer */
  unsigned int magic;   /* set by the initializer */
  unsigned int version; /* set by the initializer */
  int compression;      /* ZCCL_COMPRESSION_*, for every collective; default ZCCL_COMPRESSION_AUTO */
  int codecMode;        /* zcclCodecMode_t of compressed frames; default window */
  int chunkBytes;       /* pipeline chunk, bytes of uncompressed data per frame; default: the
                           selector's (1 MiB under ZCCL_COMPRESSION_OFF / _ON) */
  int minCompressBytes; /* smallest message AUTO may compress; default 64 KiB */
  int algorithm;        /* ZCCL_ALGO_*; default ZCCL_ALGO_AUTO */
  int checksum;         /* 1: frames carry checksums, verified by receivers; default ZCCL_VERIFY */
  int reducePrecision;  /* ZCCL_REDUCE_PRECISION_*; default ZCCL_REDUCE_PRECISION (lossless) */
} zcclConfig_t;

#define ZCCL_CONFIG_MAGIC 0x7a63636cu
#define ZCCL_CONFIG_INITIALIZER                                                                               \
  {                                                                                                           \
    sizeof(zcclConfig_t), ZCCL_CONFIG_MAGIC, ZCCL_VERSION_CODE, ZCCL_CONFIG_UNDEF_INT, ZCCL_CONFIG_UNDEF_INT, \
        ZCCL_CONFIG_UNDEF_INT, ZCCL_CONFIG_UNDEF_INT, ZCCL_CONFIG_UNDEF_INT, ZCCL_CONFIG_UNDEF_INT,           \
        ZCCL_CONFIG_UNDEF_INT                                                                                 \
  }

/* ---- communicators ---------------------------------------------------------------------- */

/* Unique id for zcclCommInitRank (ncclGetUniqueId underneath); [out] uniqueId: host pointer.
 * zcclSystemError without NCCL support. */
zcclResult_t zcclGetUniqueId(zcclUniqueId* uniqueId);

/* GPU communicator of `nranks` ranks over NCCL, on the current CUDA device. Collective over the
 * ranks; [out] comm: host pointer. Fails with zcclUnhandledCudaError where no GPU is usable, or
 * zcclSystemError without CUDA/NCCL support in this build. */
zcclResult_t zcclCommInitRank(zcclComm_t* comm, int nranks, zcclUniqueId commId, int rank);
zcclResult_t zcclCommInitRankConfig(zcclComm_t* comm, int nranks, zcclUniqueId commId, int rank, zcclConfig_t* config);

/* Frees the communicator once its operations are complete. The handle is invalid afterwards:
 * any later call with it returns zcclInvalidUsage (handles are never reused, even by
 * communicators created later). */
zcclResult_t zcclCommDestroy(zcclComm_t comm);
/* Frees the communicator without waiting for pending operations (NCCL's semantics). Thread-safe
 * against calls on the same communicator: it may be called from another thread while a call is
 * blocked on it (a dead peer, a hung rank); that call returns zcclInvalidUsage within a few
 * milliseconds, and the communicator is freed once it has (zcclCommAbort returns then). The
 * handle is invalid from the moment zcclCommAbort is entered. Over MPI, aborting from another
 * thread needs MPI initialised with at least MPI_THREAD_SERIALIZED. */
zcclResult_t zcclCommAbort(zcclComm_t comm);

/* [out] asyncError: host pointer; zcclSuccess, or the first failure of the communicator's links
 * that calls could only report by failing: zcclRemoteError (a peer died or stopped answering:
 * ZCCL_TIMEOUT expired, or MPI reported the link broken), zcclInvalidUsage (aborted). Host
 * communicators complete every call before returning, so the call that failed already returned
 * the same error; a communicator with an async error should be aborted (zcclCommAbort).
 * Thread-safe: may be called while another thread is in a call on the communicator. */
zcclResult_t zcclCommGetAsyncError(zcclComm_t comm, zcclResult_t* asyncError);

/* [out] count / rank: host pointers. */
zcclResult_t zcclCommCount(const zcclComm_t comm, int* count);
zcclResult_t zcclCommUserRank(const zcclComm_t comm, int* rank);

/* What a communicator has sent and what its codec cost, cumulative since it was created: read it
 * before and after a run and subtract. Counts cover the messages of ZipCCL's own algorithms; a
 * call handed to the transport's own collective (where the selector or ZCCL_ALGO chose it) only
 * increments plainCalls. */
typedef struct {
  uint64_t calls;           /* collective and point-to-point operations run */
  uint64_t compressedCalls; /* of which sent compressed frames */
  uint64_t plainCalls;      /* of which the transport's own collective carried */
  uint64_t rawBytes;        /* uncompressed size of the messages sent by ZipCCL's algorithms */
  uint64_t wireBytes;       /* bytes of those messages as sent (frames, or the raw chunks) */
  uint64_t controlBytes;    /* frame sizes sent ahead of frames (transports that need them) */
  double codecSeconds;      /* host time spent coding and decoding frames; host-memory
                               communicators only (0 on GPU, where it runs on the stream) */
  char lastPlan[32];        /* the plan of the last collective: "plain" (the transport's own), or
                               ALGORITHM/on|off/CHUNK, e.g. "direct/on/1M" (docs/algorithms.md) */
  uint64_t scratchBytes;     /* scratch memory the communicator holds now, in its memory space
                                (host, or device for GPU communicators); kept between calls */
  uint64_t scratchPeakBytes; /* the most it has held at once; at most ZCCL_SCRATCH_BYTES for
                                ZipCCL's algorithms, plus the 8-bit path's (docs/env.md) */
} zcclCommStats_t;

/* [out] stats: host pointer. */
zcclResult_t zcclCommGetStats(const zcclComm_t comm, zcclCommStats_t* stats);

/* Frees the scratch memory the communicator keeps between calls (the next call allocates what
 * it needs again). Not thread-safe against calls on the same communicator; on a GPU
 * communicator it waits for the communicator's work on the last call's stream first. */
zcclResult_t zcclCommReleaseScratch(zcclComm_t comm);

/* ---- collectives (buffers in the communicator's memory space; see the top of this file) ----- */

/* recvbuff[i] = op over ranks of sendbuff[i], count elements. */
zcclResult_t zcclAllReduce(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclRedOp_t op,
                           zcclComm_t comm, cudaStream_t stream);

/* recvbuff = root's sendbuff, count elements; sendbuff is read on the root only. */
zcclResult_t zcclBroadcast(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, int root,
                           zcclComm_t comm, cudaStream_t stream);

/* Root's recvbuff[i] = op over ranks of sendbuff[i]; recvbuff is written on the root only. */
zcclResult_t zcclReduce(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclRedOp_t op,
                        int root, zcclComm_t comm, cudaStream_t stream);

/* recvbuff holds nranks blocks of sendcount elements; block r is rank r's sendbuff. */
zcclResult_t zcclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, zcclDataType_t datatype,
                           zcclComm_t comm, cudaStream_t stream);

/* sendbuff holds nranks blocks of recvcount elements; recvbuff of rank r = op over ranks of
 * block r. */
zcclResult_t zcclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, zcclDataType_t datatype,
                               zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream);

/* sendbuff and recvbuff hold nranks blocks of count elements; block p of rank r's sendbuff goes
 * to block r of rank p's recvbuff. Not in place. */
zcclResult_t zcclAlltoAll(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype, zcclComm_t comm,
                          cudaStream_t stream);

/* ---- 8-bit reductions (lossy, opt-in) ----------------------------------------------------
 * zcclAllReduce / zcclReduceScatter with 8-bit precision for this call, whatever the
 * communicator's reducePrecision: each rank's contribution is quantized to 8-bit block-scaled
 * codes (blocks of 128 elements, one fp32 scale each; docs/format.md section 10), the P
 * contributions are summed in fp32 in rank order, and (all-reduce) the sum is quantized once more
 * and all-gathered. Every element is quantized twice (all-reduce) or once (reduce-scatter)
 * whatever the number of ranks, so the error does not grow with it; docs/algorithms.md gives the
 * bound. The all-reduce result is identical on all ranks, bit for bit. NaN and infinities
 * survive; zeros stay zero (-0 may become +0). Codes are rounded to nearest, or stochastically
 * (seeded, reproducible) with ZCCL_REDUCE_ROUNDING=stochastic (docs/env.md).
 * Arguments, memory space, stream and in-place rules are those of zcclAllReduce /
 * zcclReduceScatter (host and GPU communicators; on a GPU the 8-bit kernels run on `stream`, and
 * the call returns after a stream synchronisation per round, to report a bad frame). Supported:
 * datatype bf16, fp16, fp32; op zcclSum or zcclAvg. Anything else returns zcclInvalidArgument
 * before any communication; every rank must make the same call. */
zcclResult_t zcclAllReduceQuantized(const void* sendbuff, void* recvbuff, size_t count, zcclDataType_t datatype,
                                    zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream);
zcclResult_t zcclReduceScatterQuantized(const void* sendbuff, void* recvbuff, size_t recvcount, zcclDataType_t datatype,
                                        zcclRedOp_t op, zcclComm_t comm, cudaStream_t stream);

/* Point-to-point: each zcclSend must be matched by a zcclRecv of the same count and dtype on the
 * peer; pairs between two ranks match in issue order. Issue both sides of an exchange inside one
 * zcclGroupStart / zcclGroupEnd to avoid deadlock. */
zcclResult_t zcclSend(const void* sendbuff, size_t count, zcclDataType_t datatype, int peer, zcclComm_t comm,
                      cudaStream_t stream);
zcclResult_t zcclRecv(void* recvbuff, size_t count, zcclDataType_t datatype, int peer, zcclComm_t comm,
                      cudaStream_t stream);

/* Group calls: operations issued between zcclGroupStart and the matching zcclGroupEnd (groups
 * nest; the outermost end counts) are checked when issued and executed at zcclGroupEnd:
 * point-to-point operations all progress together, then collectives run in issue order. Errors
 * of deferred operations are returned by zcclGroupEnd. */
zcclResult_t zcclGroupStart(void);
zcclResult_t zcclGroupEnd(void);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_H_ */
