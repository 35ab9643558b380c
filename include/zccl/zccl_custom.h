/*
 * ZipCCL communicators over a transport the application provides: host buffers, the CPU codec
 * compresses, and every byte moves through four callbacks the application implements over a
 * messaging layer it already has (the PyTorch plugin, plugins/torch, implements them over torch's
 * gloo send/recv). ZipCCL's own algorithms run every collective on top of them; there is no
 * "plain" path (with ZCCL_COMPRESSION_AUTO, small and non-float messages still use ZipCCL's
 * algorithms, just with frames not compressed).
 *
 * What the callbacks must provide (as an MPI or NCCL point-to-point layer does):
 *   - isend / irecv post a nonblocking transfer of `bytes` bytes to / from rank `peer` (never the
 *     caller's own rank) and return a non-NULL opaque handle in *request; they must not wait for
 *     the peer. Buffers are host memory and stay valid and (sends) unchanged until the request
 *     has been waited on.
 *   - A receive names the exact size of the message it matches. Messages from one sender with
 *     one tag are matched to that receiver's receives with the same tag in posting order. Tags
 *     are small non-negative integers (below 16); they must keep different tags' traffic apart.
 *   - wait completes one request and releases it; every request is waited on exactly once
 *     (also after an error).
 *   - errorMessage (may be NULL) returns a description of the callback's latest failure, which
 *     ZipCCL adds to its own message (zcclGetLastError).
 *   - destroy (may be NULL) is called once by zcclCommDestroy / zcclCommAbort, last (not when
 *     zcclCommInitCustom fails: the caller then still owns context).
 * Callbacks return zcclSuccess or an error code (zcclSystemError or zcclRemoteError are usual);
 * ZipCCL calls them only from the thread using the communicator, inside its own calls.
 */
#ifndef ZCCL_ZCCL_CUSTOM_H_
#define ZCCL_ZCCL_CUSTOM_H_

#include "zccl/zccl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZCCL_CUSTOM_TRANSPORT_VERSION 1

typedef struct {
  unsigned int version; /* ZCCL_CUSTOM_TRANSPORT_VERSION */
  int rank;             /* this rank, 0 <= rank < nranks */
  int nranks;           /* ranks of the communicator, >= 1 */
  void* context;        /* passed to every callback */
  zcclResult_t (*isend)(void* context, int peer, int tag, const void* data, size_t bytes, void** request);
  zcclResult_t (*irecv)(void* context, int peer, int tag, void* data, size_t bytes, void** request);
  zcclResult_t (*wait)(void* context, void* request);
  const char* (*errorMessage)(void* context);
  void (*destroy)(void* context);
} zcclCustomTransport_t;

/* Creates a host-memory communicator over the application's transport (collective over its ranks:
 * every rank calls it with its own rank). *transport is copied; context must live until destroy.
 * Buffers passed to collectives on the result are host pointers; calls are synchronous; `stream`
 * is ignored. [out] comm: host pointer. [in] config: NULL for the defaults. */
zcclResult_t zcclCommInitCustom(zcclComm_t* comm, const zcclCustomTransport_t* transport, zcclConfig_t* config);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_CUSTOM_H_ */
