// Scratch memory of an engine, in numbered slots kept between calls, with a ledger: what is held
// now, the most ever held, and a budget that idle slots are given back to.
//
// Budget: the algorithms ask each slot for what one window of a call needs (algo/window.h keeps
// a window's needs within the budget), but slots are shared by all algorithms and keep their
// largest size, so after an all-gather and an all-to-all the sum of the slots could pass the
// budget although neither call's own need did, and a slot kept at an earlier call's larger size
// counts in full. So a call begins by declaring what it will ask of each slot (beginCall): what
// will be held after it is, per slot, the larger of what the slot holds and what the call asks;
// while that passes the budget, the slot that holds most beyond the call's need is freed (a slot
// the call does not use first). A call like the last one frees and allocates nothing. A slot that
// must grow past the budget during the call frees the slots the call has not asked for yet. The ledger
// counts every byte the slots hold, so a test can assert the bound from the library's own
// accounting (zcclCommStats_t.scratchPeakBytes).
//
// Memory space: the engine's (host or device), through allocateScratch / freeScratch.
//
// Slots: 0-3 the algorithms' (each file says which it uses), 6 reduce's own segment, 7 the
// hierarchical all-reduce's node partial, 8-10 recursive doubling, 15 the host engine's decoded
// reduction input, 16 and up one per point-to-point operation of a group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl::algo {

class ScratchSpace {
 public:
  virtual ~ScratchSpace() = default;

  // Room for `bytes` in `slot`, kept between calls; independent per slot. Grows the slot (its old
  // contents are lost) when it is too small.
  zcclResult_t scratch(int slot, size_t bytes, void** ptr);
  // A new call begins that will ask slot s for at most need[s] bytes (slots past `slots`: none):
  // every slot is idle until it asks again, and slots are freed as described above.
  void beginCall(const size_t* need, size_t slots);
  // How many times a slot was allocated (a test's view of reuse).
  uint64_t scratchAllocations() const { return allocations_; }
  // Frees every slot (the engine's work on them is complete first).
  void releaseScratch();
  // 0: no budget (slots only grow).
  void setScratchBudget(size_t bytes) { budget_ = bytes; }
  size_t scratchBudget() const { return budget_; }
  size_t scratchHeld() const { return held_; }
  size_t scratchPeak() const { return peak_; }

 protected:
  // Derived engines free their slots in their own destructors (freeScratch is virtual):
  // releaseScratch() there.
  virtual zcclResult_t allocateScratch(size_t bytes, void** ptr) = 0;
  virtual void freeScratch(void* ptr) = 0;

 private:
  struct Slot {
    void* ptr = nullptr;
    size_t bytes = 0;
    bool inUse = false;
  };
  void freeSlot(Slot* s);
  bool freeLargestIdle();  // false when no idle slot holds memory
  std::vector<Slot> slots_;
  size_t budget_ = 0, held_ = 0, peak_ = 0;
  uint64_t allocations_ = 0;
};

}  // namespace zccl::algo
