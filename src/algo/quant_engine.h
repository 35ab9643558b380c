// What the 8-bit reduction (quantized_reduce.cc) needs from the memory space its buffers live in:
// scratch, the 8-bit quantizer (docs/format.md section 10) and the fused
// dequantize-reduce-requantize step. The host engine runs the CPU quantizer (src/codec/q8_*);
// the device engine (GPU communicators) runs kernels/quant_kernels.cu on the caller's stream.
//
// Frames are q8FrameBytes(count) bytes, a size known from the count alone, so a receiver posts
// exactly the size that will arrive (what NCCL needs) and no size travels ahead of a frame.
#pragma once

#include <cstddef>
#include <memory>

#include "algo/scratch_space.h"
#include "codec/q8_codec.h"
#include "zccl/zccl_types.h"

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;

namespace zccl::algo {

// Scratch memory (slots with a budget and a ledger) is ScratchSpace's.
class QuantEngine : public ScratchSpace {
 public:
  // Device engines: the stream of the current call (host engines ignore it).
  virtual void setStream(cudaStream_t) {}
  // The frame of `count` elements of dtype at src, written at `frame` (q8FrameBytes(count)),
  // rounded as `rounding` says (docs/format.md section 10).
  virtual zcclResult_t quantize(const void* src, size_t count, zcclDataType_t dtype, const codec::Q8Rounding& rounding,
                                void* frame) = 0;
  // acc = the values of frames 0..n-1 (at frames + s * stride, each holding count elements),
  // summed in that order in fp32; avg divides by n. Then, with outFrame, acc is quantized once
  // more (rounded as `rounding` says) into outFrame and `out` receives that frame's values rounded to dtype (what every
  // other rank will decode from it); without, `out` receives acc rounded to dtype. zcclCorruptFrame if a frame fails
  // validation: nothing is written to outFrame or out then.
  virtual zcclResult_t reduce(const void* frames, size_t stride, int n, size_t count, zcclDataType_t dtype,
                              zcclRedOp_t op, const codec::Q8Rounding& rounding, void* outFrame, void* out) = 0;
  // The frame's values rounded to dtype; zcclCorruptFrame if it fails validation (only elements of
  // blocks before the first bad one, decoded correctly, may have been written).
  virtual zcclResult_t dequantize(const void* frame, size_t count, zcclDataType_t dtype, void* out) = 0;
  // Overwrites `bytes` bytes of a frame with zeros: a lost marker no reader accepts.
  virtual zcclResult_t poison(void* frame, size_t bytes) = 0;
};

std::unique_ptr<QuantEngine> makeHostQuantEngine();
// The device engine (device_quant_engine.cc), or nullptr in a build without NCCL.
std::unique_ptr<QuantEngine> makeDeviceQuantEngine();

}  // namespace zccl::algo
