// Builds without NCCL have no GPU communicators, hence no device QuantEngine.
#include "algo/quant_engine.h"

namespace zccl::algo {

std::unique_ptr<QuantEngine> makeDeviceQuantEngine() { return nullptr; }

}  // namespace zccl::algo
