/*
 * ZipCCL codec C API: lossless compression of host buffers of floating-point tensors.
 *
 * The codec turns one contiguous segment of `count` elements into one frame (format v1,
 * docs/format.md). bf16, fp16 and fp32 are coded (window mode: the exponent field is coded in a
 * few bits per element, sign and mantissa are stored raw); every other type is stored raw in the
 * same framing. Decoding is bit-exact for every bit pattern (NaN payloads, -0, infinities,
 * denormals).
 *
 * A buffer can be compressed as P segments in one call: each segment becomes an independently
 * decodable frame, the unit a collective sends to one peer.
 *
 * Memory: every pointer in this header is a host pointer. No alignment is required.
 * Threads: all functions are thread-safe and keep no state between calls, except that an error
 * message is recorded for zcclGetLastError() on the calling thread.
 * Streams: none; all calls are synchronous.
 * Errors: zcclInvalidArgument for bad arguments (null pointers with a nonzero count, unknown
 * dtype, output too small, count/dtype not matching the frame), zcclCorruptFrame for a frame that
 * fails validation or its checksum. Functions never abort, never read or write outside the ranges
 * given to them.
 */
#ifndef ZCCL_ZCCL_CODEC_H_
#define ZCCL_ZCCL_CODEC_H_

#include <stddef.h>
#include <stdint.h>

#include "zccl/zccl_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZCCL_CODEC_FORMAT_VERSION 1
/* Elements per block inside a frame (blocks decode independently, in parallel on a GPU). */
#define ZCCL_CODEC_BLOCK_ELEMS 4096
#define ZCCL_CODEC_FRAME_HEADER_BYTES 32

/* Worst-case frame size in bytes of `count` elements of `elemBytes` bytes each: a raw copy,
 * padded to 4 bytes, plus the header and a 4-byte checksum per block. Usable in constant
 * expressions; zcclCodecMaxCompressedSize() is the checked form. */
#define ZCCL_CODEC_COMPRESS_BOUND(count, elemBytes)                                \
  ((size_t)ZCCL_CODEC_FRAME_HEADER_BYTES +                                         \
   4 * (((size_t)(count) + ZCCL_CODEC_BLOCK_ELEMS - 1) / ZCCL_CODEC_BLOCK_ELEMS) + \
   (((size_t)(count) * (size_t)(elemBytes) + 3) & ~(size_t)3))

typedef enum {
  zcclCodecModeStored = 0, /* raw copy inside a frame (always used for non-float types) */
  zcclCodecModeWindow = 1  /* per-block exponent window code (default for bf16/fp16/fp32) */
} zcclCodecMode_t;

typedef enum {
  zcclCodecImplAuto = 0,      /* fast SIMD codec (ZCCL_CODEC_IMPL may override) */
  zcclCodecImplReference = 1, /* readable scalar reference that follows docs/format.md */
  zcclCodecImplFast = 2       /* SIMD (Highway, runtime-dispatched), byte-identical frames */
} zcclCodecImpl_t;

/* Versioned options. Initialise with ZCCL_CODEC_CONFIG_INITIALIZER, then set fields; fields left
 * at ZCCL_CONFIG_UNDEF_INT take their ZCCL_* variable or built-in default. */
typedef struct zcclCodecConfig_v1 {
  size_t size;          /* sizeof(zcclCodecConfig_t), set by the initializer */
  unsigned int magic;   /* set by the initializer */
  unsigned int version; /* set by the initializer */
  int mode;             /* zcclCodecMode_t; default zcclCodecModeWindow */
  int checksum;         /* 1: write per-block checksums of the decoded data; default ZCCL_VERIFY */
  int impl;             /* zcclCodecImpl_t; default ZCCL_CODEC_IMPL (auto) */
} zcclCodecConfig_t;

