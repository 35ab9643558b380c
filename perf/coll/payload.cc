#include "payload.h"

#include <algorithm>
#include <cstring>

#include "common/dtype_size.h"
#include "common/reduce_ops.h"
#include "synthetic.h"
#include "tensor_file.h"

namespace zccl::perf {
namespace {

bool isFileSpec(const std::string& s) {
  return s.find(".safetensors") != std::string::npos || s.find(".npy") != std::string::npos;
}

// One element of a float dtype (bf16, fp16, fp32) as fp32, and back (round-to-nearest-even): the
// library's own conversions. Elements are little-endian, as everywhere in ZipCCL.
float toFloat(zcclDataType_t d, const uint8_t* p) {
  uint64_t x = 0;  // as wide as any dtype
  std::memcpy(&x, p, dtypeBytes(d));
  return elementToFloat(d, static_cast<uint32_t>(x));
}

// Also fp64, which takes the fp32 value widened (exactly).
void fromFloat(zcclDataType_t d, float f, uint8_t* p) {
  if (d == zcclFloat64) {
    const double x = f;
    std::memcpy(p, &x, 8);
    return;
  }
  const uint64_t x = floatToElement(d, f);
  std::memcpy(p, &x, dtypeBytes(d));
}

// Random bits, for the dtypes ZipCCL does not compress.
void fillRandom(uint64_t seed, uint8_t* out, size_t bytes) {
  uint64_t s = seed;
  for (size_t i = 0; i < bytes; i += 8) {
    const uint64_t z = data::splitmix64(&s);
    std::memcpy(out + i, &z, std::min<size_t>(8, bytes - i));
  }
}

}  // namespace

bool Payload::load(const std::string& spec, std::string* error) {
  spec_ = spec;
  fromFile_ = isFileSpec(spec);
  if (!fromFile_) return data::parseSyntheticSpec(spec, &synthetic_, error);

  std::string path = spec, tensor;
  size_t ext = spec.rfind(".safetensors"), extLen = 12;
  if (ext == std::string::npos) {
    ext = spec.rfind(".npy");
    extLen = 4;
  }
  const size_t colon = spec.find(':', ext + extLen);
  if (colon != std::string::npos) {
    path = spec.substr(0, colon);
    tensor = spec.substr(colon + 1);
  }
  data::TensorFile tf;
  if (!data::readTensorFile(path, &tf, error)) return false;
  fileBytes_.clear();
  fileTensors_ = 0;
  for (const data::Tensor& t : tf.tensors) {
    if (!tensor.empty() && t.name != tensor) continue;
    if (fileTensors_ == 0) fileDtype_ = t.dtype;
    if (t.dtype != fileDtype_) continue;  // one dtype per payload: the first tensor's
    fileBytes_.insert(fileBytes_.end(), t.bytes.begin(), t.bytes.end());
    ++fileTensors_;
  }
  if (fileBytes_.empty()) {
    *error = tensor.empty() ? path + ": no bf16, fp16 or fp32 tensor in the file"
                            : path + ": no bf16, fp16 or fp32 tensor named '" + tensor + "'";
    return false;
  }
  return true;
}

std::string Payload::describe() const {
  if (!fromFile_) return spec_ + " (synthetic, seeded per rank)";
  return spec_ + " (" + std::to_string(fileTensors_) + " tensor(s), " + std::to_string(fileBytes_.size()) +
         " bytes of " +
         (fileDtype_ == zcclBfloat16  ? "bf16"
          : fileDtype_ == zcclFloat16 ? "fp16"
                                      : "fp32") +
         ", rotated per rank and repeated)";
}

std::vector<uint8_t> Payload::make(zcclDataType_t dtype, int rank, size_t bytes) const {
  std::vector<uint8_t> out(bytes);
  const uint64_t seed = 0x5EEDull * 1000003u + static_cast<uint64_t>(rank) * 7919u;
  const bool floatType = dtype == zcclBfloat16 || dtype == zcclFloat16 || dtype == zcclFloat32 || dtype == zcclFloat64;
  if (!floatType || (!fromFile_ && synthetic_.kind == data::SyntheticSpec::kRandom)) {
    fillRandom(seed, out.data(), bytes);
    return out;
  }
  const size_t eb = dtypeBytes(dtype), count = bytes / eb;
  if (!fromFile_) {
    if (dtype != zcclFloat64) return data::makeSynthetic(synthetic_, dtype, count, seed);
    const std::vector<uint8_t> f32 = data::makeSynthetic(synthetic_, zcclFloat32, count, seed);
    for (size_t i = 0; i < count; ++i) fromFloat(zcclFloat64, toFloat(zcclFloat32, &f32[i * 4]), &out[i * 8]);
    return out;
  }
  // A file: element k of the payload is element (k + shift) mod n of the file, converted.
  const size_t fb = dtypeBytes(fileDtype_), n = fileBytes_.size() / fb;
  const size_t shift = (static_cast<size_t>(rank) * 1000003u) % n;
  for (size_t k = 0; k < count; ++k) {
    const uint8_t* src = &fileBytes_[((k + shift) % n) * fb];
    if (dtype == fileDtype_) {
      std::memcpy(&out[k * eb], src, eb);
    } else {
      fromFloat(dtype, toFloat(fileDtype_, src), &out[k * eb]);
    }
  }
  return out;
}

}  // namespace zccl::perf
