// Element-wise reductions of ZipCCL's collectives, shared by the CPU algorithms and the CUDA
// fused decode-reduce kernel so that both give the same bits. Elements are widened to fp32,
// combined in source order, and rounded once to the dtype (round-to-nearest-even):
//   sum, avg   acc + v   (avg divides by the number of sources at the end)
//   prod       acc * v
//   max, min   the larger / smaller; a NaN wins (the first one met), and on equal values
//              (+0 and -0 included) the earlier source is kept
// The first source initialises the accumulator (so a lone -0 stays -0).
#pragma once

#include <cstdint>

#include "common/float16.h"
#include "common/host_device.h"

namespace zccl {

ZCCL_HD bool isNanBits(float f) { return (floatBits(f) & 0x7FFFFFFFu) > 0x7F800000u; }

// op: zcclRedOp_t value (0 sum, 1 prod, 2 max, 3 min, 4 avg).
ZCCL_HD float reduceStep(int op, float acc, float v) {
  switch (op) {
    case 1:
      return acc * v;
    case 2:
      return isNanBits(acc) ? acc : isNanBits(v) ? v : (v > acc ? v : acc);
    case 3:
      return isNanBits(acc) ? acc : isNanBits(v) ? v : (v < acc ? v : acc);
    default:  // sum, avg
      return acc + v;
  }
}

ZCCL_HD float reduceFinish(int op, float acc, int sources) { return op == 4 ? acc / static_cast<float>(sources) : acc; }

// dtype: zcclDataType_t value of a float type (6 fp16, 7 fp32, 9 bf16).
ZCCL_HD float elementToFloat(int dtype, uint32_t x) {
  return dtype == 9   ? bf16ToFloat(static_cast<uint16_t>(x))
         : dtype == 6 ? fp16ToFloat(static_cast<uint16_t>(x))
                      : bitsFloat(x);
}

ZCCL_HD uint32_t floatToElement(int dtype, float f) {
  return dtype == 9 ? floatToBf16(f) : dtype == 6 ? floatToFp16(f) : floatBits(f);
}

}  // namespace zccl
