// The library's 64-byte-aligned buffer (src/common/aligned_buffer.h), for the tools and tests.
#pragma once

#include "common/aligned_buffer.h"

namespace zccl::data {
using zccl::AlignedBuffer;
}  // namespace zccl::data
