// Element-wise reduction of host buffers for every ZipCCL dtype, the CPU side of the collectives:
// out[i] = op over sources s = 0..n-1, in that order. Floating types are widened (bf16, fp16,
// fp8, fp32 to fp32; fp64 stays fp64), combined with src/common/reduce_ops.h's rules (the same
// as the CUDA fused kernel) and rounded once; integers use their own arithmetic (sum and product
// wrap, avg is the sum divided by n, truncated toward zero).
//
// Accumulator form, for reductions whose sources arrive one at a time: start(), add() per
// source, finish(). The accumulator is fp32 (fp64 for fp64, the type itself for integers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl {

// out = op over `n` sources (count elements each); out may alias source 0.
void reduceBuffers(zcclDataType_t dtype, zcclRedOp_t op, const void* const* sources, int n, size_t count, void* out);

class ReduceAccumulator {
 public:
  ReduceAccumulator() = default;
  ReduceAccumulator(zcclDataType_t dtype, zcclRedOp_t op, size_t count) { reset(dtype, op, count); }
  // Starts a new reduction, keeping the storage of the previous one (no allocation once it is
  // large enough: an engine reduces every chunk of a collective with one accumulator).
  void reset(zcclDataType_t dtype, zcclRedOp_t op, size_t count);
  void add(const void* source);               // the next source, in order
  void finish(int sources, void* out) const;  // rounds and writes count elements
  // The accumulator as the dtype rounded (what a ring hop sends on), without avg's division.
  void partial(void* out) const;

 private:
  zcclDataType_t dtype_ = zcclFloat32;
  zcclRedOp_t op_ = zcclSum;
  size_t count_ = 0;
  int added_ = 0;
  std::vector<uint8_t> acc_;  // count_ accumulator elements
};

}  // namespace zccl
