// Batched encode of format v1 on the GPU: P segments, each one frame, in three steps on the
// caller's stream.
//
//   1. encodeBlocks, one CUDA block per format block: load the 4096 elements into shared memory,
//      build the exponent histogram with shared atomics, let one thread choose the plan with the
//      same chooseBlockPlan as the CPU codecs, then code the block: pass 1 counts zero and escape
//      codes per group (two ballots per group), a prefix over the 128 groups gives every group
//      its residual and escape positions, pass 2 writes each code bit-plane with one ballot, the
//      residuals at their compacted positions and each escape field with one warp OR-reduction.
//      The block is staged in shared memory and copied out whole to a fixed slot of the
//      workspace; its size (and, with checksums, its hash) goes to a workspace array.
//   2. an exclusive scan of the block sizes (CUB DeviceScan; a host loop in the emulation).
//   3. assembleFrames, one CUDA block per format block plus one per segment: each frame becomes a
//      window frame if that is smaller than the stored frame (the CPU rule), so block CUDA blocks
//      write their table entries and copy their payload (or their raw elements for a stored
//      frame) to the final place, and segment CUDA blocks write the header and the frame size.
//
// Memory traffic per element: read once from global memory, written once to the workspace slot
// and once to the frame (docs/kernels.md has the throughput model).
#include <cstring>

