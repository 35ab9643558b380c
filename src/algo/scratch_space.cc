#include "algo/scratch_space.h"

#include <algorithm>

#include "common/check.h"

namespace zccl::algo {

void ScratchSpace::freeSlot(Slot* s) {
  if (s->ptr != nullptr) freeScratch(s->ptr);
  held_ -= s->bytes;
  s->ptr = nullptr;
  s->bytes = 0;
}

bool ScratchSpace::freeLargestIdle() {
  Slot* idle = nullptr;
  for (Slot& o : slots_) {
    if (!o.inUse && o.bytes != 0 && (idle == nullptr || o.bytes > idle->bytes)) idle = &o;
  }
  if (idle == nullptr) return false;
  freeSlot(idle);
  return true;
}

zcclResult_t ScratchSpace::scratch(int slot, size_t bytes, void** ptr) {
  ZCCL_REQUIRE(slot >= 0, zcclInternalError, "scratch slot %d", slot);
  if (slots_.size() <= static_cast<size_t>(slot)) slots_.resize(slot + 1);
  Slot& s = slots_[slot];
  s.inUse = true;
  if (s.ptr == nullptr || s.bytes < bytes) {
    freeSlot(&s);
    const size_t want = std::max<size_t>(bytes, 1);
    // Over the budget: give back what this call has not asked for, largest first.
    while (budget_ != 0 && held_ + want > budget_ && freeLargestIdle()) {
    }
    ZCCL_CHECK(allocateScratch(want, &s.ptr));
    ++allocations_;
    s.bytes = want;
    held_ += want;
    peak_ = std::max(peak_, held_);
  }
  *ptr = s.ptr;
  return zcclSuccess;
}

void ScratchSpace::beginCall(const size_t* need, size_t slots) {
  for (Slot& s : slots_) s.inUse = false;
  if (budget_ == 0) return;
  auto needOf = [&](size_t i) { return i < slots ? need[i] : 0; };
  for (;;) {
    size_t projected = 0;  // held after the call if nothing is freed
    for (size_t i = 0; i < std::max(slots, slots_.size()); ++i) {
      projected += std::max(i < slots_.size() ? slots_[i].bytes : 0, needOf(i));
    }
    if (projected <= budget_) return;
    Slot* worst = nullptr;  // the slot holding most beyond what the call asks of it
    size_t worstExcess = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const size_t excess = slots_[i].bytes > needOf(i) ? slots_[i].bytes - needOf(i) : 0;
      if (excess > worstExcess) worst = &slots_[i], worstExcess = excess;
    }
    if (worst == nullptr) return;  // the call's own need passes the budget
    freeSlot(worst);
  }
}

void ScratchSpace::releaseScratch() {
  for (Slot& s : slots_) freeSlot(&s);
  slots_.clear();
}

}  // namespace zccl::algo
