// Fused decode + reduce: the reduce-scatter step of the direct algorithm, with no extra pass over
// memory. One CUDA block per format block b of the output segment: for each source in order, the
// block decodes block b of that source's frame into shared memory (or reads the raw elements),
// and every thread folds its 16 elements into fp32 accumulators in registers
// (src/common/reduce_ops.h, the same code as the CPU algorithms); after the last source it rounds
// once and writes. A source that fails validation stops the block before anything is written.
#include "common/reduce_ops.h"
#include "kernels/codec_device.h"
#include "kernels/device_scan.h"

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {
namespace {

using namespace zccl::codec;
using namespace zccl::kernels::device;

constexpr uint32_t kPerThread = kBlockElems / kCodecThreads;

ZCCL_KERNEL void decodeReduceBlocks(ReduceBatch p, const uint8_t* frames, const uint8_t* raw, uint8_t* output,
                                    int32_t* status) {
  ZCCL_SHARED_ARRAY(uint32_t, sStage, kBlockElems);
  ZCCL_SHARED_ARRAY(uint32_t, sScratch, 2 * kGroups + 8);
  ZCCL_SHARED_ARRAY(BlockSource, sSource, 1);
  ZCCL_SHARED_ARRAY(int32_t, sError, 1);
  const uint32_t tid = simt::threadId(), b = simt::blockId();
  const CodecTraits t = codecTraits(p.dtype);
  const uint32_t n = blockElems(p.count, b);
  uint8_t* stage = reinterpret_cast<uint8_t*>(sStage);
  float acc[kPerThread];
  for (int s = 0; s < p.nsources; ++s) {
    const ReduceSource& src = p.sources[s];
    const uint8_t* elems;
    if (src.isFrame) {
      if (tid == 0) sError[0] = locateBlock(frames + src.offset, src.capacity, p.dtype, p.count, b, &sSource[0]);
      simt::syncThreads();
      int32_t err = sError[0];
      if (err == 0) err = decodeBlockToStage(t, sSource[0], stage, 4 * kBlockElems, sScratch);
      if (err != 0) {
        if (tid == 0) reportError(status, err, static_cast<uint32_t>(s), b);
        return;
      }
      elems = stage;
    } else {
      elems = raw + (src.offset + static_cast<uint64_t>(b) * kBlockElems) * t.elemBytes;
    }
    for (uint32_t m = 0; m < kPerThread; ++m) {
      const uint32_t i = tid + m * kCodecThreads;
      if (i >= n) break;
      const float v = elementToFloat(p.dtype, loadElement(elems + i * t.elemBytes, t.elemBytes));
      acc[m] = s == 0 ? v : reduceStep(p.op, acc[m], v);
    }
    simt::syncThreads();  // the stage is reused by the next source
  }
  uint8_t* out = output + static_cast<uint64_t>(b) * kBlockElems * t.elemBytes;
  for (uint32_t m = 0; m < kPerThread; ++m) {
    const uint32_t i = tid + m * kCodecThreads;
    if (i >= n) break;
    storeElement(out + i * t.elemBytes, t.elemBytes,
                 floatToElement(p.dtype, reduceFinish(p.op, acc[m], p.avgDivisor > 0 ? p.avgDivisor : p.nsources)));
  }
}

}  // namespace

zcclResult_t launchDecodeReduce(const ReduceBatch& batch, const void* frames, const void* raw, void* output,
                                int32_t* status, void* workspace, size_t* workspaceBytes, cudaStream_t stream) {
  if (workspaceBytes == nullptr) return zcclInvalidArgument;
  const bool floatType = batch.dtype == zcclBfloat16 || batch.dtype == zcclFloat16 || batch.dtype == zcclFloat32;
  if (!floatType || batch.op < zcclSum || batch.op > zcclAvg || batch.nsources < 1 ||
      batch.nsources > kMaxBatchSegments || batch.count > codec::kMaxFrameCount)
    return zcclInvalidArgument;
  if (workspace == nullptr) {
    *workspaceBytes = 0;
    return zcclSuccess;
  }
  const uint64_t blocks = codec::numBlocks(batch.count);
  if (blocks == 0) return zcclSuccess;
  if (blocks > 0x7FFFFFFFu || output == nullptr || status == nullptr) return zcclInvalidArgument;
  for (int s = 0; s < batch.nsources; ++s) {
    if ((batch.sources[s].isFrame ? frames : raw) == nullptr) return zcclInvalidArgument;
  }
  ZCCL_LAUNCH(decodeReduceBlocks, static_cast<uint32_t>(blocks), kCodecThreads, stream, batch,
              static_cast<const uint8_t*>(frames), static_cast<const uint8_t*>(raw), static_cast<uint8_t*>(output),
              status);
  return kernelLaunchStatus();
}

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
