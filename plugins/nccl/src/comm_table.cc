// The side table of communicators (comm_table.h).
#include "comm_table.h"

#include <cstdlib>
#include <cstring>

#include "shim_state.h"

namespace zccl_shim {

CommTable& CommTable::instance() {
  static CommTable* table = new CommTable();  // never destroyed: exit-time calls may still come
  return *table;
}

std::shared_ptr<CommEntry> CommTable::add(ncclComm_t nccl, bool blocking, std::string notCompressed) {
  auto e = std::make_shared<CommEntry>();
  e->nccl = nccl;
  e->blocking = blocking;
  e->notCompressed = std::move(notCompressed);
  e->mayCompress.store(e->notCompressed.empty());
  std::lock_guard<std::mutex> lock(mu_);
  entries_[nccl] = e;  // a handle NCCL reuses after a destroy replaces the old entry
  return e;
}

std::shared_ptr<CommEntry> CommTable::find(ncclComm_t nccl) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(nccl);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<CommEntry> CommTable::remove(ncclComm_t nccl) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(nccl);
  if (it == entries_.end()) return nullptr;
  auto e = it->second;
  entries_.erase(it);
  return e;
}

size_t CommTable::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

bool configBlocks(const ncclConfig_t* config) {
  if (config != nullptr && config->blocking != NCCL_CONFIG_UNDEF_INT) return config->blocking != 0;
  const char* env = std::getenv("NCCL_COMM_BLOCKING");
  return env == nullptr || std::strcmp(env, "0") != 0;
}

const char* const kMadeInGroup =
    "made inside a group (compressed after its end if the group made all of this thread's on one device)";

std::shared_ptr<CommEntry> recordComm(ncclComm_t comm, bool blocking, const char* madeBy) {
  if (comm == nullptr) return nullptr;
  std::string why;
  if (groupDepth() > 0) why = kMadeInGroup;
  else if (std::strcmp(madeBy, "ncclCommInitAll") == 0) why = "made by ncclCommInitAll (one thread, several devices)";
  auto e = CommTable::instance().add(comm, blocking, why);
  log(kTrace, "%s: communicator %p recorded (%s)", madeBy, static_cast<void*>(comm),
      why.empty() ? "ZipCCL may carry its calls" : why.c_str());
  return e;
}

void releaseZccl(CommEntry& e, bool abort, bool* ncclAborted) {
  std::lock_guard<std::mutex> lock(e.mu);
  e.released = true;
  if (e.zccl == nullptr) return;
  ForwardScope scope;  // ZipCCL's NCCL calls go straight to the real library
  if (abort) {
    zcclCommAbort(e.zccl);
    *ncclAborted = true;
  } else {
    zcclCommDestroy(e.zccl);
  }
  e.zccl = nullptr;
}

}  // namespace zccl_shim
