// Host name, boot id and FNV-1a (machine_identity.h).
#include "common/machine_identity.h"

#include <unistd.h>

#include <fstream>

namespace zccl {

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string hostName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

std::string bootId() {
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string line;
  return std::getline(boot, line) ? line : std::string();
}

}  // namespace zccl
