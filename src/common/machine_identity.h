// What identifies the machine a process runs on, for the keys ranks exchange to find which of
// them share a node (transport/node_key.cc) or a machine's cores (tune/probe.cc): the host name,
// the kernel's boot id, and the 64-bit FNV-1a hash the keys are made with.
#pragma once

#include <cstdint>
#include <string>

namespace zccl {

uint64_t fnv1a(const std::string& text);
std::string hostName();
// The kernel's boot id, "" where /proc does not have it. Network namespaces and containers of
// one machine share it (and its cores); their host names may differ.
std::string bootId();

}  // namespace zccl
