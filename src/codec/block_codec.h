// The interface between the frame layer (frame_codec.cc: headers, tables, checksums, stored
// fallback, validation) and a block codec (the reference or the fast SIMD one). A block codec
// only codes one block of at most 4096 elements; the frame layer never looks inside a block
// except through the shared validation in block_validate.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/dtype_traits.h"
#include "codec/format.h"

namespace zccl::codec {

struct BlockCodec {
  const char* name;
  // Codes the n elements at `in` (raw or window, whichever the plan says) into `dst`, which has
  // room for kMaxBlockBytes. `next` is the next block's input (or nullptr): a codec may prefetch
  // it. Returns the block size (a multiple of 4).
  uint32_t (*encodeBlock)(const CodecTraits& t, const uint8_t* in, uint32_t n, uint8_t* dst, const uint8_t* next);
  // Decodes the window block of `len` bytes at `src` (its header already passed
  // validateBlockHeader) into n elements at `out`. Checks the rest of the block (code counts,
  // escape exponents) and returns nullptr, or the reason the block is malformed; `out` is written
  // only when the block is valid.
  const char* (*decodeWindowBlock)(const CodecTraits& t, const uint8_t* src, uint32_t n, uint8_t* out);
  // hashBytes() of nbytes at p (any implementation returning the same value).
  uint32_t (*hash)(const uint8_t* p, size_t nbytes);
};

const BlockCodec& referenceBlockCodec();
const BlockCodec& fastBlockCodec();

}  // namespace zccl::codec

namespace zccl::codec {
// Highway target the fast codec dispatches to on this CPU.
const char* fastCodecTarget();
}  // namespace zccl::codec
