// Scalar reference block codec (see reference_block_codec.cc).
#pragma once

#include <cstdint>

#include "codec/block_plan.h"
#include "codec/dtype_traits.h"

namespace zccl::codec::reference {

// Exponent histogram (2^E bins) and number of +0.0 elements of a block.
void blockHistogram(const CodecTraits& t, const uint8_t* in, uint32_t n, uint32_t* hist, uint32_t* zeros);

// Writes the window block `plan` describes (plan.bytes bytes) for the n elements at `in`.
void encodeWindowBlock(const CodecTraits& t, const uint8_t* in, uint32_t n, const BlockPlan& plan, uint8_t* dst);

// Validates the contents of a window block whose header passed validateBlockHeader, then decodes
// it. Returns nullptr, or the reason the block is malformed (nothing written).
const char* decodeWindowBlock(const CodecTraits& t, const uint8_t* src, uint32_t n, uint8_t* out);

// Histogram, plan, then raw or window block. Returns the block size. (`next` is unused.)
uint32_t encodeBlock(const CodecTraits& t, const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* next);

}  // namespace zccl::codec::reference
