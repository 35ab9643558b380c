// libFuzzer target: arbitrary bytes as a frame, with the header repaired (magic, frame size,
// header checksum) before decoding, so nearly every mutation reaches the table and block checks
// and the block decoders instead of failing the header checksum (decode_fuzz.cc). Seed corpus:
// tests/golden/*.zcf.
//   decode_repaired_fuzz -max_total_time=20 tests/golden
#include <vector>

#include "fuzz/fuzz_decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> frame(data, data + size);
  zccl::fuzz::repairHeader(&frame);
  zccl::fuzz::decodeWithBoth(frame.data(), frame.size());
  return 0;
}
