// The Engine of host-memory communicators: the CPU codec (zccl_codec.h) and host reductions.
#pragma once

#include <vector>

#include "algo/engine.h"
#include "common/aligned_buffer.h"
#include "common/host_reduce.h"

namespace zccl::algo {

class HostEngine final : public Engine {
 public:
  ~HostEngine() override { releaseScratch(); }
  zcclResult_t copy(void* dst, const void* src, size_t bytes) override;
  zcclResult_t compress(const void* src, size_t count, zcclDataType_t dtype, const zcclCodecConfig_t& codec,
                        void* frame, size_t capacity, size_t* frameBytes) override;
  zcclResult_t decompress(const void* frame, size_t frameBytes, void* dst, size_t count, zcclDataType_t dtype) override;
  zcclResult_t reduce(const ReduceInput* inputs, int n, size_t count, zcclDataType_t dtype, zcclRedOp_t op, int sources,
                      bool partialOnly, void* out) override;
  zcclResult_t synchronize() override { return zcclSuccess; }
  double codecSeconds() const override { return codecSeconds_; }

 protected:
  zcclResult_t allocateScratch(size_t bytes, void** ptr) override;
  void freeScratch(void* ptr) override;

 private:
  ReduceAccumulator accumulator_;
  double codecSeconds_ = 0.0;
};

}  // namespace zccl::algo
