// libFuzzer target: arbitrary bytes as a frame. Both decoders must agree on whether the frame is
// valid and, when it is, on every decoded byte; neither may crash, hang or touch memory outside
// the input and output (AddressSanitizer). Seed corpus: tests/golden/*.zcf. Most mutations fail
// the header checksum here: decode_repaired_fuzz.cc and decode_tables_fuzz.cc reach further.
//   decode_fuzz -max_total_time=60 tests/golden
#include "fuzz/fuzz_decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zccl::fuzz::decodeWithBoth(data, size);
  return 0;
}
