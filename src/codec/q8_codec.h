// CPU side of the 8-bit block-scaled frames (docs/format.md section 10; the element steps are in
// q8_format.h). Two implementations of the block loops, byte-identical: the scalar reference
// (the definition, q8_reference.cc) and a Highway SIMD one (q8_fast.cc) that falls back to the
// reference for blocks holding NaN or inf and for stochastic rounding. The frame layer
// (q8_frame.cc) writes and checks headers and padding and is shared by both.
//
// Pointers are host memory. Frames are q8FrameBytes(count) bytes, known from the count alone.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/q8_format.h"
#include "zccl/zccl_types.h"

namespace zccl::codec {

// How finite elements are rounded to codes: to nearest (ties to even; the default), or
// stochastically with a dither that depends only on (seed, indexBase + element index).
struct Q8Rounding {
  bool stochastic = false;
  uint64_t seed = 0;
  uint64_t indexBase = 0;
};

struct Q8BlockOps {
  const char* name;
  // Scale words (little-endian u32, q8NumBlocks(count)) and codes of `count` elements of
  // `inDtype` (bf16, fp16 or fp32) at `in`.
  void (*quantize)(int inDtype, const void* in, uint64_t count, const Q8Rounding& rounding, uint8_t* scales,
                   int8_t* codes);
  // acc[i] = (assign) or acc[i] + (else) the value of element i, in fp32. Checks each block
  // (scale word, codes) before it touches that block's elements; returns nullptr, or the reason
  // the first bad block is malformed (earlier blocks done, that block and later ones untouched).
  const char* (*accumulate)(const uint8_t* scales, const int8_t* codes, uint64_t count, bool assign, float* acc);
};

const Q8BlockOps& q8ReferenceOps();
const Q8BlockOps& q8FastOps();

// Writes the frame of `count` elements of `inDtype` at `in`, labelled as holding `frameDtype`
// (what a reader decodes it to; a requantized fp32 sum of bf16 data is labelled bf16).
// `capacity` must be at least q8FrameBytes(count).
zcclResult_t q8Encode(const Q8BlockOps& ops, int frameDtype, int inDtype, const void* in, uint64_t count,
                      const Q8Rounding& rounding, void* frame, size_t capacity);

// Checks the frame (`bytes` available; it must hold `count` elements of `dtype`), then
// acc[i] = / += its values in fp32. zcclCorruptFrame (with the reason) for a malformed frame.
zcclResult_t q8Accumulate(const Q8BlockOps& ops, const void* frame, size_t bytes, int dtype, uint64_t count,
                          bool assign, float* acc);

// Decodes the frame into `count` elements of `dtype` (each value rounded once to the dtype).
zcclResult_t q8Decode(const Q8BlockOps& ops, const void* frame, size_t bytes, int dtype, uint64_t count, void* out);

// Rounds fp32 values to `dtype` elements (bf16, fp16: to nearest even; fp32: copied).
void q8StoreAs(int dtype, const float* in, uint64_t count, void* out);

}  // namespace zccl::codec
