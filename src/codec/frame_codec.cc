#include "codec/frame_codec.h"

#include <cstring>
#include <vector>

#include "codec/block_validate.h"
#include "codec/frame_validate.h"
#include "common/check.h"

namespace zccl::codec {
namespace {

zcclResult_t writeStoredFrame(const BlockCodec& codec, int dtype, const CodecTraits& t, const uint8_t* in,
                              uint64_t count, bool checksum, uint8_t* out, size_t capacity, size_t* frameBytes) {
  const uint8_t flags = checksum ? kFlagChecksum : 0;
  const uint64_t bytes = storedFrameBytes(t, count, flags);
  ZCCL_REQUIRE(bytes <= capacity, zcclInvalidArgument,
               "codec: output holds %zu bytes, the frame needs %llu (see zcclCodecMaxCompressedSize)", capacity,
               static_cast<unsigned long long>(bytes));
  uint8_t* p = out + kFrameHeaderBytes;
  if (checksum) {
    for (uint64_t b = 0; b < numBlocks(count); ++b) {
      uint64_t offset = b * kBlockElems * t.elemBytes;
      storeLE32(p, codec.hash(in + offset, static_cast<size_t>(blockElems(count, b)) * t.elemBytes));
      p += 4;
    }
  }
  const uint64_t raw = count * t.elemBytes;
  if (raw != 0) std::memcpy(p, in, raw);
  std::memset(p + raw, 0, pad4(raw) - raw);
  storeFrameHeader(out, static_cast<uint8_t>(dtype), kModeStored, flags, count, bytes);
  *frameBytes = bytes;
  return zcclSuccess;
}

}  // namespace

zcclResult_t maxFrameBytes(int dtype, uint64_t count, size_t* bound) {
  ZCCL_REQUIRE(bound != nullptr, zcclInvalidArgument, "codec: bound is NULL");
  const CodecTraits t = codecTraits(dtype);
  ZCCL_REQUIRE(t.elemBytes != 0, zcclInvalidArgument, "codec: unknown dtype %d", dtype);
  ZCCL_REQUIRE(count <= kMaxFrameCount, zcclInvalidArgument, "codec: count %llu is too large",
               static_cast<unsigned long long>(count));
  *bound = static_cast<size_t>(storedFrameBytes(t, count, kFlagChecksum));
  return zcclSuccess;
}

zcclResult_t encodeFrame(const BlockCodec& codec, int dtype, const uint8_t* in, uint64_t count,
                         const EncodeOptions& opts, uint8_t* out, size_t capacity, size_t* frameBytes) {
  const CodecTraits t = codecTraits(dtype);
  ZCCL_REQUIRE(t.elemBytes != 0, zcclInvalidArgument, "codec: unknown dtype %d", dtype);
  ZCCL_REQUIRE(count <= kMaxFrameCount, zcclInvalidArgument, "codec: count %llu is too large",
               static_cast<unsigned long long>(count));
  ZCCL_REQUIRE(in != nullptr || count == 0, zcclInvalidArgument, "codec: input is NULL with count %llu",
               static_cast<unsigned long long>(count));
  ZCCL_REQUIRE(out != nullptr && frameBytes != nullptr, zcclInvalidArgument, "codec: output or size pointer is NULL");
  ZCCL_REQUIRE(opts.mode == kModeStored || opts.mode == kModeWindow, zcclInvalidArgument, "codec: unknown mode %d",
               opts.mode);
  const uint8_t flags = opts.checksum ? kFlagChecksum : 0;
  const uint64_t stored = storedFrameBytes(t, count, flags);
  const uint64_t nblocks = numBlocks(count);
  const uint64_t tableBytes = frameTableBytes(kModeWindow, flags, count);
  // A window frame is tried only where it can be smaller than the stored one and addressable.
  const bool tryWindow = t.coded() && opts.mode == kModeWindow && count != 0 &&
                         stored - kFrameHeaderBytes <= kMaxFramePayloadBytes &&
                         kFrameHeaderBytes + tableBytes + kBlockHeaderBytes * nblocks < stored;
  if (!tryWindow) return writeStoredFrame(codec, dtype, t, in, count, opts.checksum, out, capacity, frameBytes);

  const uint64_t payloadStart = kFrameHeaderBytes + tableBytes;
  uint8_t* ends = out + kFrameHeaderBytes;
  uint8_t* hashes = ends + 4 * nblocks;
  uint64_t pos = payloadStart;
  uint8_t scratch[kMaxBlockBytes];
  for (uint64_t b = 0; b < nblocks && pos < stored; ++b) {
    const uint32_t n = blockElems(count, b);
    const uint8_t* blockIn = in + b * kBlockElems * t.elemBytes;
    const uint8_t* next = b + 1 < nblocks ? blockIn + kBlockElems * t.elemBytes : nullptr;
    uint32_t size;
    if (capacity >= pos && capacity - pos >= kMaxBlockBytes) {
      size = codec.encodeBlock(t, blockIn, n, out + pos, next);
    } else {
      size = codec.encodeBlock(t, blockIn, n, scratch, next);
      if (pos + size > capacity || pos + size >= stored) {
        pos += size;
        break;
      }
      std::memcpy(out + pos, scratch, size);
    }
    pos += size;
    storeLE32(ends + 4 * b, static_cast<uint32_t>(pos - payloadStart));
    if (opts.checksum) storeLE32(hashes + 4 * b, codec.hash(blockIn, static_cast<size_t>(n) * t.elemBytes));
  }
  if (pos >= stored) return writeStoredFrame(codec, dtype, t, in, count, opts.checksum, out, capacity, frameBytes);
  ZCCL_REQUIRE(pos <= capacity, zcclInvalidArgument,
               "codec: output holds %zu bytes, the frame needs at least %llu (see zcclCodecMaxCompressedSize)",
               capacity, static_cast<unsigned long long>(pos));
  storeFrameHeader(out, static_cast<uint8_t>(dtype), kModeWindow, flags, count, pos);
  *frameBytes = pos;
  return zcclSuccess;
}

zcclResult_t readFrameHeader(const uint8_t* in, size_t inBytes, FrameHeader* header) {
  ZCCL_REQUIRE(in != nullptr, zcclInvalidArgument, "codec: frame pointer is NULL");
  const char* why = validateFrameHeader(in, inBytes, header);
  ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "codec: %s (%zu bytes available)", why, inBytes);
  return zcclSuccess;
}

