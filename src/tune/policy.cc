#include "tune/policy.h"

#include "codec/dtype_traits.h"

namespace zccl::tune {

Decision decide(const api::ResolvedConfig& config, bool plainAvailable, zcclDataType_t dtype, size_t messageBytes) {
  if (!codec::codecTraits(dtype).coded()) return Decision{plainAvailable, false};
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
