// Runs one collective call by the plan the selector chose: the transport's own collective, or
// ZipCCL's algorithms composed into the collective (all-reduce = reduce-scatter + all-gather,
// reduce = reduce-scatter + gather to the root). The only place that knows how collectives are
// built from algorithms, so a new plan touches this file and its algorithm's own.
#pragma once

#include <cstddef>

#include "algo/context.h"
#include "algo/plan.h"

namespace zccl::algo {

// One validated call, with NCCL's argument meaning (count per rank block for all-gather,
// reduce-scatter and all-to-all; root unused where the collective has none).
struct Call {
  Collective coll;
  const void* send;
  void* recv;
  size_t count;
  zcclDataType_t dtype;
  zcclRedOp_t op;
  int root;
};

// The plain path: the transport's own collective.
zcclResult_t runPlain(transport::Transport& t, const Call& call);
// A communicator's views of its two levels, where its nodes hold the same number of ranks (else
// both nullptr): the ranks of this rank's node, and the ranks with this rank's local index on
// every node (transport/sub_transport.h).
struct Levels {
  transport::Transport* intra = nullptr;
  transport::Transport* inter = nullptr;
};

// ZipCCL's algorithms, with ctx made for plan.compress and plan.chunkBytes; a call whose scratch
// would pass the engine's scratch budget runs as a sequence of windows (algo/window.h).
zcclResult_t runPlan(Context& ctx, const Plan& plan, const Call& call, const Levels& levels);

}  // namespace zccl::algo
