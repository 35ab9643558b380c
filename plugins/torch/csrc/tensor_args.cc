#include "tensor_args.h"

#include <stdexcept>

namespace zccl_torch {
namespace {

bool zcclType(at::ScalarType t, zcclDataType_t* out) {
  switch (t) {
    case at::kBFloat16:
      *out = zcclBfloat16;
      return true;
    case at::kHalf:
      *out = zcclFloat16;
      return true;
    case at::kFloat:
      *out = zcclFloat32;
      return true;
    case at::kDouble:
      *out = zcclFloat64;
      return true;
    case at::kChar:
      *out = zcclInt8;
      return true;
    case at::kByte:
      *out = zcclUint8;
      return true;
    case at::kInt:
      *out = zcclInt32;
      return true;
    case at::kLong:
      *out = zcclInt64;
      return true;
    default:
      return false;
  }
}

}  // namespace

Elements reductionElements(const at::Tensor& t, const char* op) {
  zcclDataType_t d;
  TORCH_CHECK(zcclType(t.scalar_type(), &d), "ZipCCL backend: ", op, " of ", t.scalar_type(),
              " tensors is not supported (reductions take float16, bfloat16, float32, float64, int8, uint8, "
              "int32, int64)");
  return {d, static_cast<size_t>(t.numel())};
}

Elements movedElements(const at::Tensor& t) {
  zcclDataType_t d;
  if (zcclType(t.scalar_type(), &d)) return {d, static_cast<size_t>(t.numel())};
  return {zcclUint8, static_cast<size_t>(t.numel()) * t.element_size()};
}

zcclRedOp_t reductionOp(const c10d::ReduceOp& op, const char* call) {
  switch (op.op_) {
    case c10d::ReduceOp::SUM:
      return zcclSum;
    case c10d::ReduceOp::AVG:
      return zcclAvg;
    case c10d::ReduceOp::PRODUCT:
      return zcclProd;
    case c10d::ReduceOp::MIN:
      return zcclMin;
    case c10d::ReduceOp::MAX:
      return zcclMax;
    default:
      TORCH_CHECK(false, "ZipCCL backend: ", call, " with reduce op ", static_cast<int>(op.op_),
                  " is not supported (SUM, AVG, PRODUCT, MIN, MAX)");
  }
}

void checkHost(const at::Tensor& t, const char* call) {
  TORCH_CHECK(t.device().is_cpu(), "ZipCCL backend: ", call, " takes CPU tensors, not ", t.device(),
              " (GPU programs use NCCL through ZipCCL's NCCL shim)");
  TORCH_CHECK(t.layout() == at::kStrided, "ZipCCL backend: ", call, " takes dense (strided) tensors");
}

const at::Tensor& singleTensor(const std::vector<at::Tensor>& tensors, const char* call) {
  TORCH_CHECK(tensors.size() == 1, "ZipCCL backend: ", call, " takes one tensor per process, got ", tensors.size());
  checkHost(tensors[0], call);
  return tensors[0];
}

Staged::Staged(const at::Tensor& t, bool read) : user(t) {
  if (t.is_contiguous()) {
    buf = t;
  } else {
    buf = read ? t.contiguous() : at::empty(t.sizes(), t.options());
  }
}

void check(zcclResult_t r, const char* call) {
  if (r == zcclSuccess) return;
  throw std::runtime_error(std::string("ZipCCL ") + call + " failed (" + zcclGetErrorString(r) +
                           "): " + zcclGetLastError(nullptr));
}

}  // namespace zccl_torch
