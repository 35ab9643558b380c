// The SIMT emulator (see simt_host.h): fibers, the block scheduler, barriers and warp exchange.
#include "kernels/sim/simt_host.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace zccl::simt {
namespace {

constexpr size_t kStackBytes = 256 * 1024;
constexpr uint32_t kMaxBlockThreads = 1024;

// ---- context switching -------------------------------------------------------------------
#if defined(__x86_64__)
// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores
// the stack pointer to *save, and resumes the context whose stack pointer is `load`.
extern "C" void zcclSimSwap(void** save, void* load);
asm(R"(
  .text
  .globl zcclSimSwap
  .type zcclSimSwap,@function
zcclSimSwap:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size zcclSimSwap,.-zcclSimSwap
)");
#endif

struct Fiber {
  uint8_t* stack = nullptr;  // mmap'ed, lowest page a guard
  uint32_t thread = 0;
  bool done = false;
  bool blocked = false;
#if defined(__x86_64__)
  void* sp = nullptr;
#else
  ucontext_t ctx;
#endif
};

// A barrier of `expected` participants; released fibers become runnable again.
struct Barrier {
  uint32_t expected = 0;
  uint32_t arrived = 0;
  std::vector<Fiber*> waiting;
};

struct WarpExchange {
  Barrier barrier;
  uint32_t parity = 0;
  uint32_t slots[2][32];
};

struct Emulator {
  std::vector<Fiber> fibers;
  uint32_t blockThreads = 0;
  uint32_t block = 0;
  Fiber* current = nullptr;
  bool inLaunch = false;
  const std::function<void()>* body = nullptr;
  Barrier blockBarrier;
  std::vector<WarpExchange> warps;
  std::map<const void*, std::vector<uint8_t>> shared;  // per call site, for the current block
#if defined(__x86_64__)
  void* schedulerSp = nullptr;
#else
  ucontext_t schedulerCtx;
#endif
  std::string error;

  ~Emulator() {
    for (Fiber& f : fibers) {
      if (f.stack != nullptr) munmap(f.stack, kStackBytes);
    }
  }
};

thread_local Emulator* tlsEmulator = nullptr;
thread_local std::string tlsLaunchError;
thread_local bool tlsLaunchFailed = false;

Emulator& emu() { return *tlsEmulator; }

void switchToScheduler() {
  Emulator& e = emu();
  Fiber* f = e.current;
#if defined(__x86_64__)
  zcclSimSwap(&f->sp, e.schedulerSp);
#else
  swapcontext(&f->ctx, &e.schedulerCtx);
#endif
}

void fiberMain() {
  Emulator& e = emu();
  (*e.body)();
  e.current->done = true;
  switchToScheduler();  // never resumed
}

#if defined(__x86_64__)
extern "C" void zcclSimFiberEntry() {
  fiberMain();
  __builtin_trap();
}
#else
void fiberEntryUcontext() { fiberMain(); }
#endif

void prepareFiber(Emulator& e, Fiber& f) {
  if (f.stack == nullptr) {
    void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    f.stack = static_cast<uint8_t*>(p == MAP_FAILED ? nullptr : p);
    if (f.stack != nullptr) mprotect(f.stack, 4096, PROT_NONE);  // overflow faults, not corrupts
  }
  f.done = false;
  f.blocked = false;
#if defined(__x86_64__)
  // Initial frame popped by zcclSimSwap: MXCSR/FPU word, r15..rbp, then `ret` to the entry with
  // the stack 8 bytes off 16-byte alignment, as after a call.
  uint64_t* top = reinterpret_cast<uint64_t*>(f.stack + kStackBytes);
  uint64_t* sp = top - 9;
  uint32_t mxcsr = 0;
  uint16_t fpucw = 0;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  sp[0] = static_cast<uint64_t>(mxcsr) | (static_cast<uint64_t>(fpucw) << 32);
  for (int i = 1; i <= 6; ++i) sp[i] = 0;  // r15, r14, r13, r12, rbx, rbp
  sp[7] = reinterpret_cast<uint64_t>(&zcclSimFiberEntry);
  sp[8] = 0;  // fake return address of the entry function
  f.sp = sp;
#else
  getcontext(&f.ctx);
  f.ctx.uc_stack.ss_sp = f.stack + 4096;
  f.ctx.uc_stack.ss_size = kStackBytes - 4096;
  f.ctx.uc_link = nullptr;
  makecontext(&f.ctx, fiberEntryUcontext, 0);
#endif
  (void)e;
}

void resume(Emulator& e, Fiber& f) {
  e.current = &f;
#if defined(__x86_64__)
  zcclSimSwap(&e.schedulerSp, f.sp);
#else
  swapcontext(&e.schedulerCtx, &f.ctx);
#endif
  e.current = nullptr;
}

// Arrive at a barrier; blocks the current fiber until all participants have arrived.
void arrive(Barrier& b) {
  Emulator& e = emu();
  if (++b.arrived == b.expected) {
    b.arrived = 0;
    for (Fiber* w : b.waiting) w->blocked = false;
    b.waiting.clear();
    return;
  }
  e.current->blocked = true;
  b.waiting.push_back(e.current);
  switchToScheduler();
}

// Runs one block to completion; false if it deadlocked.
bool runBlock(Emulator& e) {
  e.shared.clear();
  for (uint32_t t = 0; t < e.blockThreads; ++t) {
    e.fibers[t].thread = t;
    prepareFiber(e, e.fibers[t]);
    if (e.fibers[t].stack == nullptr) {
      e.error = "cannot allocate a fiber stack";
      return false;
    }
  }
  e.blockBarrier = Barrier{e.blockThreads, 0, {}};
  e.warps.assign(e.blockThreads / 32, WarpExchange{});
  for (WarpExchange& w : e.warps) w.barrier.expected = 32;
  uint32_t live = e.blockThreads;
  while (live > 0) {
    bool progressed = false;
    for (uint32_t t = 0; t < e.blockThreads; ++t) {
      Fiber& f = e.fibers[t];
      if (f.done || f.blocked) continue;
      resume(e, f);
      progressed = true;
      if (f.done) --live;
    }
    if (!progressed && live > 0) {
      e.error = "block " + std::to_string(e.block) + " deadlocked: " + std::to_string(live) +
                " threads wait at a barrier the others never reach";
      return false;
    }
  }
  return true;
}

WarpExchange& myWarp() { return emu().warps[emu().current->thread >> 5]; }

// Deposits v in the lane's slot, waits for the warp, and returns the slot array of this round.
const uint32_t* exchange(uint32_t v) {
  WarpExchange& w = myWarp();
  const uint32_t parity = w.parity;
  w.slots[parity][emu().current->thread & 31u] = v;
  if (w.barrier.arrived + 1 == w.barrier.expected) w.parity ^= 1u;  // the last lane flips it
  arrive(w.barrier);
  return w.slots[parity];
}

}  // namespace

