// TEST STAND-IN: NCCL's reduction operators over host memory, for the host stand-in NCCL.
//
// Semantics follow NCCL 2.28: sum, prod, max, min per element in the datatype (half, bfloat16 and
// fp8 computed in float and rounded to the type after every step, integers wrapping); avg of
// floating types is a PreMulSum by 1/nranks (the scalar rounded to the type), avg of integers a
// sum divided by nranks afterwards (truncating); PreMulSum multiplies each rank's input by the
// scalar (in the type) before summing. Contributions are combined in rank order 0, 1, ..., so a
// result is deterministic (real NCCL's order depends on its ring or tree and is not).
#pragma once

#include <nccl.h>

#include <cstddef>
#include <cstdint>

namespace nccl_standin {

size_t typeBytes(ncclDataType_t t);  // 0 for an invalid type

enum class Kind { kSum, kProd, kMax, kMin, kPreMulSum, kSumPostDiv };

struct Reduction {
  Kind kind = Kind::kSum;
  ncclDataType_t type = ncclFloat32;
  uint8_t scalar[8] = {};  // kPreMulSum: one element of `type`
  uint64_t divisor = 1;    // kSumPostDiv
};

// How `op` (a built-in, not a PreMulSum handle) reduces `type` over `nranks`.
Reduction builtinReduction(ncclRedOp_t op, ncclDataType_t type, int nranks);

// out[i] = reduction over s = 0..n-1 (in order) of in[s][i]; out may alias in[0] only.
void reduce(const Reduction& r, const void* const* in, int n, size_t count, void* out);

}  // namespace nccl_standin
