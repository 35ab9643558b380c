// Shared by the decoder fuzz targets: both decoders must agree on whether a frame is valid and,
// when it is, on every decoded byte; neither may crash or touch memory outside the input and
// output (AddressSanitizer). Aborts on disagreement.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "codec/format.h"
#include "codec/hash.h"
#include "zccl/zccl_codec.h"

namespace zccl::fuzz {

inline void decodeWithBoth(const uint8_t* data, size_t size) {
  constexpr size_t kMaxOutputBytes = 64u << 20;
  zcclCodecFrameInfo_t info;
  if (zcclCodecGetFrameInfo(data, size, &info) != zcclSuccess) return;
  if (info.count > kMaxOutputBytes / 8) return;
  const size_t outBytes = info.count * 8;
  std::vector<uint8_t> ref(outBytes + 64, 0xEE), fast(outBytes + 64, 0xEE);
  zcclCodecConfig_t rc = ZCCL_CODEC_CONFIG_INITIALIZER, fc = ZCCL_CODEC_CONFIG_INITIALIZER;
  rc.impl = zcclCodecImplReference;
  fc.impl = zcclCodecImplFast;
  const zcclResult_t a = zcclCodecDecompress(data, size, ref.data(), info.count, info.dtype, nullptr, &rc);
  const zcclResult_t b = zcclCodecDecompress(data, size, fast.data(), info.count, info.dtype, nullptr, &fc);
  if (a != b) std::abort();
  if (a == zcclSuccess && ref != fast) std::abort();
}

// Makes the 32-byte header self-consistent where a mutation broke it trivially: the magic, the
// frame size (the bytes present) and the header checksum, so that mutations reach the checks
// and the block decoders behind them.
inline void repairHeader(std::vector<uint8_t>* frame) {
  if (frame->size() < codec::kFrameHeaderBytes) return;
  uint8_t* h = frame->data();
  const uint32_t magic = codec::kFrameMagic;
  for (int i = 0; i < 4; ++i) h[i] = static_cast<uint8_t>(magic >> (8 * i));
  const uint64_t bytes = frame->size();
  for (int i = 0; i < 8; ++i) h[16 + i] = static_cast<uint8_t>(bytes >> (8 * i));
  const uint32_t check = codec::hashBytes(h, 28);
  for (int i = 0; i < 4; ++i) h[28 + i] = static_cast<uint8_t>(check >> (8 * i));
}

}  // namespace zccl::fuzz
