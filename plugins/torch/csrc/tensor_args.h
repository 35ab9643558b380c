// Tensors and options of torch's c10d calls in ZipCCL's terms: element type (bf16/fp16/fp32 keep
// theirs, so the library's policy can compress them; a type ZipCCL lacks moves as bytes where no
// arithmetic is involved), reduction operator, and contiguous host buffers. Argument errors are
// thrown on the caller's thread (TORCH_CHECK: a Python RuntimeError); ZipCCL's errors on the
// worker thread carry zcclGetLastError's message.
#pragma once

#include <string>

#include "torch_compat.h"
#include "zccl/zccl.h"

namespace zccl_torch {

// A buffer ZipCCL can address: count elements of dtype.
struct Elements {
  zcclDataType_t dtype;
  size_t count;
};

// For reductions: the tensor's own type, or an error naming it.
Elements reductionElements(const at::Tensor& t, const char* op);
// For data movement: the tensor's type where ZipCCL has it, else its bytes as uint8.
Elements movedElements(const at::Tensor& t);
zcclRedOp_t reductionOp(const c10d::ReduceOp& op, const char* call);

// One CPU tensor, the only tensor of a c10d call's list.
const at::Tensor& singleTensor(const std::vector<at::Tensor>& tensors, const char* call);
void checkHost(const at::Tensor& t, const char* call);

// A contiguous tensor to hand to ZipCCL in place of `user`: `user` itself when it is contiguous,
// else a contiguous copy (read: holds user's values) whose result is copied back by finish().
struct Staged {
  at::Tensor user, buf;
  Staged(const at::Tensor& t, bool read);
  void finish() const {
    if (!buf.is_same(user)) user.copy_(buf);
  }
};

// Throws std::runtime_error with ZipCCL's message unless r is zcclSuccess.
void check(zcclResult_t r, const char* call);

}  // namespace zccl_torch
