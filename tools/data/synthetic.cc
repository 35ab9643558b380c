#include "synthetic.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "float_convert.h"

namespace zccl::data {
namespace {

struct Rng {
  uint64_t state;
  uint64_t next() { return splitmix64(&state); }
  // Uniform in (0, 1).
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  double gaussian() {
    // Box-Muller; one value per call keeps the stream simple.
    return std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
  }
};

double drawValue(const SyntheticSpec& spec, Rng& rng) {
  switch (spec.kind) {
    case SyntheticSpec::kGaussian:
      return spec.sigma * rng.gaussian();
    case SyntheticSpec::kLaplace: {
      double u = rng.uniform() - 0.5;
      return -spec.sigma * (u < 0 ? -1.0 : 1.0) * std::log(1.0 - 2.0 * std::fabs(u));
    }
    case SyntheticSpec::kStudentT: {
      // t = Z / sqrt(chi2_nu / nu), chi2 as a sum of squared normals (nu rounded up).
      int terms = static_cast<int>(std::ceil(spec.nu));
      double chi2 = 0;
      for (int i = 0; i < terms; ++i) {
        double g = rng.gaussian();
        chi2 += g * g;
      }
      return spec.sigma * rng.gaussian() / std::sqrt(chi2 / terms);
    }
    case SyntheticSpec::kZeros:
      return rng.uniform() < spec.fraction ? 0.0 : spec.sigma * rng.gaussian();
    case SyntheticSpec::kRandom:
      break;
  }
  return 0.0;
}

}  // namespace

bool parseSyntheticSpec(const std::string& text, SyntheticSpec* spec, std::string* error) {
  std::string name = text, arg;
  size_t colon = text.find(':');
  if (colon != std::string::npos) {
    name = text.substr(0, colon);
    arg = text.substr(colon + 1);
  }
  double value = 0;
  bool hasValue = false;
  if (!arg.empty()) {
    char* end = nullptr;
    value = std::strtod(arg.c_str(), &end);
    if (end == arg.c_str() || *end != '\0' || !std::isfinite(value)) {
      *error = "bad number '" + arg + "' in '" + text + "'";
      return false;
    }
    hasValue = true;
  }
  SyntheticSpec s;
  if (name == "gaussian") {
    s.kind = SyntheticSpec::kGaussian;
    if (hasValue) s.sigma = value;
    if (s.sigma <= 0) return *error = "gaussian sigma must be > 0", false;
  } else if (name == "laplace") {
    s.kind = SyntheticSpec::kLaplace;
    if (hasValue) s.sigma = value;
  } else if (name == "student-t") {
    s.kind = SyntheticSpec::kStudentT;
    if (hasValue) s.nu = value;
    if (s.nu < 1 || s.nu > 1000) return *error = "student-t needs 1 <= NU <= 1000", false;
  } else if (name == "zeros") {
    s.kind = SyntheticSpec::kZeros;
    if (hasValue) s.fraction = value;
    if (s.fraction < 0 || s.fraction > 1) return *error = "zeros:FRACTION needs 0 <= FRACTION <= 1", false;
  } else if (name == "random") {
    s.kind = SyntheticSpec::kRandom;
  } else {
    *error = "unknown distribution '" + name + "' (gaussian[:SIGMA], laplace, student-t:NU, zeros:FRACTION, random)";
    return false;
  }
  *spec = s;
  return true;
}

size_t syntheticElemBytes(zcclDataType_t dtype) {
  switch (dtype) {
    case zcclBfloat16:
    case zcclFloat16:
      return 2;
    case zcclFloat32:
      return 4;
    default:
      return 0;
  }
}

std::vector<uint8_t> makeSynthetic(const SyntheticSpec& spec, zcclDataType_t dtype, size_t count, uint64_t seed) {
  const size_t elemBytes = syntheticElemBytes(dtype);
  std::vector<uint8_t> out(count * elemBytes);
  Rng rng{seed};
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    if (spec.kind == SyntheticSpec::kRandom) {
      bits = static_cast<uint32_t>(rng.next());
    } else {
      float f = static_cast<float>(drawValue(spec, rng));
      bits = dtype == zcclFloat32 ? floatBits(f) : dtype == zcclBfloat16 ? floatToBf16(f) : floatToFp16(f);
    }
    std::memcpy(out.data() + i * elemBytes, &bits, elemBytes);
  }
  return out;
}

bool parseFloatDtype(const std::string& text, zcclDataType_t* dtype) {
  if (text == "bf16" || text == "bfloat16") return *dtype = zcclBfloat16, true;
  if (text == "fp16" || text == "half" || text == "float16") return *dtype = zcclFloat16, true;
  if (text == "fp32" || text == "float" || text == "float32") return *dtype = zcclFloat32, true;
  return false;
}

const char* dtypeName(zcclDataType_t dtype) {
  static const char* kNames[] = {"int8",    "uint8",   "int32",   "uint32",   "int64",   "uint64",
                                 "float16", "float32", "float64", "bfloat16", "fp8e4m3", "fp8e5m2"};
  int i = static_cast<int>(dtype);
  return i >= 0 && i < 12 ? kNames[i] : "unknown";
}

}  // namespace zccl::data
