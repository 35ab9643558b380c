// The scalar reference of the 8-bit block loops: docs/format.md section 10, step by step. Every
// other implementation (SIMD, CUDA) must produce the same bytes and the same values.
//
// Quantizing a block: find its largest finite |x| (m) and whether it holds a NaN or an infinity;
// the scale word is m / 127 (m / 126 with the special bit); each element's code is q8Code.
// Accumulating: check the scale word, then the codes (-128 only in a special block), then add
// each element's value q8Value to the accumulator, in element order.
#include <algorithm>

#include "codec/q8_codec.h"
#include "common/reduce_ops.h"

namespace zccl::codec {
namespace {

float loadAsFloat(int dtype, const void* in, uint64_t i) {
  const uint8_t* p = static_cast<const uint8_t*>(in);
  return dtype == 7 ? bitsFloat(loadLE32(p + 4 * i)) : elementToFloat(dtype, loadLE16(p + 2 * i));
}

void quantizeReference(int inDtype, const void* in, uint64_t count, const Q8Rounding& rounding, uint8_t* scales,
                       int8_t* codes) {
  for (uint64_t b = 0; b < q8NumBlocks(count); ++b) {
    const uint64_t first = b * kQ8BlockElems, last = std::min<uint64_t>(count, first + kQ8BlockElems);
    float maxAbs = 0.0f;
    bool special = false;
    for (uint64_t i = first; i < last; ++i) {
      const float x = loadAsFloat(inDtype, in, i);
      if (!q8Finite(x)) {
        special = true;
      } else if (q8AbsOf(x) > maxAbs) {
        maxAbs = q8AbsOf(x);
      }
    }
    const uint32_t w = q8ScaleWord(maxAbs, special);
    storeLE32(scales + 4 * b, w);
    for (uint64_t i = first; i < last; ++i) {
      const float dither = rounding.stochastic ? q8Dither(rounding.seed, rounding.indexBase + i) : 0.0f;
      codes[i] = static_cast<int8_t>(q8Code(loadAsFloat(inDtype, in, i), w, rounding.stochastic, dither));
    }
  }
}

const char* accumulateReference(const uint8_t* scales, const int8_t* codes, uint64_t count, bool assign, float* acc) {
  for (uint64_t b = 0; b < q8NumBlocks(count); ++b) {
    const uint64_t first = b * kQ8BlockElems, last = std::min<uint64_t>(count, first + kQ8BlockElems);
    const uint32_t w = loadLE32(scales + 4 * b);
    if (!q8ValidScaleWord(w)) return "8-bit frame: a block scale is not a finite non-negative number";
    float v;
    for (uint64_t i = first; i < last; ++i) {
      if (!q8Value(codes[i], w, &v)) return "8-bit frame: code -128 in a block without NaN or infinity";
    }
    for (uint64_t i = first; i < last; ++i) {
      q8Value(codes[i], w, &v);
      acc[i] = assign ? v : q8Add(acc[i], v);
    }
  }
  return nullptr;
}

}  // namespace

const Q8BlockOps& q8ReferenceOps() {
  static const Q8BlockOps ops{"reference", quantizeReference, accumulateReference};
  return ops;
}

}  // namespace zccl::codec
