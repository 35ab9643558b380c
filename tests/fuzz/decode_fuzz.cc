// libFuzzer target: arbitrary bytes as a frame. Both decoders must agree on whether the frame is
// valid and, when it is, on every decoded byte; neither may crash, hang or touch memory outside
// the input and output (AddressSanitizer). Seed corpus: tests/golden/*.zcf.
//   decode_fuzz -max_total_time=60 tests/golden
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "zccl/zccl_codec.h"

namespace {

constexpr size_t kMaxOutputBytes = 64u << 20;

zcclCodecConfig_t config(zcclCodecImpl_t impl) {
  zcclCodecConfig_t c = ZCCL_CODEC_CONFIG_INITIALIZER;
  c.impl = impl;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zcclCodecFrameInfo_t info;
  if (zcclCodecGetFrameInfo(data, size, &info) != zcclSuccess) return 0;
  if (info.count > kMaxOutputBytes / 8) return 0;  // the header was valid; skip absurd allocations
  const size_t outBytes = info.count * 8;
  std::vector<uint8_t> ref(outBytes + 64, 0xEE), fast(outBytes + 64, 0xEE);
  const zcclCodecConfig_t rc = config(zcclCodecImplReference), fc = config(zcclCodecImplFast);
  const zcclResult_t a = zcclCodecDecompress(data, size, ref.data(), info.count, info.dtype, nullptr, &rc);
  const zcclResult_t b = zcclCodecDecompress(data, size, fast.data(), info.count, info.dtype, nullptr, &fc);
  if (a != b) std::abort();                           // the two decoders disagree about validity
  if (a == zcclSuccess && ref != fast) std::abort();  // or about the decoded bytes
  return 0;
}
