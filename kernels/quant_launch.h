// Launchers of the 8-bit kernels (kernels/quant_kernels.cu; docs/format.md section 10, frames
// byte-identical with the CPU quantizer of src/codec/q8_*). Host code includes this header and
// launch.h only. The conventions are launch.h's: work enqueued on `stream`, no allocation, no
// host synchronisation; errors only the device can see go to a device status array of
// kStatusWords int32 (zeroed by the caller): [0] zcclCorruptFrame, [1] the source, [2] the block.
// No workspace is needed. Pointers are device pointers (host pointers in the emulation).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/launch.h"

namespace zccl::kernels {
inline namespace ZCCL_KERNELS_NS {

constexpr uint32_t kQuantThreads = 128;  // one CUDA block of 128 threads per 8-bit block

// Quantize `count` elements of inDtype (bf16, fp16, fp32) at `input` into the frame at `frame`
// (q8FrameBytes(count) bytes), labelled frameDtype. Stochastic rounding with `seed` when
// `stochastic` (the dither of element i is q8Dither(seed, indexBase + i)).
struct QuantizeArgs {
  int inDtype = 0;
  int frameDtype = 0;
  uint64_t count = 0;
  int stochastic = 0;
  uint64_t seed = 0;
  uint64_t indexBase = 0;
};

// [in] input: device elements; [out] frame: device memory of q8FrameBytes(count) bytes.
zcclResult_t launchQuantize(const QuantizeArgs& args, const void* input, void* frame, cudaStream_t stream);

// Fused dequantize-reduce-requantize: the values of `nsources` frames (at frames + s * stride,
// each holding `count` elements of dtype) summed in fp32 in source order (avg: divided by
// nsources); then, with outFrame, quantized once more into outFrame and `output` receives that
// frame's values rounded to dtype; without, `output` receives the sums rounded to dtype. With
// nsources = 1, op sum and no outFrame it is the dequantization of one frame. The requantization
// rounds like launchQuantize (stochastic with seed and indexBase when asked). A block whose
// sources fail validation writes nothing (a bad header: no block writes anything).
struct QuantReduceArgs {
  int dtype = 0;
  int op = 0;  // zcclSum or zcclAvg
  uint64_t count = 0;
  uint64_t stride = 0;  // bytes between source frames
  int nsources = 0;
  int stochastic = 0;
  uint64_t seed = 0;
  uint64_t indexBase = 0;
};

// [in] frames: device frames; [out] outFrame: device, q8FrameBytes(count) bytes, or nullptr;
// [out] output: device elements; [out] status: device, kStatusWords int32, zeroed.
zcclResult_t launchQuantReduce(const QuantReduceArgs& args, const void* frames, void* outFrame, void* output,
                               int32_t* status, cudaStream_t stream);

}  // namespace ZCCL_KERNELS_NS
}  // namespace zccl::kernels
