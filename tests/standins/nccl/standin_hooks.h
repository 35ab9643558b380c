// TEST STAND-IN: hooks only the host stand-in NCCL has, for tests that need to damage traffic
// (what a flaky link or a buggy peer would do). Declared here, exported by libnccl.so.2 of
// tests/standins/nccl; never part of NCCL's API.
#pragma once

#include <cstddef>

extern "C" {

// Called on the receiving rank for every message of an ncclSend/ncclRecv pair once it has been
// received and before the stream goes on; it may change the bytes. nullptr removes the hook.
typedef void (*ncclStandinTamperFn)(int from, int to, void* data, size_t bytes, void* context);
void ncclStandinSetTamper(ncclStandinTamperFn fn, void* context);
}
