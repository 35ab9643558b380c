// libFuzzer target: arbitrary bytes as tensor data. The first byte picks the dtype and options;
// the rest is the tensor. Reference and fast frames must be byte-identical and decode bit-exactly.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "zccl/zccl_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const zcclDataType_t kTypes[] = {zcclBfloat16, zcclFloat16, zcclFloat32, zcclInt8};
  const zcclDataType_t dtype = kTypes[data[0] & 3];
  const size_t elemBytes = dtype == zcclFloat32 ? 4 : dtype == zcclInt8 ? 1 : 2;
  const size_t count = (size - 1) / elemBytes;
  const uint8_t* in = data + 1;
  size_t bound = 0;
  if (zcclCodecMaxCompressedSize(count, dtype, &bound) != zcclSuccess) std::abort();
  std::vector<uint8_t> a(bound), b(bound), out(count * elemBytes + 1);
  size_t aBytes = 0, bBytes = 0;
  zcclCodecConfig_t rc = ZCCL_CODEC_CONFIG_INITIALIZER, fc = ZCCL_CODEC_CONFIG_INITIALIZER;
  rc.impl = zcclCodecImplReference;
  fc.impl = zcclCodecImplFast;
  rc.checksum = fc.checksum = (data[0] >> 2) & 1;
  if (zcclCodecCompress(in, count, dtype, a.data(), a.size(), &aBytes, &rc) != zcclSuccess) std::abort();
  if (zcclCodecCompress(in, count, dtype, b.data(), b.size(), &bBytes, &fc) != zcclSuccess) std::abort();
  if (aBytes != bBytes || std::memcmp(a.data(), b.data(), aBytes) != 0) std::abort();
  if (zcclCodecDecompress(b.data(), bBytes, out.data(), count, dtype, nullptr, &fc) != zcclSuccess) std::abort();
  if (std::memcmp(out.data(), in, count * elemBytes) != 0) std::abort();
  return 0;
}
