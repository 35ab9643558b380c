// The one place that knows which torch the plugin is built for. Debian 12's torch (1.13) has
// custom backends subclass c10d::ProcessGroup and return c10d::Work; torch 2.x splits that into
// c10d::Backend (what a backend subclasses) under a ProcessGroup that dispatches to it, with the
// same virtual methods. A port to 2.x changes the aliases below and the registration in
// zccl/torch/__init__.py (Backend.register_backend(..., devices=["cpu"])), nothing else.
#pragma once

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

namespace zccl_torch {

using BackendBase = c10d::ProcessGroup;  // torch 2.x: c10d::Backend
using Work = c10d::Work;
using OpType = c10d::OpType;
// The process group whose send/recv carry the bytes under env:// (torch's gloo).
using PeerGroup = c10d::ProcessGroup;

}  // namespace zccl_torch
