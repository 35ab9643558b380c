// fp32 <-> bf16 / fp16 conversions for building payloads: the library's own (src/common/float16.h).
#pragma once

#include "common/float16.h"

namespace zccl::data {
using zccl::bf16ToFloat;
using zccl::bitsFloat;
using zccl::floatBits;
using zccl::floatToBf16;
using zccl::floatToFp16;
using zccl::fp16ToFloat;
}  // namespace zccl::data
