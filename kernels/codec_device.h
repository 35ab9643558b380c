// Device-side building blocks shared by the encode, decode and decode-reduce kernels. Written
// against kernels/simt.h only, so they run on a GPU and in the host emulation alike. Format
// arithmetic (layouts, plans, validation, hashes) comes from src/codec, the same code the CPU
// codecs use, which is what makes frames byte-identical.
//
// Work split: one CUDA block of kCodecThreads threads per format block (4096 elements); warp w
// takes groups w, w + 8, w + 16, ... of 32 elements, lane l the group's element 32g + l. A lane's
// code bit-plane is one ballot; its place among the group's coded (non-zero) elements and among
// its escapes is a popcount of the group's masks below the lane; a group's escape field is a
// warp OR-reduction. Counts before a group come from a block-wide prefix over per-group counts.
#pragma once

#include <cstdint>

#include "codec/block_validate.h"
#include "codec/dtype_traits.h"
#include "codec/format.h"
#include "codec/frame_validate.h"
#include "codec/hash.h"
#include "kernels/launch.h"
#include "kernels/simt.h"

namespace zccl::kernels::device {

using namespace zccl::codec;

constexpr uint32_t kWarps = kCodecThreads / 32;
constexpr uint32_t kGroups = kBlockElems / kGroupElems;

ZCCL_DEVICE uint32_t lanesBelow() { return (1u << simt::laneId()) - 1u; }

// Host side of a launch: firstBlock[s] = the global index of segment s's first block (a prefix
// sum of the segments' block counts, firstBlock[nsegs] = the total). False if a segment exceeds
// the largest frame count or the batch 2^31 - 1 blocks.
template <class Segment>
bool segmentBlockPrefix(const Segment* segs, int nsegs, uint32_t* firstBlock) {
  uint64_t blocks = 0;
  for (int i = 0; i < nsegs; ++i) {
    if (segs[i].count > kMaxFrameCount) return false;
    firstBlock[i] = static_cast<uint32_t>(blocks);
    blocks += numBlocks(segs[i].count);
    if (blocks > 0x7FFFFFFFu) return false;
  }
  firstBlock[nsegs] = static_cast<uint32_t>(blocks);
  return true;
}

// Segment s of a batch with firstBlock[s] <= globalBlock < firstBlock[s + 1] (binary search).
ZCCL_DEVICE uint32_t findSegment(const uint32_t* firstBlock, uint32_t nsegs, uint32_t globalBlock) {
  uint32_t lo = 0, hi = nsegs;  // invariant: firstBlock[lo] <= globalBlock < firstBlock[hi]
  while (hi - lo > 1) {
    const uint32_t mid = (lo + hi) / 2;
    if (firstBlock[mid] <= globalBlock) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// hashBytes() of `bytes` bytes at p, computed by warp 0 (lane l owns accumulator l and reads
// words l, l + 32, ...: coalesced). The result is valid in lane 0 of warp 0.
ZCCL_DEVICE uint32_t warpHash(const uint8_t* p, uint32_t bytes) {
  const uint32_t lane = simt::laneId();
  uint32_t acc = hashLaneInit(static_cast<int>(lane));
  const uint32_t words = (bytes + 3) / 4;
  for (uint32_t base = 0; base < words; base += 32) {
    const uint32_t i = base + lane;
    if (i < words) {
      uint32_t w = 0;
      for (uint32_t b = 0; b < 4 && 4 * i + b < bytes; ++b) w |= static_cast<uint32_t>(p[4 * i + b]) << (8 * b);
      acc = hashLaneRound(acc, w);
    }
  }
  uint32_t all[kHashLanes];
  for (uint32_t l = 0; l < kHashLanes; ++l) all[l] = simt::shfl(acc, l);
  return hashFinish(all, bytes);
}

// Turns per-group counts into exclusive prefixes, in place, and returns the totals. One thread.
ZCCL_DEVICE void prefixGroupCounts(uint32_t* zeros, uint32_t* escapes, uint32_t groups, uint32_t* totalZeros,
                                   uint32_t* totalEscapes) {
  uint32_t z = 0, e = 0;
  for (uint32_t g = 0; g < groups; ++g) {
    const uint32_t gz = zeros[g], ge = escapes[g];
    zeros[g] = z;
    escapes[g] = e;
    z += gz;
    e += ge;
  }
  *totalZeros = z;
  *totalEscapes = e;
}

// Records the first error of a launch (status[0] = code, [1] = segment, [2] = block).
ZCCL_DEVICE void reportError(int32_t* status, int32_t code, uint32_t segment, uint32_t block) {
  if (simt::atomicCas(&status[0], 0, code) == 0) {
    status[1] = static_cast<int32_t>(segment);
    status[2] = static_cast<int32_t>(block);
  }
}

// Where one format block of a frame lies, as found by locateBlock.
struct BlockSource {
  const uint8_t* src;    // the block's bytes (window mode) or its raw elements (stored mode)
  uint32_t len;          // bytes of the block (window mode)
  uint32_t n;            // elements
  uint32_t storedBlock;  // 1: raw elements at src (stored frame)
  uint32_t hasChecksum;  // 1: `hash` holds the block's checksum
  uint32_t hash;
};

// Validates the frame header and the block table entry of block `block` of the frame at `frame`
// (avail bytes) expected to hold `count` elements of `dtype`, and the block header. Returns 0 or
// a zcclResult_t. Runs in one thread.
ZCCL_DEVICE int32_t locateBlock(const uint8_t* frame, uint64_t avail, int dtype, uint64_t count, uint64_t block,
                                BlockSource* out) {
  FrameHeader h;
  if (validateFrameHeader(frame, avail, &h) != nullptr) return zcclCorruptFrame;
  if (h.dtype != dtype || h.count != count) return zcclInvalidArgument;
  const CodecTraits t = codecTraits(dtype);
  const uint64_t nblocks = numBlocks(count);
  const bool checksum = (h.flags & kFlagChecksum) != 0;
  const uint8_t* table = frame + kFrameHeaderBytes;
  const uint8_t* payload = frame + kFrameHeaderBytes + frameTableBytes(h.mode, h.flags, count);
  const uint64_t payloadBytes = h.frameBytes - static_cast<uint64_t>(payload - frame);
  out->n = blockElems(count, block);
  out->hasChecksum = checksum ? 1u : 0u;
  out->hash = checksum ? loadLE32(table + (h.mode == kModeWindow ? 4 * nblocks : 0) + 4 * block) : 0u;
  if (h.mode == kModeStored) {
    out->storedBlock = 1;
    out->src = payload + block * kBlockElems * t.elemBytes;
    out->len = out->n * t.elemBytes;
    return 0;
  }
  out->storedBlock = 0;
  const uint64_t start = block == 0 ? 0 : loadLE32(table + 4 * (block - 1));
  const uint64_t end = loadLE32(table + 4 * block);
  if (end < start || end > payloadBytes) return zcclCorruptFrame;
  if (block + 1 == nblocks && end != payloadBytes) return zcclCorruptFrame;
  out->src = payload + start;
  out->len = static_cast<uint32_t>(end - start);
  if (validateBlockHeader(t, out->src, out->len, out->n) != nullptr) return zcclCorruptFrame;
  return 0;
}

// Decodes one located block into `stage` (n elements, little-endian, shared memory of
// stageBytes), checking the code counts against the header and every escape's range before
// anything is final; with a checksum, verifies it. Every thread of the block calls it; `scratch`
// is shared memory of at least 2 * kGroups + 8 words. Returns (in every thread) 0,
// zcclCorruptFrame, or zcclInvalidArgument for a block larger than the stage.
ZCCL_DEVICE int32_t decodeBlockToStage(const CodecTraits& t, const BlockSource& bs, uint8_t* stage, uint32_t stageBytes,
                                       uint32_t* scratch) {
  const uint32_t tid = simt::threadId(), lane = simt::laneId(), warp = simt::warpId();
  if (bs.n * t.elemBytes > stageBytes) return zcclInvalidArgument;
  uint32_t* groupZeros = scratch;              // [kGroups]: zero codes of group g, then zeros before g
  uint32_t* groupEscapes = scratch + kGroups;  // [kGroups]: escape codes of group g, then before g
  uint32_t* flags = scratch + 2 * kGroups;     // [0]: error
  const uint32_t n = bs.n;
  if (tid == 0) flags[0] = 0;
  simt::syncThreads();
  const BlockHeader h = loadBlockHeader(bs.src);
  if (bs.storedBlock || h.raw()) {
    const uint8_t* raw = bs.storedBlock ? bs.src : bs.src + kBlockHeaderBytes;
    for (uint32_t i = tid; i < n * t.elemBytes; i += kCodecThreads) stage[i] = raw[i];
  } else {
    const WindowLayout l = windowLayout(t, n, h.k(), h.nZero, h.nEscape, h.escBits);
    const uint32_t k = h.k(), w = static_cast<uint32_t>(h.window());
    // Pass 1: zero and escape codes per group, from the code words alone.
    for (uint32_t g = warp; g < l.groups; g += kWarps) {
      const uint8_t* words = bs.src + l.wordsOffset + 4u * l.wordsPerGroup * g;
      if (lane == 0) {
        const uint32_t valid = validLanes(n, g);
        groupZeros[g] = h.hasZeroCode() ? zcclPopcount32(lanesWithCode(words, k, h.zeroCode()) & valid) : 0;
        groupEscapes[g] = h.hasEscapeCode() ? zcclPopcount32(lanesWithCode(words, k, h.escapeCode()) & valid) : 0;
      }
    }
    simt::syncThreads();
    if (tid == 0) {  // exclusive prefix, and the totals against the header
      uint32_t zeros = 0, escapes = 0;
      prefixGroupCounts(groupZeros, groupEscapes, l.groups, &zeros, &escapes);
      if (zeros != h.nZero || escapes != h.nEscape) flags[0] = 1;
    }
    simt::syncThreads();
    if (flags[0] != 0) return zcclCorruptFrame;
    // Pass 2: every element.
    const uint8_t* resid = bs.src + l.residOffset;
    const uint8_t* esc = bs.src + l.escOffset;
    for (uint32_t g = warp; g < l.groups; g += kWarps) {
      const uint32_t i = g * kGroupElems + lane;
      const bool valid = i < n;
      const uint8_t* words = bs.src + l.wordsOffset + 4u * l.wordsPerGroup * g;
      uint32_t code = 0;
      for (uint32_t j = 0; j < k; ++j) code |= ((loadLE32(words + 4 * j) >> lane) & 1u) << j;
      const bool isZero = valid && h.hasZeroCode() && code == h.zeroCode();
      const bool isEsc = valid && h.hasEscapeCode() && code == h.escapeCode();
      const uint32_t zeroMask = simt::ballot(isZero);
      const uint32_t escMask = simt::ballot(isEsc);
      // Escape value: bit p of this lane's value is bit (ordinal) of field p of the group.
      const uint32_t c = zcclPopcount32(escMask);
      const uint32_t ordinal = zcclPopcount32(escMask & lanesBelow());
      const uint32_t fieldPos = h.escBits * groupEscapes[g];
      uint32_t value = 0;
      for (uint32_t p = 0; p < h.escBits; ++p) {
        uint32_t field = lane == 0 && c != 0 ? readBits(esc, l.escBytes, fieldPos + p * c, c) : 0u;
        field = simt::shfl(field, 0);
        value |= ((field >> ordinal) & 1u) << p;
      }
      if (!valid) continue;
      uint32_t x = 0;
      if (!isZero) {
        const uint32_t e = isEsc ? escapeExponent(h.escBase + value, h.base, w) : h.base + code;
        if (e > t.maxExp()) flags[0] = 1;
        const uint32_t pos = g * kGroupElems - groupZeros[g] + zcclPopcount32(~zeroMask & lanesBelow());
        uint32_t r = getResidual(t, resid, l.nCoded, pos);
        for (uint32_t p = 0; p < t.extraPlanes; ++p) r |= ((loadLE32(words + 4 * (k + p)) >> lane) & 1u) << (8 + p);
        x = joinElement(t, e & t.maxExp(), r);
      }
      storeElement(stage + i * t.elemBytes, t.elemBytes, x);
    }
    simt::syncThreads();
    if (flags[0] != 0) return zcclCorruptFrame;
  }
  if (bs.hasChecksum) {
    simt::syncThreads();
    if (warp == 0) {
      const uint32_t hash = warpHash(stage, n * t.elemBytes);
      if (lane == 0 && hash != bs.hash) flags[0] = 1;
    }
  }
  simt::syncThreads();
  return flags[0] != 0 ? zcclCorruptFrame : 0;
}

}  // namespace zccl::kernels::device
