// The shim's side table: what it knows of each NCCL communicator the application made, keyed by
// the real ncclComm_t (the application only ever holds NCCL's own handles).
//
// An entry is made by every function that makes a communicator (InitRank, InitRankConfig,
// InitRankScalable, InitAll, Split, Shrink) and released by Destroy, Abort and Revoke (Finalize
// ends compression on it). A communicator may be compressed only if its ranks are one per
// thread: one made by ncclCommInitAll, or inside ncclGroupStart / ncclGroupEnd with others on
// other devices, belongs to a thread that drives several devices (ZipCCL's calls block the host until the peers
// reach the same call), and stays with NCCL for good. Nonblocking ones may be compressed: the
// shim waits until NCCL has the communicator ready, and ZipCCL waits out each ncclInProgress of
// its own operations (its calls return when done, ncclSuccess). Its ZipCCL communicator
// (zcclCommInitFromNccl) is made at the first call the shim routes to ZipCCL: that call is the
// same on every rank (the choice depends only on the call's arguments), so every rank makes it at
// the same point of its sequence of calls.
#pragma once

#include <nccl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "zccl/zccl.h"

namespace zccl_shim {

struct CommEntry {
  ncclComm_t nccl = nullptr;
  bool blocking = true;  // config.blocking; inherited by Split and Shrink without a config
  std::string notCompressed;  // why the communicator stays with NCCL ("" if it may be compressed)
  std::atomic<bool> mayCompress{false};  // notCompressed is "" (read by any thread, unlocked)
  std::mutex mu;              // guards the fields below (an abort may come from another thread)
  zcclComm_t zccl = nullptr;  // made at the first routed call
  bool zcclFailed = false;    // creation failed: NCCL carries everything
  bool released = false;      // destroyed or aborted while the ZipCCL communicator was being made
  bool finalized = false;
};

class CommTable {
 public:
  static CommTable& instance();
  std::shared_ptr<CommEntry> add(ncclComm_t nccl, bool blocking, std::string notCompressed);
  std::shared_ptr<CommEntry> find(ncclComm_t nccl);
  std::shared_ptr<CommEntry> remove(ncclComm_t nccl);
  size_t size();

 private:
  std::mutex mu_;
  std::unordered_map<ncclComm_t, std::shared_ptr<CommEntry>> entries_;
};

// Whether a communicator made with `config` (nullptr: NCCL's default, NCCL_COMM_BLOCKING) blocks.
bool configBlocks(const ncclConfig_t* config);

// Why a communicator made inside a group is not compressed yet: at the group's end it may be, if
// the group made all of this thread's communicators on one device (group_replay.h).
extern const char* const kMadeInGroup;

// Records a communicator the real library made; its entry (nullptr for a null handle, e.g.
// NCCL_SPLIT_NOCOLOR).
std::shared_ptr<CommEntry> recordComm(ncclComm_t comm, bool blocking, const char* madeBy);

// Frees the ZipCCL communicator of an entry that is being released: destroyed (waits for its
// work) or aborted (which aborts the NCCL communicator too: *ncclAborted is set).
void releaseZccl(CommEntry& e, bool abort, bool* ncclAborted);

}  // namespace zccl_shim
