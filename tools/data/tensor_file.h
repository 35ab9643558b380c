// Readers for the tensor files users have: .safetensors (many named tensors) and .npy (one).
// Only float tensors the codec knows (BF16, F16, F32) are returned; other dtypes are listed as
// skipped. Every malformed or truncated file gets an error naming the file and the problem;
// nothing is read outside the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl::data {

struct Tensor {
  std::string name;
  zcclDataType_t dtype = zcclFloat32;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;  // little-endian elements
  size_t count() const;
};

struct TensorFile {
  std::string path;
  std::vector<Tensor> tensors;       // in file order
  std::vector<std::string> skipped;  // "name (DTYPE)" of tensors of other dtypes
};

// Reads path (by extension: .safetensors or .npy). Returns false and sets *error otherwise.
bool readTensorFile(const std::string& path, TensorFile* out, std::string* error);

// Same, on an in-memory image of the file (used by tests and fuzzing); `path` names it in errors.
bool parseSafetensors(const std::string& path, const std::vector<uint8_t>& file, TensorFile* out, std::string* error);
bool parseNpy(const std::string& path, const std::vector<uint8_t>& file, TensorFile* out, std::string* error);

// The bytes of all of tf's tensors, one after another in file order (mixed dtypes are not
// separated: callers that need one dtype check it themselves).
std::vector<uint8_t> concatTensors(const TensorFile& tf);

// Directories holding the project's real tensors: $ZCCL_DATA_DIR, then ../shared/data relative to
// the source tree and to the working directory. Returns the .safetensors files found, sorted.
std::vector<std::string> findSharedTensorFiles();

}  // namespace zccl::data
