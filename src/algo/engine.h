// What the algorithms need from the memory space their buffers live in: scratch memory, copies,
// the codec (one chunk = one frame) and reductions. HostEngine (CPU codec, host memory) and
// DeviceEngine (CUDA kernels on the caller's stream, kernels/launch.h) implement it, so one
// algorithm serves MPI and NCCL communicators alike.
#pragma once

#include <cstddef>
#include <cstdint>

#include "algo/scratch_space.h"
#include "zccl/zccl_codec.h"
#include "zccl/zccl_types.h"

namespace zccl::algo {

// One input of a reduction: raw elements, or a frame holding them.
struct ReduceInput {
  const void* data;
  size_t frameBytes;  // 0 for raw elements
};

// Scratch memory (slots kept between calls, with a budget and a ledger) is ScratchSpace's.
class Engine : public ScratchSpace {
 public:
  virtual zcclResult_t copy(void* dst, const void* src, size_t bytes) = 0;

  // Codes `count` elements into a frame of at most `capacity` bytes; *frameBytes is valid (in host
  // memory) on return: a device engine waits for the size.
  virtual zcclResult_t compress(const void* src, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& codec,
                                void* frame, size_t capacity, size_t* frameBytes) = 0;
  // Decodes a frame of `frameBytes` bytes holding `count` elements into dst. Fails with
  // zcclCorruptFrame without writing the blocks that fail validation.
  virtual zcclResult_t decompress(const void* frame, size_t frameBytes, void* dst, size_t count,
                                  zcclDataType_t dtype) = 0;
  // out = op over `n` inputs in order (fp32 accumulation for the 16-bit and fp32 types),
  // rounded once. With partialOnly, out is the rounded accumulation without avg's division (a
  // ring hop); `sources` is the number of ranks avg divides by. out may alias a raw input.
  virtual zcclResult_t reduce(const ReduceInput* inputs, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op,
                              int sources, bool partialOnly, void* out) = 0;
  // Waits until everything enqueued by this engine is complete (a no-op on the host).
  virtual zcclResult_t synchronize() = 0;
  // Host seconds spent coding and decoding frames so far (0 where that work is asynchronous on a
  // device).
  virtual double codecSeconds() const { return 0.0; }
};

}  // namespace zccl::algo
