// The default node identity of a rank: its host name and the kernel's boot id, hashed. Network
// namespaces with host names of their own (tools/shaped_bench.sh's "nodes") count as nodes.
#include <unistd.h>

#include <fstream>
#include <string>

#include "transport/transport.h"

namespace zccl::transport {

zcclResult_t Transport::nodeKey(uint64_t* key) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::string id = host;
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string line;
  if (std::getline(boot, line)) id += "/" + line;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  *key = h;
  return zcclSuccess;
}

}  // namespace zccl::transport
