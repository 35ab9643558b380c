#include "tensor_file.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "json_lite.h"

namespace zccl::data {
namespace {

namespace fs = std::filesystem;

bool fail(std::string* error, const std::string& path, const std::string& what) {
  *error = path + ": " + what;
  return false;
}

// Element count of a shape, false on overflow.
bool shapeCount(const std::vector<uint64_t>& shape, uint64_t* count) {
  uint64_t n = 1;
  for (uint64_t d : shape) {
    if (d != 0 && n > UINT64_MAX / d) return false;
    n *= d;
  }
  *count = n;
  return true;
}

bool safetensorsDtype(const std::string& name, zcclDataType_t* dtype) {
  if (name == "BF16") return *dtype = zcclBfloat16, true;
  if (name == "F16") return *dtype = zcclFloat16, true;
  if (name == "F32") return *dtype = zcclFloat32, true;
  return false;
}

bool jsonUint(const JsonValue& v, uint64_t* out) {
  if (v.type != JsonValue::kNumber || v.text.empty()) return false;
  for (char c : v.text) {
    if (c < '0' || c > '9') return false;
  }
  if (v.text.size() > 19) return false;
  *out = std::strtoull(v.text.c_str(), nullptr, 10);
  return true;
}

}  // namespace

size_t Tensor::count() const {
  size_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

std::vector<uint8_t> concatTensors(const TensorFile& tf) {
  size_t bytes = 0;
  for (const Tensor& t : tf.tensors) bytes += t.bytes.size();
  std::vector<uint8_t> all;
  all.reserve(bytes);
  for (const Tensor& t : tf.tensors) all.insert(all.end(), t.bytes.begin(), t.bytes.end());
  return all;
}

bool parseSafetensors(const std::string& path, const std::vector<uint8_t>& file, TensorFile* out, std::string* error) {
  if (file.size() < 8) return fail(error, path, "truncated: " + std::to_string(file.size()) + " bytes, need 8");
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | file[i];
  if (headerLen > file.size() - 8)
    return fail(error, path,
                "header length " + std::to_string(headerLen) + " exceeds the file (" + std::to_string(file.size()) +
                    " bytes): truncated or not a safetensors file");
  std::string header(reinterpret_cast<const char*>(file.data() + 8), headerLen);
  JsonValue root;
  std::string jsonError;
  if (!parseJson(header, &root, &jsonError)) return fail(error, path, "malformed header JSON: " + jsonError);
  if (root.type != JsonValue::kObject) return fail(error, path, "header is not a JSON object");
  const uint64_t dataStart = 8 + headerLen;
  const uint64_t dataBytes = file.size() - dataStart;
  TensorFile result;
  result.path = path;
  for (const auto& [name, info] : root.object) {
    if (name == "__metadata__") continue;
    const JsonValue* dtype = info.find("dtype");
    const JsonValue* shape = info.find("shape");
    const JsonValue* offsets = info.find("data_offsets");
    if (info.type != JsonValue::kObject || dtype == nullptr || dtype->type != JsonValue::kString || shape == nullptr ||
        shape->type != JsonValue::kArray || offsets == nullptr || offsets->type != JsonValue::kArray ||
        offsets->array.size() != 2)
      return fail(error, path, "tensor '" + name + "': needs dtype, shape and data_offsets [begin, end]");
    Tensor t;
    t.name = name;
    for (const JsonValue& d : shape->array) {
      uint64_t dim;
      if (!jsonUint(d, &dim)) return fail(error, path, "tensor '" + name + "': shape holds a non-integer");
      t.shape.push_back(dim);
    }
    uint64_t begin, end, count;
    if (!jsonUint(offsets->array[0], &begin) || !jsonUint(offsets->array[1], &end) || begin > end)
      return fail(error, path, "tensor '" + name + "': bad data_offsets");
    if (end > dataBytes)
      return fail(error, path,
                  "tensor '" + name + "': data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                      "] exceed the " + std::to_string(dataBytes) + " data bytes (truncated file?)");
    if (!safetensorsDtype(dtype->text, &t.dtype)) {
      result.skipped.push_back(name + " (" + dtype->text + ")");
      continue;
    }
    const uint64_t elemBytes = t.dtype == zcclFloat32 ? 4 : 2;
    if (!shapeCount(t.shape, &count) || count > (end - begin) / elemBytes || count * elemBytes != end - begin)
      return fail(error, path,
                  "tensor '" + name + "': shape does not match its " + std::to_string(end - begin) + " data bytes");
    t.bytes.assign(file.begin() + static_cast<ptrdiff_t>(dataStart + begin),
                   file.begin() + static_cast<ptrdiff_t>(dataStart + end));
    result.tensors.push_back(std::move(t));
  }
  *out = std::move(result);
  return true;
}

bool parseNpy(const std::string& path, const std::vector<uint8_t>& file, TensorFile* out, std::string* error) {
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (file.size() < 10 || std::memcmp(file.data(), kMagic, 6) != 0)
    return fail(error, path, "not a .npy file (missing \\x93NUMPY magic)");
  const uint8_t major = file[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = file[8] | (file[9] << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (file.size() < 12) return fail(error, path, "truncated header");
    headerLen =
        file[8] | (file[9] << 8) | (static_cast<size_t>(file[10]) << 16) | (static_cast<size_t>(file[11]) << 24);
    headerStart = 12;
  } else {
    return fail(error, path, "unsupported .npy version " + std::to_string(major));
  }
  if (headerLen > file.size() - headerStart) return fail(error, path, "header length exceeds the file (truncated?)");
  const std::string header(reinterpret_cast<const char*>(file.data() + headerStart), headerLen);
  auto field = [&](const char* key) -> std::string {
    size_t at = header.find(std::string("'") + key + "'");
    if (at == std::string::npos) return "";
    at = header.find(':', at);
    return at == std::string::npos ? "" : header.substr(at + 1);
  };
  std::string descr = field("descr"), fortran = field("fortran_order"), shapeText = field("shape");
  if (descr.empty() || fortran.empty() || shapeText.empty())
    return fail(error, path, "header lacks descr, fortran_order or shape");
  size_t q1 = descr.find('\''), q2 = descr.find('\'', q1 + 1);
  if (q1 == std::string::npos || q2 == std::string::npos) return fail(error, path, "malformed descr");
  descr = descr.substr(q1 + 1, q2 - q1 - 1);
  Tensor t;
  t.name = fs::path(path).stem().string();
  if (descr == "<f4")
    t.dtype = zcclFloat32;
  else if (descr == "<f2")
    t.dtype = zcclFloat16;
  else if (descr == "<V2" || descr == "bfloat16")
    t.dtype = zcclBfloat16;  // ml_dtypes' bfloat16
  else
    return fail(error, path, "unsupported dtype '" + descr + "' (need little-endian f4, f2 or bfloat16)");
  if (fortran.find("True") < fortran.find(',')) return fail(error, path, "fortran_order arrays are not supported");
  size_t open = shapeText.find('('), close = shapeText.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return fail(error, path, "malformed shape");
  std::string dims = shapeText.substr(open + 1, close - open - 1);
  size_t pos = 0;
  while (pos < dims.size()) {
    while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
    if (pos >= dims.size()) break;
    size_t endPos = pos;
    while (endPos < dims.size() && dims[endPos] >= '0' && dims[endPos] <= '9') ++endPos;
    if (endPos == pos || endPos - pos > 19) return fail(error, path, "malformed shape");
    t.shape.push_back(std::strtoull(dims.c_str() + pos, nullptr, 10));
    pos = endPos;
  }
  uint64_t count;
  const uint64_t elemBytes = t.dtype == zcclFloat32 ? 4 : 2;
  const uint64_t dataBytes = file.size() - headerStart - headerLen;
  if (!shapeCount(t.shape, &count) || count > dataBytes / elemBytes)
    return fail(error, path, "data shorter than its shape needs (truncated?)");
  const size_t dataStart = headerStart + headerLen;
  t.bytes.assign(file.begin() + static_cast<ptrdiff_t>(dataStart),
                 file.begin() + static_cast<ptrdiff_t>(dataStart + count * elemBytes));
  TensorFile result;
  result.path = path;
  result.tensors.push_back(std::move(t));
  *out = std::move(result);
  return true;
}

bool readTensorFile(const std::string& path, TensorFile* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(error, path, "cannot open: " + std::string(std::strerror(errno)));
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".safetensors") return parseSafetensors(path, file, out, error);
  if (ext == ".npy") return parseNpy(path, file, out, error);
  return fail(error, path, "unknown file type (expected .safetensors or .npy)");
}

std::vector<std::string> findSharedTensorFiles() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("ZCCL_DATA_DIR"); env != nullptr && *env != '\0') roots.emplace_back(env);
#ifdef ZCCL_SOURCE_DIR
  roots.push_back(fs::path(ZCCL_SOURCE_DIR) / ".." / "shared" / "data");
#endif
  roots.push_back(fs::current_path() / ".." / "shared" / "data");
  std::vector<std::string> files;
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    for (fs::recursive_directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".safetensors")
        files.push_back(fs::weakly_canonical(it->path(), ec).string());
    }
    if (!files.empty()) break;
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace zccl::data