#include "codec/block_plan.h"
#include "kernels/codec_device.h"
#include "kernels/device_scan.h"

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {
namespace {

using namespace zccl::codec;
using namespace zccl::kernels::device;

struct EncodeParams {
  EncodeBatch batch;
  uint32_t firstBlock[kMaxBatchSegments + 1];  // prefix of the segments' block counts
  uint32_t totalBlocks;
  uint32_t slotBytes;  // workspace slot per block
};

struct EncodeWorkspace {
  uint8_t* slots;         // totalBlocks * slotBytes
  uint64_t* blockBytes;   // totalBlocks + 1 (last entry 0)
  uint64_t* blockOffset;  // totalBlocks + 1, exclusive scan of blockBytes
  uint32_t* blockHash;    // totalBlocks
  void* scanTemp;
  size_t scanTempBytes;
};

constexpr size_t align256(size_t n) { return (n + 255) & ~size_t{255}; }

// How the plan codes lane l's element of group g.
struct LaneElement {
  bool valid, isZero, inWindow, isEsc;
  uint32_t x, e;
};

ZCCL_DEVICE LaneElement classify(const CodecTraits& t, const uint8_t* elems, uint32_t n, const BlockHeader& h,
                                 uint32_t g) {
  LaneElement le;
  const uint32_t i = g * kGroupElems + simt::laneId();
  le.valid = i < n;
  le.x = le.valid ? loadElement(elems + i * t.elemBytes, t.elemBytes) : 0u;
  le.e = exponentOf(t, le.x);
  le.isZero = le.valid && h.hasZeroCode() && le.x == 0;
  le.inWindow = le.e >= h.base && le.e < h.base + static_cast<uint32_t>(h.window());
  le.isEsc = le.valid && !le.isZero && !le.inWindow;
  return le;
}

// Returns the offset of the block's escape stream (which escStage holds).
ZCCL_DEVICE uint32_t encodeWindowBlock(const CodecTraits& t, const uint8_t* elems, uint32_t n, const BlockPlan& plan,
                                       uint8_t* stage, uint32_t* escStage, uint32_t* groupZeros,
                                       uint32_t* groupEscapes) {
  const uint32_t tid = simt::threadId(), lane = simt::laneId(), warp = simt::warpId();
  const BlockHeader& h = plan.header;
  const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
  const uint32_t k = h.k(), w = static_cast<uint32_t>(h.window());
  // Pass 1: zero and escape codes per group.
  for (uint32_t g = warp; g < l.groups; g += kWarps) {
    const LaneElement le = classify(t, elems, n, h, g);
    const uint32_t zeros = zcclPopcount32(simt::ballot(le.isZero));
    const uint32_t escapes = zcclPopcount32(simt::ballot(le.isEsc));
    if (lane == 0) {
      groupZeros[g] = zeros;
      groupEscapes[g] = escapes;
    }
  }
  simt::syncThreads();
  if (tid == 0) {
    uint32_t zeros = 0, escapes = 0;
    prefixGroupCounts(groupZeros, groupEscapes, l.groups, &zeros, &escapes);
  }
  simt::syncThreads();
  // Pass 2: code planes, residuals and escape fields.
  for (uint32_t g = warp; g < l.groups; g += kWarps) {
    const LaneElement le = classify(t, elems, n, h, g);
    const bool valid = le.valid, isZero = le.isZero, inWindow = le.inWindow, isEsc = le.isEsc;
    const uint32_t x = le.x, e = le.e;
    const uint32_t code = !valid ? 0u : isZero ? h.zeroCode() : inWindow ? e - h.base : h.escapeCode();
    const uint32_t r = residualOf(t, x);
    uint32_t myWord = 0;
    for (uint32_t j = 0; j < k; ++j) {
      const uint32_t word = simt::ballot((code >> j) & 1u);
      if (lane == j) myWord = word;
    }
    for (uint32_t p = 0; p < t.extraPlanes; ++p) {
      const uint32_t word = simt::ballot(valid && !isZero && ((r >> (8 + p)) & 1u));
      if (lane == k + p) myWord = word;
    }
    if (lane < l.wordsPerGroup) storeLE32(stage + l.wordsOffset + 4u * (l.wordsPerGroup * g + lane), myWord);
    const uint32_t zeroMask = simt::ballot(isZero);
    const uint32_t escMask = simt::ballot(isEsc);
    if (valid && !isZero) {
      const uint32_t pos = g * kGroupElems - groupZeros[g] + zcclPopcount32(~zeroMask & lanesBelow());
      putResidual(t, stage + l.residOffset, l.nCoded, pos, r);
    }
    // Escape fields: field p gathers bit p of the group's escape values in lane order.
    const uint32_t c = zcclPopcount32(escMask);
    const uint32_t ordinal = zcclPopcount32(escMask & lanesBelow());
    const uint32_t value = isEsc ? escapeSkipped(e, h.base, w) - h.escBase : 0u;
    const uint32_t fieldPos = h.escBits * groupEscapes[g];
    for (uint32_t p = 0; p < h.escBits; ++p) {
      const uint32_t field = simt::reduceOr(isEsc ? ((value >> p) & 1u) << ordinal : 0u);
      if (lane == 0 && c != 0) {
        const uint32_t bit = fieldPos + p * c;
        const uint64_t shifted = static_cast<uint64_t>(field) << (bit & 31u);
        simt::atomicOr(&escStage[bit >> 5], static_cast<uint32_t>(shifted));
        if ((shifted >> 32) != 0) simt::atomicOr(&escStage[(bit >> 5) + 1], static_cast<uint32_t>(shifted >> 32));
      }
    }
  }
  return l.escOffset;
}

ZCCL_KERNEL void encodeBlocks(EncodeParams p, const uint8_t* input, EncodeWorkspace ws) {
  ZCCL_SHARED_ARRAY(uint32_t, sElems, kBlockElems);                 // the block's input
  ZCCL_SHARED_ARRAY(uint32_t, sStage, kMaxBlockBytes / 4 + 1);      // the coded block
  ZCCL_SHARED_ARRAY(uint32_t, sEscapes, kBlockElems * 8 / 32 + 2);  // escape stream bits
  ZCCL_SHARED_ARRAY(uint32_t, sHist, kHistBins + 1);                // histogram, then [256] = zeros
  ZCCL_SHARED_ARRAY(uint32_t, sGroups, 2 * kGroups);
  ZCCL_SHARED_ARRAY(BlockPlan, sPlan, 1);
  const uint32_t tid = simt::threadId();
  const uint32_t gb = simt::blockId();
  const uint32_t seg = findSegment(p.firstBlock, static_cast<uint32_t>(p.batch.nsegs), gb);
  const EncodeSegment& s = p.batch.segs[seg];
  const uint64_t b = gb - p.firstBlock[seg];
  const CodecTraits t = codecTraits(p.batch.dtype);
  const uint32_t n = blockElems(s.count, b);
  const uint8_t* in = input + (s.inOffset + b * kBlockElems) * t.elemBytes;
  if (!t.coded()) {  // a stored frame: only the checksum, straight from global memory
    if (p.batch.checksum && simt::warpId() == 0) {
      const uint32_t hash = warpHash(in, n * t.elemBytes);
      if (tid == 0) ws.blockHash[gb] = hash;
    }
    return;
  }
  uint8_t* elems = reinterpret_cast<uint8_t*>(sElems);  // coded types have at most 4-byte elements
  for (uint32_t i = tid; i < n * t.elemBytes; i += kCodecThreads) elems[i] = in[i];
  for (uint32_t i = tid; i <= kHistBins; i += kCodecThreads) sHist[i] = 0;
  for (uint32_t i = tid; i < kBlockElems * 8 / 32 + 2; i += kCodecThreads) sEscapes[i] = 0;
  simt::syncThreads();
  if (p.batch.checksum && simt::warpId() == 0) {
    const uint32_t hash = warpHash(elems, n * t.elemBytes);
    if (tid == 0) ws.blockHash[gb] = hash;
  }
  for (uint32_t i = tid; i < n; i += kCodecThreads) {
    const uint32_t x = loadElement(elems + i * t.elemBytes, t.elemBytes);
    simt::atomicAdd(&sHist[exponentOf(t, x)], 1u);
    if (x == 0) simt::atomicAdd(&sHist[kHistBins], 1u);
  }
  simt::syncThreads();
  if (tid == 0) sPlan[0] = chooseBlockPlan(t, n, sHist, sHist[kHistBins]);
  simt::syncThreads();
  const BlockPlan plan = sPlan[0];
  uint8_t* stage = reinterpret_cast<uint8_t*>(sStage);
  for (uint32_t i = tid; i < plan.bytes / 4; i += kCodecThreads) sStage[i] = 0;
  simt::syncThreads();
  if (tid == 0) storeBlockHeader(stage, plan.header);
  uint32_t escOffset = plan.bytes;  // raw blocks have no escape stream
  if (plan.raw()) {
    for (uint32_t i = tid; i < n * t.elemBytes; i += kCodecThreads) stage[kBlockHeaderBytes + i] = elems[i];
  } else {
    escOffset = encodeWindowBlock(t, elems, n, plan, stage, sEscapes, sGroups, sGroups + kGroups);
  }
  simt::syncThreads();
  uint8_t* slot = ws.slots + static_cast<size_t>(gb) * p.slotBytes;
  const uint8_t* escBytes = reinterpret_cast<const uint8_t*>(sEscapes);
  for (uint32_t i = tid; i < plan.bytes; i += kCodecThreads)
    slot[i] = i < escOffset ? stage[i] : escBytes[i - escOffset];
  if (tid == 0) ws.blockBytes[gb] = plan.bytes;
}

ZCCL_KERNEL void assembleFrames(EncodeParams p, const uint8_t* input, uint8_t* output, uint64_t* frameBytes,
                                EncodeWorkspace ws) {
  const uint32_t tid = simt::threadId();
  const uint32_t cb = simt::blockId();
  const CodecTraits t = codecTraits(p.batch.dtype);
  const bool blockWork = cb < p.totalBlocks;
  const uint32_t seg =
      blockWork ? findSegment(p.firstBlock, static_cast<uint32_t>(p.batch.nsegs), cb) : cb - p.totalBlocks;
  const EncodeSegment& s = p.batch.segs[seg];
  const uint32_t first = p.firstBlock[seg], nb = p.firstBlock[seg + 1] - first;
  const uint8_t flags = p.batch.checksum ? kFlagChecksum : 0;
  const uint64_t stored = storedFrameBytes(t, s.count, flags);
  const uint64_t windowBytes = kFrameHeaderBytes + frameTableBytes(kModeWindow, flags, s.count) +
                               ws.blockOffset[first + nb] - ws.blockOffset[first];
  const bool window =
      t.coded() && s.count != 0 && stored - kFrameHeaderBytes <= kMaxFramePayloadBytes && windowBytes < stored;
  uint8_t* out = output + s.outOffset;
  if (!blockWork) {  // the segment's header and size
    if (tid == 0) {
      const uint64_t bytes = window ? windowBytes : stored;
      storeFrameHeader(out, static_cast<uint8_t>(p.batch.dtype), window ? kModeWindow : kModeStored, flags, s.count,
                       bytes);
      frameBytes[seg] = bytes;
    }
    return;
  }
  const uint32_t b = cb - first;
  if (window) {
    uint8_t* table = out + kFrameHeaderBytes;
    const uint64_t payloadStart = kFrameHeaderBytes + frameTableBytes(kModeWindow, flags, s.count);
    const uint64_t offset = ws.blockOffset[cb] - ws.blockOffset[first];
    if (tid == 0) {
      storeLE32(table + 4 * b, static_cast<uint32_t>(offset + ws.blockBytes[cb]));
      if (flags) storeLE32(table + 4 * nb + 4 * b, ws.blockHash[cb]);
    }
    const uint8_t* slot = ws.slots + static_cast<size_t>(cb) * p.slotBytes;
    uint8_t* dst = out + payloadStart + offset;
    for (uint32_t i = tid; i < ws.blockBytes[cb]; i += kCodecThreads) dst[i] = slot[i];
  } else {
    const uint32_t n = blockElems(s.count, b);
    uint8_t* data = out + kFrameHeaderBytes + (flags ? 4u * nb : 0u);
    if (tid == 0 && flags) storeLE32(out + kFrameHeaderBytes + 4 * b, ws.blockHash[cb]);
    const uint8_t* in = input + (s.inOffset + static_cast<uint64_t>(b) * kBlockElems) * t.elemBytes;
    uint8_t* dst = data + static_cast<uint64_t>(b) * kBlockElems * t.elemBytes;
    const uint32_t bytes = n * t.elemBytes;
    const uint32_t padded = b + 1 == nb ? static_cast<uint32_t>(pad4(static_cast<uint64_t>(bytes))) : bytes;
    for (uint32_t i = tid; i < padded; i += kCodecThreads) dst[i] = i < bytes ? in[i] : 0;
  }
}

// Host-side layout of a batch: block prefix and workspace carving.
zcclResult_t prepare(const EncodeBatch& batch, EncodeParams* p) {
  const CodecTraits t = codecTraits(batch.dtype);
  if (t.elemBytes == 0 || batch.nsegs < 0 || batch.nsegs > kMaxBatchSegments) return zcclInvalidArgument;
  p->batch = batch;
  for (int i = 0; i < batch.nsegs; ++i) {
    if (batch.segs[i].outOffset % 4 != 0) return zcclInvalidArgument;
  }
  if (!segmentBlockPrefix(batch.segs, batch.nsegs, p->firstBlock)) return zcclInvalidArgument;
  p->totalBlocks = p->firstBlock[batch.nsegs];
  p->slotBytes = static_cast<uint32_t>((rawBlockBytes(t, kBlockElems) + 15) & ~15u);
  return zcclSuccess;
}

// The workspace layout: its size in *bytes, and the pointers into `base` where ws is given.
zcclResult_t carve(const EncodeParams& p, void* base, EncodeWorkspace* ws, cudaStream_t stream, size_t* bytes) {
  const size_t slots = align256(static_cast<size_t>(p.totalBlocks) * p.slotBytes);
  const size_t sizes = align256((p.totalBlocks + 1) * sizeof(uint64_t));
  const size_t hashes = align256((p.totalBlocks + 1) * sizeof(uint32_t));
  size_t scanBytes = 0;
  ZCCL_CHECK_KERNEL(exclusiveScanTempBytes(p.totalBlocks + 1, &scanBytes, stream));
  uint8_t* at = static_cast<uint8_t*>(base);
  if (ws != nullptr) {
    ws->slots = at;
    ws->blockBytes = reinterpret_cast<uint64_t*>(at + slots);
    ws->blockOffset = reinterpret_cast<uint64_t*>(at + slots + sizes);
    ws->blockHash = reinterpret_cast<uint32_t*>(at + slots + 2 * sizes);
    ws->scanTemp = at + slots + 2 * sizes + hashes;
    ws->scanTempBytes = scanBytes;
  }
  *bytes = slots + 2 * sizes + hashes + align256(scanBytes);
  return zcclSuccess;
}

}  // namespace

zcclResult_t launchEncode(const EncodeBatch& batch, const void* input, void* output, uint64_t* frameBytes,
                          void* workspace, size_t* workspaceBytes, cudaStream_t stream) {
  if (workspaceBytes == nullptr) return zcclInvalidArgument;
  static thread_local EncodeParams params;  // 8 KiB: kept off the stack
  ZCCL_CHECK_KERNEL(prepare(batch, &params));
  size_t need = 0;
  ZCCL_CHECK_KERNEL(carve(params, nullptr, nullptr, stream, &need));
  if (workspace == nullptr) {
    *workspaceBytes = need;
    return zcclSuccess;
  }
  if (*workspaceBytes < need || (params.totalBlocks > 0 && input == nullptr) || output == nullptr ||
      frameBytes == nullptr)
    return zcclInvalidArgument;
  if (batch.nsegs == 0) return zcclSuccess;
  EncodeWorkspace ws;
  ZCCL_CHECK_KERNEL(carve(params, workspace, &ws, stream, &need));
  const uint8_t* in = static_cast<const uint8_t*>(input);
  uint8_t* out = static_cast<uint8_t*>(output);
  if (params.totalBlocks > 0) {
    ZCCL_CHECK_KERNEL(zeroDeviceWord(ws.blockBytes + params.totalBlocks, stream));
    ZCCL_LAUNCH(encodeBlocks, params.totalBlocks, kCodecThreads, stream, params, in, ws);
    ZCCL_CHECK_KERNEL(kernelLaunchStatus());
  }
  ZCCL_CHECK_KERNEL(
      exclusiveScan(ws.scanTemp, ws.scanTempBytes, ws.blockBytes, ws.blockOffset, params.totalBlocks + 1, stream));
  ZCCL_LAUNCH(assembleFrames, params.totalBlocks + static_cast<uint32_t>(batch.nsegs), kCodecThreads, stream, params,
              in, out, frameBytes, ws);
  return kernelLaunchStatus();
}

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
