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

// A ZCCL_* value outside its documented range is malformed: docs/env.md promises one WARN and the
// default, as for values that do not parse (a config field out of range stays an error).
int64_t paramInRange(Param id, int64_t lo, int64_t hi) {
  const int64_t v = paramInt(id);
  if (v >= lo && v <= hi) return v;
  const ParamSpec& spec = paramSpec(id);
  static std::mutex mu;
  static std::set<int> warned;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (warned.insert(static_cast<int>(id)).second) {
      ZCCL_WARN("%s=\"%s\" is out of range (expected %s); using the default \"%s\"", spec.name, paramString(id).c_str(),
                spec.values, spec.defaultValue);
    }
  }
  int64_t def = 0;
  parseScaledInt(spec.defaultValue, &def);
  return def;
}

zcclResult_t resolveConfig(const zcclConfig_t* config, ResolvedConfig* out) {
  zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
  if (config != nullptr) {
    ZCCL_REQUIRE(config->size == sizeof(zcclConfig_t) && config->magic == ZCCL_CONFIG_MAGIC, zcclInvalidArgument,
                 "config was not initialised with ZCCL_CONFIG_INITIALIZER");
    c = *config;
  }
  if (c.compression != ZCCL_CONFIG_UNDEF_INT) {
    out->compression = c.compression;
  } else {  // "off" and "on" spell 0 and 1
    static constexpr int kPolicy[] = {ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON, ZCCL_COMPRESSION_AUTO,
                                      ZCCL_COMPRESSION_OFF, ZCCL_COMPRESSION_ON};
    out->compression = kPolicy[paramChoice(Param::kCompression, {"0", "1", "auto", "off", "on"})];
  }
  out->codecMode =
      c.codecMode != ZCCL_CONFIG_UNDEF_INT ? c.codecMode : paramChoice(Param::kCodecMode, {"stored", "window"});
  const int64_t chunk =
      c.chunkBytes != ZCCL_CONFIG_UNDEF_INT ? c.chunkBytes : paramInRange(Param::kChunkBytes, 1024, int64_t{1} << 30);
  const int64_t minBytes = c.minCompressBytes != ZCCL_CONFIG_UNDEF_INT
                               ? c.minCompressBytes
                               : paramInRange(Param::kMinCompressBytes, 0, INT64_MAX);
  out->algorithm = c.algorithm != ZCCL_CONFIG_UNDEF_INT ? c.algorithm : paramChoice(Param::kAlgo, {"direct", "ring"});
  out->checksum =
      c.checksum != ZCCL_CONFIG_UNDEF_INT ? c.checksum : static_cast<int>(paramInRange(Param::kVerify, 0, 1));
  ZCCL_REQUIRE(out->compression >= ZCCL_COMPRESSION_OFF && out->compression <= ZCCL_COMPRESSION_AUTO,
               zcclInvalidArgument, "config: compression must be ZCCL_COMPRESSION_OFF, _ON or _AUTO, not %d",
               out->compression);
  ZCCL_REQUIRE(out->codecMode == zcclCodecModeStored || out->codecMode == zcclCodecModeWindow, zcclInvalidArgument,
               "config: unknown codec mode %d", out->codecMode);
  ZCCL_REQUIRE(chunk >= 1024 && chunk <= (int64_t{1} << 30), zcclInvalidArgument,
               "config: chunkBytes must be between 1 KiB and 1 GiB, not %lld", static_cast<long long>(chunk));
  ZCCL_REQUIRE(minBytes >= 0, zcclInvalidArgument, "config: minCompressBytes must not be negative");
  ZCCL_REQUIRE(out->algorithm == ZCCL_ALGO_DIRECT || out->algorithm == ZCCL_ALGO_RING, zcclInvalidArgument,
               "config: unknown algorithm %d", out->algorithm);
  ZCCL_REQUIRE(out->checksum == 0 || out->checksum == 1, zcclInvalidArgument, "config: checksum must be 0 or 1");
  out->chunkBytes = static_cast<size_t>(chunk);
  out->minCompressBytes = static_cast<size_t>(minBytes);
  return zcclSuccess;
}

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
