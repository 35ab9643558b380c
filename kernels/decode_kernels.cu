// Batched decode of format v1 on the GPU: one CUDA block per format block of every frame, plus
// one per frame that validates its header alone (so frames of zero elements are checked too).
// A block CUDA block validates the frame header and its block-table entry and block header
// (locateBlock), decodes into shared memory with every count, escape and checksum checked
// (decodeBlockToStage), and only then copies the elements out. Errors go to the caller's device
// status words; a failing block writes nothing.
#include "kernels/codec_device.h"
#include "kernels/device_scan.h"

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {
namespace {

using namespace zccl::codec;
using namespace zccl::kernels::device;

struct DecodeParams {
  DecodeBatch batch;
  uint32_t firstBlock[kMaxBatchSegments + 1];
  uint32_t totalBlocks;
};

ZCCL_KERNEL void decodeBlocks(DecodeParams p, const uint8_t* input, uint8_t* output, int32_t* status) {
  ZCCL_SHARED_ARRAY(uint32_t, sStage, 2 * kBlockElems);  // a block of 8-byte elements (stored)
  ZCCL_SHARED_ARRAY(uint32_t, sScratch, 2 * kGroups + 8);
  ZCCL_SHARED_ARRAY(BlockSource, sSource, 1);
  ZCCL_SHARED_ARRAY(int32_t, sError, 1);
  const uint32_t tid = simt::threadId(), cb = simt::blockId();
  const CodecTraits t = codecTraits(p.batch.dtype);
  if (cb >= p.totalBlocks) {  // header check of one whole frame
    const uint32_t seg = cb - p.totalBlocks;
    const DecodeSegment& s = p.batch.segs[seg];
    if (tid == 0) {
      FrameHeader h;
      if (validateFrameHeader(input + s.inOffset, s.inCapacity, &h) != nullptr) {
        reportError(status, zcclCorruptFrame, seg, 0);
      } else if (h.dtype != p.batch.dtype || h.count != s.count) {
        reportError(status, zcclInvalidArgument, seg, 0);
      }
    }
    return;
  }
  const uint32_t seg = findSegment(p.firstBlock, static_cast<uint32_t>(p.batch.nsegs), cb);
  const DecodeSegment& s = p.batch.segs[seg];
  const uint32_t b = cb - p.firstBlock[seg];
  if (tid == 0) sError[0] = locateBlock(input + s.inOffset, s.inCapacity, p.batch.dtype, s.count, b, &sSource[0]);
  simt::syncThreads();
  int32_t err = sError[0];
  uint8_t* stage = reinterpret_cast<uint8_t*>(sStage);
  if (err == 0) err = decodeBlockToStage(t, sSource[0], stage, 8 * kBlockElems, sScratch);
  if (err != 0) {
    if (tid == 0) reportError(status, err, seg, b);
    return;
  }
  const uint32_t bytes = sSource[0].n * t.elemBytes;
  uint8_t* out = output + (s.outOffset + static_cast<uint64_t>(b) * kBlockElems) * t.elemBytes;
  for (uint32_t i = tid; i < bytes; i += kCodecThreads) out[i] = stage[i];
}

}  // namespace

zcclResult_t launchDecode(const DecodeBatch& batch, const void* input, void* output, int32_t* status, void* workspace,
                          size_t* workspaceBytes, cudaStream_t stream) {
  if (workspaceBytes == nullptr) return zcclInvalidArgument;
  if (codecTraits(batch.dtype).elemBytes == 0 || batch.nsegs < 0 || batch.nsegs > kMaxBatchSegments)
    return zcclInvalidArgument;
  if (workspace == nullptr) {
    *workspaceBytes = 0;  // decoding needs no temporary device memory
    return zcclSuccess;
  }
  static thread_local DecodeParams params;
  params.batch = batch;
  if (!segmentBlockPrefix(batch.segs, batch.nsegs, params.firstBlock)) return zcclInvalidArgument;
  params.totalBlocks = params.firstBlock[batch.nsegs];
  if (batch.nsegs == 0) return zcclSuccess;
  if (input == nullptr || status == nullptr || (params.totalBlocks > 0 && output == nullptr))
    return zcclInvalidArgument;
  ZCCL_LAUNCH(decodeBlocks, params.totalBlocks + static_cast<uint32_t>(batch.nsegs), kCodecThreads, stream, params,
              static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output), status);
  return kernelLaunchStatus();
}

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
