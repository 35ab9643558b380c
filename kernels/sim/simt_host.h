// Host emulation of the SIMT primitives of kernels/simt.h.
//
// launch() runs the blocks of a grid one after another on the calling thread. The threads of a
// block are fibers (own stack, cooperative switching) scheduled round-robin; a fiber runs until
// it reaches a barrier. syncThreads() is a barrier of the whole block, a warp collective a
// barrier of its 32 lanes: each lane writes its operand into its warp's exchange slots, waits for
// the other 31, then reads the result. Slots alternate between two buffers per collective, so a
// fast lane cannot overwrite operands a slow lane is still reading. Since one OS thread runs the
// whole block, atomics are plain read-modify-writes.
//
// Semantics that differ from a GPU are made loud: a block size that is not a multiple of 32 and
// a launch inside a launch fail; a kernel that leaves some threads blocked at a barrier others
// never reach (a deadlock on a GPU too) is reported instead of hanging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace zccl::simt {

uint32_t threadId();
uint32_t blockId();
uint32_t blockDim();
inline uint32_t laneId() { return threadId() & 31u; }
inline uint32_t warpId() { return threadId() >> 5; }

void syncThreads();
uint32_t ballot(bool p);
uint32_t shfl(uint32_t v, uint32_t src);
uint32_t reduceOr(uint32_t v);
uint32_t reduceAdd(uint32_t v);

inline uint32_t atomicAdd(uint32_t* p, uint32_t v) {
  uint32_t old = *p;
  *p = old + v;
  return old;
}
inline uint32_t atomicOr(uint32_t* p, uint32_t v) {
  uint32_t old = *p;
  *p = old | v;
  return old;
}
inline int32_t atomicCas(int32_t* p, int32_t expect, int32_t v) {
  int32_t old = *p;
  if (old == expect) *p = v;
  return old;
}

// Block-shared memory for the call site `tag`, filled with 0xA5 at first use in each block (as
// uninitialised as on a GPU, but reproducibly so).
void* sharedBytes(const void* tag, size_t bytes, size_t align);
template <class T>
T* sharedArray(const void* tag, size_t n) {
  return static_cast<T*>(sharedBytes(tag, n * sizeof(T), alignof(T) < 16 ? 16 : alignof(T)));
}

// Runs `body` as every thread of every block of a grid; returns when all blocks are done.
// Returns false (and sets the message of lastLaunchError()) on a launch the emulator refuses
// or a deadlocked block.
bool launch(uint32_t grid, uint32_t block, const std::function<void()>& body);
const char* lastLaunchError();
// True (once) if a launch since the last call failed; like cudaGetLastError, it clears the state.
bool consumeLaunchFailure();

}  // namespace zccl::simt
