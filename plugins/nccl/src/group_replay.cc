// Grouped calls, recorded and replayed through ZipCCL or left to NCCL (group_replay.h).
#include "group_replay.h"

#include <mutex>
#include <utility>
#include <vector>

#include "shim_state.h"

namespace zccl_shim {
namespace {

// What the open group of this thread holds.
struct GroupState {
  // Recorded, in the application's order, all on one communicator.
  std::vector<std::pair<CallArgs, RouteCheck>> calls;
  size_t bytes = 0;                                    // their messages together
  bool ncclOwns = false;                               // the group has become NCCL's
  ncclResult_t forwardError = ncclSuccess;             // the first error of a forwarded recorded call
  std::vector<std::shared_ptr<CommEntry>> made;        // communicators made in the group
};
thread_local GroupState tGroup;

// Empties the thread's group for the next one, keeping the vectors' storage (a group costs no
// allocation once a thread has had one as large).
void reset(GroupState& g) {
  g.calls.clear();
  g.bytes = 0;
  g.ncclOwns = false;
  g.forwardError = ncclSuccess;
  g.made.clear();
}

struct ResetAtExit {
  GroupState& g;
  ~ResetAtExit() { reset(g); }
};

// The real library's group functions, looked up once each.
ncclResult_t realGroupStart() { ZCCL_SHIM_FORWARD(ncclGroupStart); }
ncclResult_t realGroupEnd() { ZCCL_SHIM_FORWARD(ncclGroupEnd); }
ncclResult_t realGroupSimulateEnd(ncclSimInfo_t* simInfo) { ZCCL_SHIM_FORWARD(ncclGroupSimulateEnd, simInfo); }

// Forwards the recorded calls into NCCL's open group; from now on the group is NCCL's.
void handToNccl(GroupState& g, const char* why) {
  if (!g.ncclOwns && !g.calls.empty()) {
    log(kTrace, "group: %zu recorded calls on %p go to NCCL (%s)", g.calls.size(),
        static_cast<void*>(g.calls[0].first.comm), why);
  }
  for (const auto& c : g.calls) {
    const ncclResult_t r = forwardToNccl(c.first);
    if (r != ncclSuccess && g.forwardError == ncclSuccess) g.forwardError = r;
  }
  g.calls.clear();
  g.ncclOwns = true;
}

// Communicators the ended group made: all on one device (one thread, one rank each), they may be
// compressed; on several devices they are one thread driving them all, and stay NCCL's.
void settleMade(std::vector<std::shared_ptr<CommEntry>>& made) {
  static const auto cuDevice = realFunction<decltype(&ncclCommCuDevice)>("ncclCommCuDevice");
  int first = -1;
  bool oneDevice = !made.empty() && cuDevice != nullptr;
  for (size_t i = 0; oneDevice && i < made.size(); ++i) {
    int d = -1;
    ForwardScope scope;
    if (cuDevice(made[i]->nccl, &d) != ncclSuccess || (first >= 0 && d != first)) oneDevice = false;
    if (first < 0) first = d;
  }
  for (const auto& e : made) {
    if (!oneDevice || e->notCompressed != kMadeInGroup) continue;
    e->notCompressed.clear();
    e->mayCompress.store(true);
    log(kTrace, "communicator %p: made in a group on one device; ZipCCL may carry its calls",
        static_cast<void*>(e->nccl));
  }
  made.clear();
}

// The group's communicator may still be carried by ZipCCL (it did not fail to start on it, and
// it is not finalized).
bool zipcclMayRun(const RouteCheck& check) {
  std::lock_guard<std::mutex> lock(check.entry->mu);
  return !check.entry->zcclFailed && !check.entry->finalized && !check.entry->released;
}

}  // namespace

ncclResult_t groupStart() {
  if (groupDepth()++ == 0) reset(tGroup);
  const ncclResult_t r = realGroupStart();
  if (r != ncclSuccess) --groupDepth();  // NCCL opened no group
  return r;
}

ncclResult_t groupEnd() {
  if (groupDepth() == 0 || --groupDepth() > 0) return realGroupEnd();
  GroupState& g = tGroup;  // the replay's own NCCL calls are re-entries: they never touch it
  ResetAtExit resetAtExit{g};
  bool replay = !g.ncclOwns && !g.calls.empty() && g.bytes >= settings().minBytes;
  if (!replay && !g.calls.empty()) handToNccl(g, "smaller than ZCCL_NCCL_MIN_BYTES together");
  // The CUDA queries of the buffers and streams, only for a group that may be replayed.
  for (size_t i = 0; replay && i < g.calls.size(); ++i) {
    if (!routableBuffers(g.calls[i].first, g.calls[i].second)) {
      handToNccl(g, "a host buffer or a capturing stream");
      replay = false;
    }
  }
  if (replay && !zipcclMayRun(g.calls[0].second)) {
    handToNccl(g, "ZipCCL does not run on the communicator");
    replay = false;
  }
  // ncclInProgress: a nonblocking communicator made in the group is still being made.
  const ncclResult_t r = realGroupEnd();
  if (r == ncclSuccess || r == ncclInProgress) settleMade(g.made);
  if (r != ncclSuccess && r != ncclInProgress) return r;
  if (g.forwardError != ncclSuccess) return g.forwardError;
  if (!replay) return r;
  const ncclComm_t comm = g.calls[0].first.comm;
  static thread_local bool logged = false;
  if (!logged) {
    logged = true;
    log(kInfo, "ncclGroupEnd: %zu grouped calls on %p replayed through ZipCCL", g.calls.size(),
        static_cast<void*>(comm));
  }
  ncclResult_t result = r;
  for (const auto& c : g.calls) {
    const ncclResult_t cr = runOnZipccl(c.first, c.second);
    if (cr == ncclInProgress) {  // forwarded to a nonblocking communicator: launched
      result = ncclInProgress;
    } else if (cr != ncclSuccess) {
      log(kWarn, "ncclGroupEnd: the grouped %s on %p failed; the group's later calls were not run", c.first.name,
          static_cast<void*>(comm));
      return cr;
    }
  }
  return result;
}

ncclResult_t groupSimulateEnd(ncclSimInfo_t* simInfo) {
  if (groupDepth() == 0) return realGroupSimulateEnd(simInfo);
  handToNccl(tGroup, "ncclGroupSimulateEnd");
  const ncclResult_t forwardError = tGroup.forwardError;
  if (--groupDepth() == 0) reset(tGroup);  // the communicators it made stay NCCL's
  const ncclResult_t r = realGroupSimulateEnd(simInfo);
  return r == ncclSuccess ? forwardError : r;
}

bool recordGrouped(const CallArgs& call, ncclResult_t* result) {
  GroupState& g = tGroup;
  if (g.ncclOwns) return false;
  if (!settings().groupReplay) {
    handToNccl(g, "ZCCL_NCCL_GROUPS=forward");
    return false;
  }
  RouteCheck check;
  const bool secondComm = !g.calls.empty() && g.calls[0].first.comm != call.comm;
  if (secondComm || !routableArgs(call, true, &check)) {
    handToNccl(g, secondComm ? "a second communicator" : call.name);
    return false;
  }
  if (ncclState(check) != ncclSuccess) {  // NCCL answers a call on a failed communicator itself
    handToNccl(g, "the communicator has an error");
    return false;
  }
  g.bytes += check.bytes;
  g.calls.emplace_back(call, std::move(check));
  *result = ncclSuccess;
  return true;
}

void groupGetsWork(const char* what) {
  if (groupDepth() > 0) handToNccl(tGroup, what);
}

void madeInGroup(const std::shared_ptr<CommEntry>& entry) { tGroup.made.push_back(entry); }

}  // namespace zccl_shim
