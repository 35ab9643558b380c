#include "tune/policy.h"

namespace zccl::tune {

bool codedType(zcclDataType_t dtype) { return dtype == zcclBfloat16 || dtype == zcclFloat16 || dtype == zcclFloat32; }

Decision decide(const api::ResolvedConfig& config, bool plainAvailable, zcclDataType_t dtype, size_t messageBytes) {
  if (!codedType(dtype)) return Decision{plainAvailable, false};
  switch (config.compression) {
    case ZCCL_COMPRESSION_OFF:
      return Decision{false, false};
    case ZCCL_COMPRESSION_ON:
      return Decision{false, true};
    default:
      if (messageBytes >= config.minCompressBytes) return Decision{false, true};
      return Decision{plainAvailable, false};
  }
}

}  // namespace zccl::tune