uint32_t threadId() { return emu().current->thread; }
uint32_t blockId() { return emu().block; }
uint32_t blockDim() { return emu().blockThreads; }

void syncThreads() { arrive(emu().blockBarrier); }

uint32_t ballot(bool p) {
  const uint32_t* s = exchange(p ? 1u : 0u);
  uint32_t bits = 0;
  for (uint32_t l = 0; l < 32; ++l) bits |= (s[l] & 1u) << l;
  return bits;
}

uint32_t shfl(uint32_t v, uint32_t src) { return exchange(v)[src & 31u]; }

uint32_t reduceOr(uint32_t v) {
  const uint32_t* s = exchange(v);
  uint32_t r = 0;
  for (uint32_t l = 0; l < 32; ++l) r |= s[l];
  return r;
}

uint32_t reduceAdd(uint32_t v) {
  const uint32_t* s = exchange(v);
  uint32_t r = 0;
  for (uint32_t l = 0; l < 32; ++l) r += s[l];
  return r;
}

void* sharedBytes(const void* tag, size_t bytes, size_t align) {
  std::vector<uint8_t>& mem = emu().shared[tag];
  if (mem.empty()) mem.assign(bytes + align, 0xA5);
  uintptr_t p = reinterpret_cast<uintptr_t>(mem.data());
  return reinterpret_cast<void*>((p + align - 1) & ~(uintptr_t{align} - 1));
}

bool launch(uint32_t grid, uint32_t block, const std::function<void()>& body) {
  if (tlsEmulator != nullptr && tlsEmulator->inLaunch) {
    tlsLaunchError = "launch from inside a kernel is not supported";
    tlsLaunchFailed = true;
    return false;
  }
  if (block == 0 || block % 32 != 0 || block > kMaxBlockThreads) {
    tlsLaunchError = "block size " + std::to_string(block) + " is not a multiple of 32 in [32, 1024]";
    tlsLaunchFailed = true;
    return false;
  }
  static thread_local Emulator emulator;
  tlsEmulator = &emulator;
  Emulator& e = emulator;
  if (e.fibers.size() < block) e.fibers.resize(block);
  e.blockThreads = block;
  e.body = &body;
  e.inLaunch = true;
  e.error.clear();
  bool ok = true;
  for (uint32_t b = 0; b < grid && ok; ++b) {
    e.block = b;
    ok = runBlock(e);
  }
  e.inLaunch = false;
  e.shared.clear();
  if (!ok) {
    tlsLaunchError = e.error;
    tlsLaunchFailed = true;
  }
  return ok;
}

const char* lastLaunchError() { return tlsLaunchError.c_str(); }

bool consumeLaunchFailure() {
  const bool failed = tlsLaunchFailed;
  tlsLaunchFailed = false;
  return failed;
}

}  // namespace zccl::simt
