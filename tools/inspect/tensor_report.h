// What zccl-inspect measures for one tensor: exponent entropy and its size bound, the size ratio
// of each codec mode, single-thread codec speed, zstd -1 on the same bytes, and a bit-exact
// round trip. Rows add up into per-file and total rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl::inspect {

struct Row {
  std::string name;
  std::string dtype;  // "bfloat16", "float16", "float32" or "mixed"
  uint64_t elements = 0;
  uint64_t rawBytes = 0;
  double expEntropyBits = 0;  // element-weighted over tensors for aggregate rows
  double boundBytes = 0;      // exponent-only bound: raw minus what ideal exponent coding saves
  uint64_t storedBytes = 0;   // frame size in each codec mode
  uint64_t windowBytes = 0;
  double compressSeconds = 0;  // best of the repeats (sum of bests for aggregate rows)
  double decompressSeconds = 0;
  uint64_t zstdBytes = 0;
  double zstdCompressSeconds = 0;
  double zstdDecompressSeconds = 0;
  bool roundtripOk = true;

  double boundRatio() const { return rawBytes ? boundBytes / rawBytes : 0; }
  double ratio(uint64_t bytes) const { return rawBytes ? static_cast<double>(bytes) / rawBytes : 0; }
  double gbps(double seconds) const { return seconds > 0 ? rawBytes / seconds / 1e9 : 0; }
  void add(const Row& other);  // accumulates other into this aggregate row
};

struct MeasureOptions {
  int repeats = 3;  // timing: best of this many runs
};

// Measures one tensor of `count` elements of `dtype` (bf16, fp16 or fp32) held in `bytes`.
Row measureTensor(const std::string& name, zcclDataType_t dtype, const uint8_t* bytes, uint64_t count,
                  const MeasureOptions& opts);

void printTable(const std::vector<Row>& rows, const Row& total, bool showTotalSeparator);
// One JSON object: {"codec_target": ..., "tensors": [...], "files": [...], "total": {...}}.
void printJson(const std::vector<Row>& tensors, const std::vector<Row>& files, const Row& total);

}  // namespace zccl::inspect
