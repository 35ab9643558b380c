#include "api/comm.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/check.h"
#include "common/log.h"
#include "common/params.h"

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

// Handles: 0x2cc1 followed by a 64-bit counter's value, shifted clear of the low bits; never
// dereferenced, never an address that malloc could hand out again for a later communicator.
zcclComm_t registerComm(std::unique_ptr<zcclComm> comm) {
  static uint64_t nextId = 1;
  std::lock_guard<std::mutex> lock(registryMutex());
  const uintptr_t value = (uintptr_t{0x2cc1} << 48) | (nextId++ << 4);
  const zcclComm* handle = reinterpret_cast<const zcclComm*>(value);
  registry()[handle] = std::move(comm);
  return const_cast<zcclComm*>(handle);
}

CommPin::CommPin(const zcclComm* handle) {
  std::lock_guard<std::mutex> lock(registryMutex());
  auto it = registry().find(handle);
  if (it == registry().end()) return;
  comm_ = it->second.get();
  comm_->inFlight.fetch_add(1);
}

CommPin::~CommPin() {
  if (comm_ != nullptr) comm_->inFlight.fetch_sub(1);
}

bool abortComm(zcclComm_t handle) {
  std::unique_ptr<zcclComm> comm;
  {
    std::lock_guard<std::mutex> lock(registryMutex());
    auto it = registry().find(handle);
    if (it == registry().end()) return false;
    comm = std::move(it->second);
    registry().erase(it);
  }
  comm->transport->requestAbort();
  // Calls blocked on it see the request at their next poll; the aborting thread itself may hold
  // a pin only if it aborts from inside a call, which the API does not do.
  while (comm->inFlight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;  // freed here
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
