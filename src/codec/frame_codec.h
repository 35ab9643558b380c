// The frame layer of format v1 (docs/format.md, "Frame"): header, block-end and checksum tables,
// the stored fallback, and the validation a decoder owes to untrusted input. Block contents are
// delegated to a BlockCodec, so the reference and the fast codec share this file and differ only
// in how they code a block.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/block_codec.h"
#include "codec/format.h"
#include "zccl/zccl_types.h"

namespace zccl::codec {

struct EncodeOptions {
  uint8_t mode = kModeWindow;  // kModeStored or kModeWindow (window falls back to stored)
  bool checksum = false;       // write per-block checksums of the decoded data
};

// Checked frame bound (see zcclCodecMaxCompressedSize).
zcclResult_t maxFrameBytes(int dtype, uint64_t count, size_t* bound);

// Compresses one segment. `out` has `capacity` bytes; fails rather than truncate.
zcclResult_t encodeFrame(const BlockCodec& codec, int dtype, const uint8_t* in, uint64_t count,
                         const EncodeOptions& opts, uint8_t* out, size_t capacity, size_t* frameBytes);

// Reads and validates a frame header against the bytes available.
zcclResult_t readFrameHeader(const uint8_t* in, size_t inBytes, FrameHeader* header);

// Decompresses one frame holding `count` elements of `dtype` into `out`. Validates every block
// before writing it; verifies checksums when present (decoding into a scratch block first).
zcclResult_t decodeFrame(const BlockCodec& codec, const uint8_t* in, size_t inBytes, int dtype, uint64_t count,
                         uint8_t* out, size_t* frameBytes);

}  // namespace zccl::codec
