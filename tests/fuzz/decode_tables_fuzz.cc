// libFuzzer target: a valid frame, then damage to its block tables and escape streams. The input
// is split: its first part is data (bf16, fp16 or fp32, chosen by the first byte) that is
// compressed into a well-formed frame; the rest is a list of (offset, xor byte) edits applied
// after the 32-byte header, to the block-end table, the code planes, escapes and checksums;
// the header is then repaired, and both decoders must agree.
//   decode_tables_fuzz -max_total_time=20 -max_len=20000
#include <vector>

#include "fuzz/fuzz_decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static const zcclDataType_t kTypes[] = {zcclBfloat16, zcclFloat16, zcclFloat32};
  const zcclDataType_t dtype = kTypes[data[0] % 3];
  const size_t eb = dtype == zcclFloat32 ? 4 : 2;
  const size_t split = 1 + (size - 1) * 3 / 4;  // 3/4 data, 1/4 edits
  const size_t count = (split - 1) / eb;
  if (count == 0) return 0;
  size_t bound = 0;
  if (zcclCodecMaxCompressedSize(count, dtype, &bound) != zcclSuccess) return 0;
  std::vector<uint8_t> frame(bound);
  size_t bytes = 0;
  zcclCodecConfig_t c = ZCCL_CODEC_CONFIG_INITIALIZER;
  c.checksum = data[0] & 8 ? 1 : 0;
  if (zcclCodecCompress(data + 1, count, dtype, frame.data(), frame.size(), &bytes, &c) != zcclSuccess) return 0;
  frame.resize(bytes);
  if (bytes <= zccl::codec::kFrameHeaderBytes) return 0;
  const size_t body = bytes - zccl::codec::kFrameHeaderBytes;
  for (size_t i = split; i + 2 < size; i += 3) {
    const size_t at = zccl::codec::kFrameHeaderBytes + (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % body;
    frame[at] ^= data[i + 2] != 0 ? data[i + 2] : 1;
  }
  zccl::fuzz::repairHeader(&frame);
  zccl::fuzz::decodeWithBoth(frame.data(), frame.size());
  return 0;
}