#define ZCCL_CODEC_CONFIG_MAGIC 0x7a63636fu
#define ZCCL_CODEC_CONFIG_INITIALIZER                                                             \
  {                                                                                               \
    sizeof(zcclCodecConfig_t), ZCCL_CODEC_CONFIG_MAGIC, ZCCL_VERSION_CODE, ZCCL_CONFIG_UNDEF_INT, \
        ZCCL_CONFIG_UNDEF_INT, ZCCL_CONFIG_UNDEF_INT                                              \
  }

/* What a frame header says (filled by zcclCodecGetFrameInfo). */
typedef struct {
  size_t count;         /* elements in the segment */
  size_t frameBytes;    /* total frame size, header included */
  zcclDataType_t dtype; /* element type */
  zcclCodecMode_t mode; /* stored or window */
  int hasChecksum;      /* 1 if the frame carries per-block checksums */
} zcclCodecFrameInfo_t;

/* [out] *bound: the largest frame zcclCodecCompress can produce for `count` elements of `dtype`.
 * Fails with zcclInvalidArgument on an unknown dtype or a size that overflows size_t. */
zcclResult_t zcclCodecMaxCompressedSize(size_t count, zcclDataType_t dtype, size_t* bound);

/* Compresses one segment into one frame.
 * [in]  in:          host pointer to `count` elements; may be NULL only if count == 0
 * [out] out:         host pointer to `outCapacity` writable bytes; must not overlap `in`
 * [out] outBytes:    frame size written (a multiple of 4)
 * [in]  config:      options, or NULL for the defaults
 * An output smaller than the frame fails with zcclInvalidArgument (the frame is never truncated);
 * a capacity of zcclCodecMaxCompressedSize() always suffices. */
zcclResult_t zcclCodecCompress(const void* in, size_t count, zcclDataType_t dtype, void* out, size_t outCapacity,
                               size_t* outBytes, const zcclCodecConfig_t* config);

/* Decompresses one frame.
 * [in]  in:       host pointer to the frame; `inBytes` may exceed the frame (the rest is ignored)
 * [out] out:      host pointer to `count` elements; must not overlap `in`
 * [in]  count, dtype: what the caller expects; a frame saying otherwise fails (zcclInvalidArgument)
 * [out] frameBytes: bytes of `in` the frame used; may be NULL
 * Checksums carried by the frame are always verified. On error, no block that failed validation
 * is written: `out` holds only correctly decoded blocks (a prefix) and untouched bytes. */
zcclResult_t zcclCodecDecompress(const void* in, size_t inBytes, void* out, size_t count, zcclDataType_t dtype,
                                 size_t* frameBytes, const zcclCodecConfig_t* config);

/* Compresses `nsegs` consecutive segments of `in` (segment p has segCounts[p] elements) into
 * `nsegs` frames written back to back into `out`; frame p starts at the sum of frameBytes[0..p-1].
 * [out] frameBytes: host array of nsegs entries.
 * A capacity equal to the sum of the per-segment bounds always suffices. */
zcclResult_t zcclCodecCompressSegments(const void* in, zcclDataType_t dtype, int nsegs, const size_t* segCounts,
                                       void* out, size_t outCapacity, size_t* frameBytes,
                                       const zcclCodecConfig_t* config);

/* Decompresses `nsegs` frames stored back to back in `in` into consecutive segments of `out`
 * (segment p has segCounts[p] elements). Same validation and error rules as zcclCodecDecompress. */
zcclResult_t zcclCodecDecompressSegments(const void* in, size_t inBytes, zcclDataType_t dtype, int nsegs,
                                         const size_t* segCounts, void* out, const zcclCodecConfig_t* config);

/* Reads and validates a frame header (not the payload). `in`: host pointer to inBytes bytes. */
zcclResult_t zcclCodecGetFrameInfo(const void* in, size_t inBytes, zcclCodecFrameInfo_t* info);

/* Name of the SIMD target the fast codec dispatches to on this CPU (e.g. "AVX3_DL", "AVX2"). */
const char* zcclCodecFastTarget(void);

#ifdef __cplusplus
}
#endif

#endif /* ZCCL_ZCCL_CODEC_H_ */
