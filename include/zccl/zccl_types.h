/*
 * ZipCCL public types shared by the codec API (zccl_codec.h) and the collectives API (zccl.h).
 *
 * Every enum value below is identical to the one of the same name in nccl.h 2.28, so a program
 * (or a shim) can cast between ncclX_t and zcclX_t. Never range-check result values: newer NCCL
 * versions add codes (2.30 adds ncclTimeout = 8). ZipCCL's own codes live at 100 and above.
 */
#ifndef ZCCL_ZCCL_TYPES_H_
#define ZCCL_ZCCL_TYPES_H_

#include <stddef.h>

#define ZCCL_MAJOR 0
#define ZCCL_MINOR 1
#define ZCCL_PATCH 0
#define ZCCL_VERSION(X, Y, Z) ((X)*10000 + (Y)*100 + (Z))
#define ZCCL_VERSION_CODE ZCCL_VERSION(ZCCL_MAJOR, ZCCL_MINOR, ZCCL_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes: 0-7 are NCCL's, with NCCL's meaning. */
typedef enum {
  zcclSuccess = 0,
  zcclUnhandledCudaError = 1,
  zcclSystemError = 2,
  zcclInternalError = 3,
  zcclInvalidArgument = 4,
  zcclInvalidUsage = 5,
  zcclRemoteError = 6,
  zcclInProgress = 7,
  /* ZipCCL only: a compressed frame failed validation or its checksum (corrupted in transit or
   * in memory). The data it carried was not written to the caller's buffer. */
  zcclCorruptFrame = 100
} zcclResult_t;

/* Element types, numbered as ncclDataType_t. */
typedef enum {
  zcclInt8 = 0,
  zcclChar = 0,
  zcclUint8 = 1,
  zcclInt32 = 2,
  zcclInt = 2,
  zcclUint32 = 3,
  zcclInt64 = 4,
  zcclUint64 = 5,
  zcclFloat16 = 6,
  zcclHalf = 6,
  zcclFloat32 = 7,
  zcclFloat = 7,
  zcclFloat64 = 8,
  zcclDouble = 8,
  zcclBfloat16 = 9,
  zcclFloat8e4m3 = 10,
  zcclFloat8e5m2 = 11,
  zcclNumTypes = 12
} zcclDataType_t;

/* Reduction operators, numbered as ncclRedOp_t. */
typedef enum { zcclSum = 0, zcclProd = 1, zcclMax = 2, zcclMin = 3, zcclAvg = 4, zcclNumOps = 5 } zcclRedOp_t;

/* Opaque communicator handle (defined by zccl.h's functions). */
typedef struct zcclComm* zcclComm_t;
#define ZCCL_COMM_NULL NULL

/* Unset value of an int field in a config struct: the library (or a ZCCL_* variable) decides. */
#define ZCCL_CONFIG_UNDEF_INT (-2147483647 - 1)

/* Human-readable name of a result code. Never returns NULL. Thread-safe. */
const char* zcclGetErrorString(zcclResult_t result);

/* The message of the most recent error raised on the calling thread (by any ZipCCL call, codec or
 * collective), or "" if none. `comm` is accepted for NCCL compatibility and may be NULL. The
 * string stays valid until the next ZipCCL call on the same thread. */
const char* zcclGetLastError(zcclComm_t comm);

/* Library version as ZCCL_VERSION_CODE. `version` is a host pointer. */
zcclResult_t zcclGetVersion(int* version);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_TYPES_H_ */
