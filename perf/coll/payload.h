// The data the perf binaries send (-D). nccl-tests fills buffers with random bits, which no
// lossless codec can shrink; ZipCCL's binaries default to what training tensors look like and can
// use real tensors:
//   gaussian[:SIGMA] | laplace | student-t:NU | zeros:FRACTION | random  synthetic, seeded per rank
//   FILE.safetensors[:TENSOR] | FILE.npy                            a tensor file
// Every rank gets different data of the same kind: synthetic data is drawn with a rank-dependent
// seed; a file's float tensors (or the named one) are concatenated, rotated by a rank-dependent
// offset and repeated to the size asked for. bf16/fp16/fp32 payloads are generated (or read) in
// the dtype itself; fp64 gets fp32 values widened exactly; integer and fp8 dtypes, which ZipCCL
// sends uncompressed, get random bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "synthetic.h"
#include "zccl/zccl_types.h"

namespace zccl::perf {

class Payload {
 public:
  // Parses the spec and, for a file, reads it. False with *error on a bad spec or file.
  bool load(const std::string& spec, std::string* error);

  // The dtype of the file's tensors, if the payload is a file (the binaries' default -d then).
  bool fromFile() const { return fromFile_; }
  zcclDataType_t fileDtype() const { return fileDtype_; }
  // One line for the output header: what the payload is and where it came from.
  std::string describe() const;

  // `bytes` bytes (a whole number of elements of dtype) of rank `rank`'s payload.
  std::vector<uint8_t> make(zcclDataType_t dtype, int rank, size_t bytes) const;

 private:
  std::string spec_;
  bool fromFile_ = false;
  data::SyntheticSpec synthetic_;
  zcclDataType_t fileDtype_ = zcclFloat32;
  std::vector<uint8_t> fileBytes_;  // the file's tensors of fileDtype_, concatenated
  size_t fileTensors_ = 0;
};

}  // namespace zccl::perf
