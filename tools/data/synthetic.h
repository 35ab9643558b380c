// Deterministic synthetic tensors for tests, benchmarks and zccl-inspect: the distributions
// training tensors resemble (Gaussian, Laplace, Student-t), zero-heavy data, and random bits.
// The same (spec, dtype, count, seed) always gives the same bytes on the same platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl::data {

struct SyntheticSpec {
  enum Kind { kGaussian, kLaplace, kStudentT, kZeros, kRandom } kind = kGaussian;
  double sigma = 1.0;     // scale (gaussian:SIGMA)
  double nu = 3.0;        // degrees of freedom (student-t:NU)
  double fraction = 0.5;  // share of exact zeros, the rest Gaussian (zeros:FRACTION)
};

// splitmix64: small, fast, and identical everywhere (unlike std:: distributions). Advances *state
// and returns the next 64 random bits; the generator behind every synthetic payload.
inline uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Parses "gaussian[:SIGMA]", "laplace", "student-t:NU", "zeros:FRACTION" or "random".
// Returns false and sets *error on a malformed spec.
bool parseSyntheticSpec(const std::string& text, SyntheticSpec* spec, std::string* error);

// Element size of a float dtype this module can generate (bf16, fp16, fp32), else 0.
size_t syntheticElemBytes(zcclDataType_t dtype);

// `count` elements of `dtype` drawn from `spec` with `seed`, as little-endian bytes.
std::vector<uint8_t> makeSynthetic(const SyntheticSpec& spec, zcclDataType_t dtype, size_t count, uint64_t seed);

// Parses "bf16", "fp16", "fp32" (and NCCL-ish spellings); false if unknown.
bool parseFloatDtype(const std::string& text, zcclDataType_t* dtype);
const char* dtypeName(zcclDataType_t dtype);

}  // namespace zccl::data
