// The 8-bit kernels: quantize, and the fused dequantize-reduce-requantize of the 8-bit
// all-reduce (src/algo/quantized_reduce.cc). docs/format.md section 10 defines the frames; every
// decision (scale word, code, value) is a ZCCL_HD step of src/codec/q8_format.h, the code the CPU
// quantizer runs, so the frames and values are byte-identical with it.
//
// One CUDA block of 128 threads (4 warps) per 8-bit block of 128 elements, thread t on element t:
// the block's largest finite |x| is a warp max (5 shuffles) and a 4-entry shared-memory max; its
// NaN/inf flag a ballot. Quantize reads each element once and writes one byte (plus a scale word
// per 128); the fused kernel reads P codes per element, accumulates in a register in source
// order, requantizes and writes one code and one output element: about P + 1 + 2 bytes per bf16
// element, memory-bound.
#include "codec/q8_format.h"
#include "common/reduce_ops.h"
#include "kernels/codec_device.h"
#include "kernels/device_scan.h"
#include "kernels/quant_launch.h"

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {
namespace {

using namespace zccl::codec;

constexpr uint32_t kQuantWarps = kQuantThreads / 32;

ZCCL_DEVICE float loadFloat(int dtype, const uint8_t* in, uint64_t i) {
  return dtype == 7 ? bitsFloat(loadLE32(in + 4 * i)) : elementToFloat(dtype, loadLE16(in + 2 * i));
}

ZCCL_DEVICE void storeAs(int dtype, float v, uint8_t* out, uint64_t i) {
  if (dtype == 7) {
    storeLE32(out + 4 * i, floatBits(v));
  } else {
    storeLE16(out + 2 * i, static_cast<uint16_t>(floatToElement(dtype, v)));
  }
}

ZCCL_DEVICE uint32_t warpMax(uint32_t v) {
  for (uint32_t off = 16; off > 0; off >>= 1) {
    const uint32_t o = simt::shfl(v, simt::laneId() ^ off);
    v = o > v ? o : v;
  }
  return v;
}

// Largest finite |x| of the block's elements and whether one is NaN or inf (every thread gets
// both). sWords: 2 kQuantWarps words of shared memory.
ZCCL_DEVICE void blockMaxAbs(float x, bool valid, uint32_t* sWords, float* maxAbs, bool* special) {
  const uint32_t bits = valid ? (floatBits(x) & 0x7FFFFFFFu) : 0u;
  const bool nonFinite = bits >= 0x7F800000u;
  const uint32_t m = warpMax(nonFinite ? 0u : bits);  // finite |x| order like their bit patterns
  const uint32_t sp = simt::ballot(nonFinite);
  if (simt::laneId() == 0) {
    sWords[simt::warpId()] = m;
    sWords[kQuantWarps + simt::warpId()] = sp;
  }
  simt::syncThreads();
  uint32_t mm = 0, any = 0;
  for (uint32_t w = 0; w < kQuantWarps; ++w) {
    mm = sWords[w] > mm ? sWords[w] : mm;
    any |= sWords[kQuantWarps + w];
  }
  simt::syncThreads();  // sWords may be reused
  *maxAbs = bitsFloat(mm);
  *special = any != 0;
}

// Header (block 0) and zero padding after the codes (last block) of a frame of `count` elements.
ZCCL_DEVICE void finishFrame(uint8_t* frame, int dtype, uint64_t count, uint32_t b, uint32_t lastBlock) {
  if (simt::threadId() != 0) return;
  if (b == lastBlock) {
    for (uint64_t at = q8CodesOffset(count) + count; at < q8FrameBytes(count); ++at) frame[at] = 0;
  }
  if (b == 0) storeQ8Header(frame, dtype, count);
}

ZCCL_KERNEL void quantizeBlocks(QuantizeArgs a, const uint8_t* in, uint8_t* frame) {
  ZCCL_SHARED_ARRAY(uint32_t, sWords, 2 * kQuantWarps);
  const uint32_t tid = simt::threadId(), b = simt::blockId();
  const uint64_t first = static_cast<uint64_t>(b) * kQ8BlockElems, i = first + tid;
  const bool valid = i < a.count;
  const float x = valid ? loadFloat(a.inDtype, in, i) : 0.0f;
  float m;
  bool special;
  blockMaxAbs(x, valid, sWords, &m, &special);
  const uint32_t w = q8ScaleWord(m, special);
  if (tid == 0 && first < a.count) storeLE32(frame + kQ8HeaderBytes + 4 * static_cast<uint64_t>(b), w);
  if (valid) {
    const float dither = a.stochastic ? q8Dither(a.seed, a.indexBase + i) : 0.0f;
    frame[q8CodesOffset(a.count) + i] = static_cast<uint8_t>(q8Code(x, w, a.stochastic != 0, dither));
  }
  const uint64_t nb = q8NumBlocks(a.count);
  finishFrame(frame, a.frameDtype, a.count, b, nb == 0 ? 0 : static_cast<uint32_t>(nb - 1));
}

ZCCL_KERNEL void quantReduceBlocks(QuantReduceArgs p, const uint8_t* frames, uint8_t* outFrame, uint8_t* out,
                                   int32_t* status) {
  ZCCL_SHARED_ARRAY(uint32_t, sWords, 2 * kQuantWarps);
  ZCCL_SHARED_ARRAY(int32_t, sBad, 2);
  const uint32_t tid = simt::threadId(), b = simt::blockId();
  const uint64_t nb = q8NumBlocks(p.count), first = static_cast<uint64_t>(b) * kQ8BlockElems, i = first + tid;
  const uint32_t lastBlock = nb == 0 ? 0 : static_cast<uint32_t>(nb - 1);
  const bool valid = i < p.count;
  const uint64_t codesAt = q8CodesOffset(p.count), frameBytes = q8FrameBytes(p.count);
  // Headers (and, in the last block, padding) of every source, in one thread.
  if (tid == 0) {
    int32_t bad = -1;
    for (int s = 0; s < p.nsources && bad < 0; ++s) {
      const uint8_t* src = frames + static_cast<uint64_t>(s) * p.stride;
      if (validateQ8Header(src, frameBytes, p.dtype, p.count) != nullptr) bad = s;
      for (uint64_t at = codesAt + p.count; bad < 0 && b == lastBlock && at < frameBytes; ++at) {
        if (src[at] != 0) bad = s;
      }
    }
    sBad[0] = bad;
    sBad[1] = -1;
  }
  simt::syncThreads();
  if (sBad[0] >= 0) {
    if (tid == 0) device::reportError(status, zcclCorruptFrame, static_cast<uint32_t>(sBad[0]), b);
    return;
  }
  // Dequantize and sum in source order; any bad scale or code stops the block before it writes.
  float acc = 0.0f;
  int32_t badSource = -1;
  for (int s = 0; s < p.nsources; ++s) {
    const uint8_t* src = frames + static_cast<uint64_t>(s) * p.stride;
    const uint32_t w = first < p.count ? loadLE32(src + kQ8HeaderBytes + 4 * static_cast<uint64_t>(b)) : 0u;
    float v = 0.0f;
    const bool ok = q8ValidScaleWord(w) && (!valid || q8Value(static_cast<int8_t>(src[codesAt + i]), w, &v));
    if (!ok && badSource < 0) badSource = s;
    acc = s == 0 ? v : q8Add(acc, v);
  }
  if (p.op == zcclAvg) acc = q8Div(acc, static_cast<float>(p.nsources));
  if (badSource >= 0) simt::atomicCas(&sBad[1], -1, badSource);
  simt::syncThreads();
  if (sBad[1] >= 0) {
    if (tid == 0) device::reportError(status, zcclCorruptFrame, static_cast<uint32_t>(sBad[1]), b);
    return;
  }
  if (outFrame == nullptr) {
    if (valid) storeAs(p.dtype, acc, out, i);
    return;
  }
  float m;
  bool special;
  blockMaxAbs(acc, valid, sWords, &m, &special);
  const uint32_t w = q8ScaleWord(m, special);
  if (tid == 0 && first < p.count) storeLE32(outFrame + kQ8HeaderBytes + 4 * static_cast<uint64_t>(b), w);
  if (valid) {
    const float dither = p.stochastic ? q8Dither(p.seed, p.indexBase + i) : 0.0f;
    const int code = q8Code(acc, w, p.stochastic != 0, dither);
    outFrame[codesAt + i] = static_cast<uint8_t>(code);
    float v = 0.0f;
    q8Value(code, w, &v);
    storeAs(p.dtype, v, out, i);
  }
  finishFrame(outFrame, p.dtype, p.count, b, lastBlock);
}

}  // namespace

zcclResult_t launchQuantize(const QuantizeArgs& args, const void* input, void* frame, cudaStream_t stream) {
  if (!q8Dtype(args.inDtype) || !q8Dtype(args.frameDtype) || args.count > kQ8MaxCount || frame == nullptr ||
      (input == nullptr && args.count != 0))
    return zcclInvalidArgument;
  const uint64_t nb = q8NumBlocks(args.count);
  if (nb > 0x7FFFFFFFu) return zcclInvalidArgument;
  ZCCL_LAUNCH(quantizeBlocks, static_cast<uint32_t>(nb == 0 ? 1 : nb), kQuantThreads, stream, args,
              static_cast<const uint8_t*>(input), static_cast<uint8_t*>(frame));
  return kernelLaunchStatus();
}

zcclResult_t launchQuantReduce(const QuantReduceArgs& args, const void* frames, void* outFrame, void* output,
                               int32_t* status, cudaStream_t stream) {
  if (!q8Dtype(args.dtype) || (args.op != zcclSum && args.op != zcclAvg) || args.nsources < 1 ||
      args.count > kQ8MaxCount || args.stride < q8FrameBytes(args.count) || frames == nullptr || status == nullptr ||
      (output == nullptr && args.count != 0))
    return zcclInvalidArgument;
  const uint64_t nb = q8NumBlocks(args.count);
  if (nb > 0x7FFFFFFFu) return zcclInvalidArgument;
  ZCCL_LAUNCH(quantReduceBlocks, static_cast<uint32_t>(nb == 0 ? 1 : nb), kQuantThreads, stream, args,
              static_cast<const uint8_t*>(frames), static_cast<uint8_t*>(outFrame), static_cast<uint8_t*>(output),
              status);
  return kernelLaunchStatus();
}

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
