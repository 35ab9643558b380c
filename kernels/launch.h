// Launchers of the codec kernels: the only header host code includes from kernels/. Plain C++:
// it needs no CUDA header (cudaStream_t is declared the way cuda_runtime.h declares it).
//
// Every launcher enqueues its kernels on `stream` and returns: no allocation, no host
// synchronisation, no host-visible side effect. Temporary device memory comes from the caller's
// `workspace`: call once with workspace == nullptr to get the size in *workspaceBytes (CUB's
// convention), then again with at least that many bytes. Results that only the device knows
// (compressed sizes, validation errors) are written to device memory the caller reads after the
// stream has reached them.
//
// Batches: one launch codes up to kMaxBatchSegments segments (the partition a collective sends),
// each an independent frame of format v1 (docs/format.md), byte-identical to the CPU codecs.
//
// The same declarations serve two builds: the real CUDA kernels (inline namespace `cuda`, built
// by nvcc) and their host emulation (inline namespace `sim`, built by g++ from the same sources;
// pointers are then host pointers and the stream is ignored). ZCCL_KERNELS_NS selects which one
// a translation unit sees.
#pragma once

#include <cstddef>
#include <cstdint>

#include "zccl/zccl_types.h"

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;

#ifndef ZCCL_KERNELS_NS
#define ZCCL_KERNELS_NS cuda
#endif

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {

constexpr int kMaxBatchSegments = 256;
constexpr uint32_t kCodecThreads = 256;  // threads per CUDA block of the codec kernels

// ---------------------------------------------------------------------------------------------
// Encode: segment p of `input` (elements [inOffset, inOffset + count)) becomes a frame at
// output + outOffset, which must have room for zcclCodecMaxCompressedSize(count) bytes.
struct EncodeSegment {
  uint64_t inOffset;   // elements
  uint64_t count;      // elements
  uint64_t outOffset;  // bytes
};

struct EncodeBatch {
  int dtype = 0;  // zcclDataType_t
  int checksum = 0;
  int nsegs = 0;
  EncodeSegment segs[kMaxBatchSegments];
};

// [in]  input:      device pointer to the elements
// [out] output:     device pointer; frames at each segment's outOffset
// [out] frameBytes: device array of nsegs u64, each frame's size
// [in]  workspace:  device memory of *workspaceBytes, or nullptr to query the size
zcclResult_t launchEncode(const EncodeBatch& batch, const void* input, void* output, uint64_t* frameBytes,
                          void* workspace, size_t* workspaceBytes, cudaStream_t stream);

// ---------------------------------------------------------------------------------------------
// Decode: the frame at input + inOffset (at most inCapacity bytes) must hold `count` elements of
// the batch's dtype; they go to output elements [outOffset, outOffset + count).
struct DecodeSegment {
  uint64_t inOffset;    // bytes
  uint64_t inCapacity;  // bytes available to the frame
  uint64_t count;       // elements expected
  uint64_t outOffset;   // elements
};

struct DecodeBatch {
  int dtype = 0;
  int nsegs = 0;
  DecodeSegment segs[kMaxBatchSegments];
};

// Device status of a decode: status[0] is 0, or the zcclResult_t of the first error found
// (zcclCorruptFrame, zcclInvalidArgument for a frame that holds another dtype or count);
// status[1] the segment, status[2] the block where it was found. Blocks that fail validation are
// not written; the caller must not use a batch's output when status[0] != 0.
constexpr int kStatusWords = 3;

// [in]  input:  device pointer to the frames
// [out] output: device pointer to the elements
// [out] status: device array of kStatusWords int32, zeroed by the caller before the launch
zcclResult_t launchDecode(const DecodeBatch& batch, const void* input, void* output, int32_t* status, void* workspace,
                          size_t* workspaceBytes, cudaStream_t stream);

// ---------------------------------------------------------------------------------------------
// Fused decode + reduce: out[i] = op over sources s = 0..nsources-1, in that order, of element
// i of source s, accumulated in fp32 (also for bf16 and fp16) and rounded once to the dtype.
// A source is a frame (at frames + offset, holding `count` elements) or raw elements (at
// raw + offset elements). Ops: sum, prod, max, min (NaN-propagating, ties keep the earlier
// source), avg (sum / nsources). Float dtypes only: bf16, fp16, fp32.
struct ReduceSource {
  uint64_t offset;    // bytes into `frames`, or elements into `raw`
  uint64_t capacity;  // bytes available to the frame (ignored for raw sources)
  int isFrame;
};

struct ReduceBatch {
  int dtype = 0;
  int op = 0;  // zcclRedOp_t
  uint64_t count = 0;
  int avgDivisor = 0;  // what avg divides by; 0: nsources (a ring hop combines 2 of P)
  int nsources = 0;
  ReduceSource sources[kMaxBatchSegments];
};

// [in]  frames, raw: device pointers (either may be nullptr if no source uses it)
// [out] output: device pointer to `count` elements; may alias a raw source only if identical
// [out] status: as for launchDecode (status[1] is the source)
zcclResult_t launchDecodeReduce(const ReduceBatch& batch, const void* frames, const void* raw, void* output,
                                int32_t* status, void* workspace, size_t* workspaceBytes, cudaStream_t stream);

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
