#include "tune/reduce_precision.h"

namespace zccl::tune {

PrecisionDecision decidePrecision(const Settings& config, bool allReduceOrReduceScatter, zcclDataType_t dtype,
                                  zcclRedOp_t op, size_t messageBytes, bool explicitRequest) {
  PrecisionDecision d{false, true, nullptr};
  if (!allReduceOrReduceScatter) {
    d.why = "only all-reduce and reduce-scatter have an 8-bit form";
  } else if (op != zcclSum && op != zcclAvg) {
    d.why = "8-bit reductions support sum and avg only";
  } else if (dtype != zcclBfloat16 && dtype != zcclFloat16 && dtype != zcclFloat32) {
    d.why = "8-bit reductions support bf16, fp16 and fp32 only";
  }
  d.supported = d.why == nullptr;
  d.quantized = d.supported && (explicitRequest || (config.reducePrecision == ZCCL_REDUCE_PRECISION_8BIT &&
                                                    messageBytes >= config.reducePrecisionMinBytes));
  return d;
}

}  // namespace zccl::tune
