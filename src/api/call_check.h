// What a call tells its peers about itself, so that ranks that disagree on a call fail instead of
// returning wrong data (docs/algorithms.md, "Error semantics").
//
// Always on, at no extra message: every message of a collective carries the call's sequence
// number and a digest of its kind, count, dtype, op and root in its tag (transport/
// call_envelope.h); a receiver that meets another call's message fails with zcclInvalidUsage
// naming both. ZCCL_CHECK_CALLS=1 adds, before every collective (the plain path included), an
// exchange of the full signature with every other rank: mismatches that no message would show
// (one rank on MPI's own collective and another on ZipCCL's, count 0 against N) are reported by
// every rank, at the cost of one round of small messages per call (for debugging).
#pragma once

#include "api/collectives.h"
#include "transport/call_envelope.h"

namespace zccl::api {

// The tag of the call's messages. Collectives advance the communicator's sequence number (every
// collective does, whatever its path or count, so that ranks stay in step).
int beginCall(zcclComm* comm, const CallArgs& a);
// ZCCL_CHECK_CALLS=1: exchanges the call's full signature with every other rank; zcclSuccess
// without the setting or on transports without host point-to-point (NCCL).
zcclResult_t checkCallIfAsked(zcclComm* comm, const CallArgs& a);
// A failed call's requests are abandoned (transport::Transport::abandon); returns `result`.
zcclResult_t endCall(zcclComm* comm, zcclResult_t result);

}  // namespace zccl::api
