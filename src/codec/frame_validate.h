// Checks of a frame header (docs/format.md, sections 2 and 4.5) shared by the CPU frame layer and
// the CUDA decode kernels: returns nullptr if the 32-byte header at `src` is valid for a frame
// of at most `avail` bytes, else the reason.
#pragma once

#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/format.h"
#include "common/host_device.h"

namespace zccl::codec {

constexpr uint64_t kMaxFrameCount = (uint64_t{1} << 62) / 8;

ZCCL_HD const char* validateFrameHeader(const uint8_t* src, uint64_t avail, FrameHeader* out) {
  if (avail < kFrameHeaderBytes) return "truncated frame: shorter than its 32-byte header";
  const FrameHeader h = loadFrameHeader(src);
  if (h.magic != kFrameMagic) return "not a ZipCCL frame (bad magic)";
  if (h.headerCheck != hashBytes(src, 28)) return "frame header checksum mismatch";
  if (h.version != kFormatVersion) return "unsupported frame version";
  if (h.blockLog2 != kBlockLog2 || h.reserved[0] != 0 || h.reserved[1] != 0 || h.reserved[2] != 0)
    return "frame header has unsupported block size or reserved bits";
  const CodecTraits t = codecTraits(h.dtype);
  if (t.elemBytes == 0) return "frame holds an unknown dtype";
  if (!(h.mode == kModeStored || (h.mode == kModeWindow && t.coded()))) return "frame mode is not valid for its dtype";
  if ((h.flags & ~kFlagChecksum) != 0) return "frame has unknown flags";
  if (h.count > kMaxFrameCount || h.frameBytes < kFrameHeaderBytes)
    return "frame header has an impossible count or size";
  // The tables alone must fit in the frame; checked before any multiplication can overflow.
  if (numBlocks(h.count) > h.frameBytes / 4 ||
      kFrameHeaderBytes + frameTableBytes(h.mode, h.flags, h.count) > h.frameBytes)
    return "frame size too small for its element count";
  if (h.mode == kModeStored && h.frameBytes != storedFrameBytes(t, h.count, h.flags))
    return "stored frame size does not match its element count";
  if (h.frameBytes > avail) return "truncated frame: its header claims more bytes than are available";
  *out = h;
  return nullptr;
}

}  // namespace zccl::codec
