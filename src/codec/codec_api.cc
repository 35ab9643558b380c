// The codec C API (include/zccl/zccl_codec.h): argument checks, config resolution (config field,
// else ZCCL_* variable, else default), and the choice between the reference and fast codecs.
#include <cstring>

#include "codec/block_codec.h"
#include "codec/frame_codec.h"
#include "common/check.h"
#include "common/params.h"
#include "zccl/zccl_codec.h"

namespace zccl::codec {
namespace {

struct ResolvedConfig {
  const BlockCodec* codec;
  EncodeOptions opts;
};

zcclResult_t resolveConfig(const zcclCodecConfig_t* config, ResolvedConfig* out) {
  zcclCodecConfig_t c = ZCCL_CODEC_CONFIG_INITIALIZER;
  if (config != nullptr) {
    ZCCL_REQUIRE(config->size == sizeof(zcclCodecConfig_t) && config->magic == ZCCL_CODEC_CONFIG_MAGIC,
                 zcclInvalidArgument, "codec: config was not initialised with ZCCL_CODEC_CONFIG_INITIALIZER");
    c = *config;
  }
  if (c.mode == ZCCL_CONFIG_UNDEF_INT) c.mode = paramChoice(Param::kCodecMode, {"stored", "window"});
  if (c.checksum == ZCCL_CONFIG_UNDEF_INT) c.checksum = paramInt(Param::kVerify) != 0;
  if (c.impl == ZCCL_CONFIG_UNDEF_INT) c.impl = paramChoice(Param::kCodecImpl, {"auto", "reference", "fast"});
  ZCCL_REQUIRE(c.mode == zcclCodecModeStored || c.mode == zcclCodecModeWindow, zcclInvalidArgument,
               "codec: unknown mode %d", c.mode);
  ZCCL_REQUIRE(c.checksum == 0 || c.checksum == 1, zcclInvalidArgument, "codec: checksum must be 0 or 1, not %d",
               c.checksum);
  ZCCL_REQUIRE(c.impl >= zcclCodecImplAuto && c.impl <= zcclCodecImplFast, zcclInvalidArgument,
               "codec: unknown implementation %d", c.impl);
  out->codec = c.impl == zcclCodecImplReference ? &referenceBlockCodec() : &fastBlockCodec();
  out->opts.mode = static_cast<uint8_t>(c.mode);
  out->opts.checksum = c.checksum == 1;
  return zcclSuccess;
}

zcclResult_t checkSegments(zcclDataType_t dtype, int nsegs, const size_t* segCounts, uint64_t* total) {
  ZCCL_REQUIRE(codecTraits(dtype).elemBytes != 0, zcclInvalidArgument, "codec: unknown dtype %d", dtype);
  ZCCL_REQUIRE(nsegs >= 0, zcclInvalidArgument, "codec: nsegs is negative (%d)", nsegs);
  ZCCL_REQUIRE(segCounts != nullptr || nsegs == 0, zcclInvalidArgument, "codec: segCounts is NULL");
  uint64_t sum = 0;
  for (int p = 0; p < nsegs; ++p) {
    ZCCL_REQUIRE(segCounts[p] <= (uint64_t{1} << 59) && sum + segCounts[p] <= (uint64_t{1} << 59), zcclInvalidArgument,
                 "codec: segment counts are too large");
    sum += segCounts[p];
  }
  *total = sum;
  return zcclSuccess;
}

}  // namespace
}  // namespace zccl::codec

using namespace zccl::codec;

extern "C" zcclResult_t zcclCodecMaxCompressedSize(size_t count, zcclDataType_t dtype, size_t* bound) {
  return maxFrameBytes(dtype, count, bound);
}

extern "C" zcclResult_t zcclCodecCompress(const void* in, size_t count, zcclDataType_t dtype, void* out,
                                          size_t outCapacity, size_t* outBytes, const zcclCodecConfig_t* config) {
  ResolvedConfig rc;
  ZCCL_CHECK(resolveConfig(config, &rc));
  return encodeFrame(*rc.codec, dtype, static_cast<const uint8_t*>(in), count, rc.opts, static_cast<uint8_t*>(out),
                     outCapacity, outBytes);
}

extern "C" zcclResult_t zcclCodecDecompress(const void* in, size_t inBytes, void* out, size_t count,
                                            zcclDataType_t dtype, size_t* frameBytes, const zcclCodecConfig_t* config) {
  ResolvedConfig rc;
  ZCCL_CHECK(resolveConfig(config, &rc));
  ZCCL_REQUIRE(codecTraits(dtype).elemBytes != 0, zcclInvalidArgument, "codec: unknown dtype %d", dtype);
  return decodeFrame(*rc.codec, static_cast<const uint8_t*>(in), inBytes, dtype, count, static_cast<uint8_t*>(out),
                     frameBytes);
}

extern "C" zcclResult_t zcclCodecCompressSegments(const void* in, zcclDataType_t dtype, int nsegs,
                                                  const size_t* segCounts, void* out, size_t outCapacity,
                                                  size_t* frameBytes, const zcclCodecConfig_t* config) {
  ResolvedConfig rc;
  ZCCL_CHECK(resolveConfig(config, &rc));
  uint64_t total = 0;
  ZCCL_CHECK(checkSegments(dtype, nsegs, segCounts, &total));
  ZCCL_REQUIRE(frameBytes != nullptr || nsegs == 0, zcclInvalidArgument, "codec: frameBytes is NULL");
  const size_t elemBytes = codecTraits(dtype).elemBytes;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  size_t used = 0;
  for (int p = 0; p < nsegs; ++p) {
    ZCCL_CHECK(
        encodeFrame(*rc.codec, dtype, src, segCounts[p], rc.opts, dst + used, outCapacity - used, &frameBytes[p]));
    used += frameBytes[p];
    if (src != nullptr) src += segCounts[p] * elemBytes;
  }
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCodecDecompressSegments(const void* in, size_t inBytes, zcclDataType_t dtype, int nsegs,
                                                    const size_t* segCounts, void* out,
                                                    const zcclCodecConfig_t* config) {
  ResolvedConfig rc;
  ZCCL_CHECK(resolveConfig(config, &rc));
  uint64_t total = 0;
  ZCCL_CHECK(checkSegments(dtype, nsegs, segCounts, &total));
  const size_t elemBytes = codecTraits(dtype).elemBytes;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  size_t used = 0;
  for (int p = 0; p < nsegs; ++p) {
    size_t bytes = 0;
    ZCCL_CHECK(decodeFrame(*rc.codec, src + used, inBytes - used, dtype, segCounts[p], dst, &bytes));
    used += bytes;
    if (dst != nullptr) dst += segCounts[p] * elemBytes;
  }
  return zcclSuccess;
}

extern "C" zcclResult_t zcclCodecGetFrameInfo(const void* in, size_t inBytes, zcclCodecFrameInfo_t* info) {
  ZCCL_REQUIRE(info != nullptr, zcclInvalidArgument, "codec: info is NULL");
  FrameHeader h;
  ZCCL_CHECK(readFrameHeader(static_cast<const uint8_t*>(in), inBytes, &h));
  info->count = h.count;
  info->frameBytes = h.frameBytes;
  info->dtype = static_cast<zcclDataType_t>(h.dtype);
  info->mode = static_cast<zcclCodecMode_t>(h.mode);
  info->hasChecksum = (h.flags & kFlagChecksum) != 0;
  return zcclSuccess;
}

extern "C" const char* zcclCodecFastTarget(void) { return fastCodecTarget(); }
