// Windows: bounded scratch memory whatever the message size.
//
// ZipCCL's algorithms keep frames, incoming segments and partial results in scratch; for a
// compressed all-reduce that is about 3x the message. A call whose scratch would pass the
// communicator's budget (ZCCL_SCRATCH_BYTES, docs/env.md) runs as a sequence of windows instead,
// as NCCL runs a large message through its fixed buffers: window w covers elements
// [w W, (w + 1) W) of every rank block (all-gather, reduce-scatter, all-to-all) or of the buffer
// (all-reduce, broadcast, reduce), and is a complete collective of its own over those elements,
// with the same plan. W is the largest multiple of the pipeline's unit (a chunk per rank segment)
// whose scratch need, as scratchNeed() counts the algorithm's slots, fits the budget; every rank
// derives it from the call's arguments and the budget alone, so all ranks window alike.
//
// What a window costs: the pipeline drains between windows (one chunk's transfer and codec time
// per window); with the default budget (256 MiB) messages up to 64 MiB run in one window.
#pragma once

#include <cstddef>

#include "algo/context.h"
#include "algo/execute.h"
#include "algo/plan.h"

namespace zccl::algo {

// What a call asks of each scratch slot (the slot map: algo/scratch_space.h). Phases of one call
// reuse slots (all-reduce's all-gather takes the slots its reduce-scatter had), so needs combine
// slot by slot by their maximum, as the engine's slots grow.
struct SlotNeeds {
  static constexpr int kSlots = 16;
  size_t bytes[kSlots] = {};
  void need(int slot, size_t b) { bytes[slot] = b > bytes[slot] ? b : bytes[slot]; }
  size_t total() const;
};

// Per slot, what the plan asks for a call of `count` elements (per rank block where the collective
// has blocks): an upper bound on what its algorithms ask of the engine's slots.
SlotNeeds scratchNeeds(const Context& ctx, const Plan& plan, const Call& call, size_t count, const Levels& levels);
inline size_t scratchNeed(const Context& ctx, const Plan& plan, const Call& call, size_t count,
                          const Levels& levels) {
  return scratchNeeds(ctx, plan, call, count, levels).total();
}

// Elements per window (of each rank block, or of the buffer): call.count when the whole call
// fits `budget` (0: no budget), else the largest window that does (at least 1).
size_t windowElems(const Context& ctx, const Plan& plan, const Call& call, const Levels& levels, size_t budget);

}  // namespace zccl::algo
