// Grouped calls (ncclGroupStart ... ncclGroupEnd, nested): recorded and replayed through ZipCCL
// at the outermost ncclGroupEnd, or left to NCCL's own group.
//
// NCCL runs a group's operations together. ZipCCL's calls wait on the host for the peers to
// reach the same call, so ZipCCL can carry a group only as a sequence, one call after another,
// and that is the same group exactly when it holds collectives of one communicator: every rank
// issues them in the same order (NCCL requires it), so one after another they meet as they would
// together. The rules, per thread:
//   - the application's ncclGroupStart opens NCCL's group as well (forwarded) and is counted;
//   - a collective on the group's one communicator that the argument rules of route.h accept (of
//     any size) is recorded, not forwarded, and returns ncclSuccess;
//   - anything else that puts work in the group (a collective ZipCCL may not carry, a collective
//     on a second communicator, ncclSend, ncclRecv, ncclGather, ncclScatter) first forwards the
//     recorded calls, in their order, into NCCL's open group: the whole group is then NCCL's;
//   - at the outermost ncclGroupEnd, if the recorded calls together reach ZCCL_NCCL_MIN_BYTES and
//     pass the buffer and stream rules (device memory, no capture: CUDA queries, made only here so
//     that a group of small calls costs no more than the argument checks), NCCL's group is closed
//     first (it holds no operation) and they run on ZipCCL in order (its selector plans each);
//     the first failure ends the replay and is ncclGroupEnd's result. Otherwise they are
//     forwarded and NCCL's group is closed with them.
//   - ncclGroupSimulateEnd forwards the recorded calls, then lets NCCL simulate the group.
// What decides is only the group's calls, the same on every rank of a correct program, with the
// exceptions docs/shim.md names: a group to which some ranks add point-to-point calls, or calls
// on a second communicator, and others do not. ZCCL_NCCL_GROUPS=forward leaves every group to
// NCCL.
//
// Communicators made inside a group (nccl-tests makes them so, even with one device a thread):
// if those the group made on this thread are all on one device, ZipCCL may carry their calls
// once the group has ended; on several devices they are one thread driving them all, and stay
// NCCL's. A group that makes a nonblocking communicator may end with ncclInProgress: its
// recorded calls (on another, ready communicator) are replayed all the same.
#pragma once

#include <nccl.h>

#include <memory>

#include "comm_table.h"
#include "route.h"

namespace zccl_shim {

// The application's ncclGroupStart, ncclGroupEnd and ncclGroupSimulateEnd (never re-entries).
ncclResult_t groupStart();
ncclResult_t groupEnd();
ncclResult_t groupSimulateEnd(ncclSimInfo_t* simInfo);

// A collective inside a group: recorded (true, *result ncclSuccess) or, false, the caller
// forwards it, the group having become NCCL's.
bool recordGrouped(const CallArgs& call, ncclResult_t* result);

// A call that puts work of its own into the open group (`what`, for the log): the group becomes
// NCCL's. No-op outside a group.
void groupGetsWork(const char* what);

// A communicator made while a group is open on this thread.
void madeInGroup(const std::shared_ptr<CommEntry>& entry);

}  // namespace zccl_shim