zcclResult_t decodeFrame(const BlockCodec& codec, const uint8_t* in, size_t inBytes, int dtype, uint64_t count,
                         uint8_t* out, size_t* frameBytes) {
  ZCCL_REQUIRE(out != nullptr || count == 0, zcclInvalidArgument, "codec: output is NULL with count %llu",
               static_cast<unsigned long long>(count));
  FrameHeader h;
  ZCCL_CHECK(readFrameHeader(in, inBytes, &h));
  ZCCL_REQUIRE(h.dtype == dtype, zcclInvalidArgument, "codec: frame holds dtype %u, caller expects %d", h.dtype, dtype);
  ZCCL_REQUIRE(h.count == count, zcclInvalidArgument, "codec: frame holds %llu elements, caller expects %llu",
               static_cast<unsigned long long>(h.count), static_cast<unsigned long long>(count));
  const CodecTraits t = codecTraits(dtype);
  const bool checksum = (h.flags & kFlagChecksum) != 0;
  const uint64_t nblocks = numBlocks(count);
  const uint8_t* table = in + kFrameHeaderBytes;
  const uint8_t* hashes = table + (h.mode == kModeWindow ? 4 * nblocks : 0);
  const uint8_t* payload = in + kFrameHeaderBytes + frameTableBytes(h.mode, h.flags, count);
  const uint64_t payloadBytes = h.frameBytes - (payload - in);
  uint8_t scratch[kBlockElems * 4];
  uint64_t start = 0;
  for (uint64_t b = 0; b < nblocks; ++b) {
    const uint32_t n = blockElems(count, b);
    const size_t outBytes = static_cast<size_t>(n) * t.elemBytes;
    uint8_t* blockOut = out + b * kBlockElems * t.elemBytes;
    uint8_t* target = checksum ? scratch : blockOut;
    if (h.mode == kModeStored) {
      std::memcpy(target, payload + b * kBlockElems * t.elemBytes, outBytes);
    } else {
      const uint64_t end = loadLE32(table + 4 * b);
      ZCCL_REQUIRE(end >= start && end <= payloadBytes, zcclCorruptFrame, "codec: block %llu extends outside the frame",
                   static_cast<unsigned long long>(b));
      const uint8_t* src = payload + start;
      const char* why = validateBlockHeader(t, src, static_cast<uint32_t>(end - start), n);
      if (why == nullptr) {
        if (loadBlockHeader(src).raw()) {
          std::memcpy(target, src + kBlockHeaderBytes, outBytes);
        } else {
          why = codec.decodeWindowBlock(t, src, n, target);
        }
      }
      ZCCL_REQUIRE(why == nullptr, zcclCorruptFrame, "codec: block %llu: %s", static_cast<unsigned long long>(b), why);
      start = end;
    }
    if (checksum) {
      ZCCL_REQUIRE(codec.hash(scratch, outBytes) == loadLE32(hashes + 4 * b), zcclCorruptFrame,
                   "codec: block %llu checksum mismatch", static_cast<unsigned long long>(b));
      std::memcpy(blockOut, scratch, outBytes);
    }
  }
  ZCCL_REQUIRE(h.mode == kModeStored || start == payloadBytes, zcclCorruptFrame,
               "codec: frame has %llu bytes after its last block",
               static_cast<unsigned long long>(payloadBytes - start));
  if (frameBytes != nullptr) *frameBytes = h.frameBytes;
  return zcclSuccess;
}

}  // namespace zccl::codec
