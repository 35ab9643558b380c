#include "api/comm.h"

#include <map>
#include <mutex>

#include "common/check.h"

namespace zccl::api {
namespace {

std::mutex& registryMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

std::map<const zcclComm*, std::unique_ptr<zcclComm>>& registry() {
  static auto* comms = new std::map<const zcclComm*, std::unique_ptr<zcclComm>>();
  return *comms;
}

}  // namespace

zcclComm_t registerComm(std::unique_ptr<zcclComm> comm) {
  std::lock_guard<std::mutex> lock(registryMutex());
  zcclComm* raw = comm.get();
  registry()[raw] = std::move(comm);
  return raw;
}

zcclComm* liveComm(const zcclComm* handle) {
  std::lock_guard<std::mutex> lock(registryMutex());
  auto it = registry().find(handle);
  return it == registry().end() ? nullptr : it->second.get();
}

bool destroyComm(zcclComm_t handle) {
  std::unique_ptr<zcclComm> comm;
  {
    std::lock_guard<std::mutex> lock(registryMutex());
    auto it = registry().find(handle);
    if (it == registry().end()) return false;
    comm = std::move(it->second);
    registry().erase(it);
  }
  return true;  // freed here, outside the lock
}

}  // namespace zccl::api
