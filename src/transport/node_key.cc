// The default node identity of a rank: its host name and the kernel's boot id, hashed. Network
// namespaces with host names of their own (tools/shaped_bench.sh's "nodes") count as nodes.
#include "common/machine_identity.h"
#include "transport/transport.h"

namespace zccl::transport {

zcclResult_t Transport::nodeKey(uint64_t* key) {
  std::string id = hostName();
  const std::string boot = bootId();
  if (!boot.empty()) id += "/" + boot;
  *key = fnv1a(id);
  return zcclSuccess;
}

}  // namespace zccl::transport
