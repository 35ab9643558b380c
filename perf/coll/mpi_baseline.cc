#include "mpi_baseline.h"

#include <climits>
#include <cstdint>
#include <cstring>

#include "common/dtype_size.h"
#include "common/float8.h"
#include "common/reduce_ops.h"
#include "transport/mpi/mpi_datatype.h"

namespace zccl::perf {
namespace {

// fp32 view of the narrow float types MPI lacks.
template <zcclDataType_t D>
float load(const uint8_t* p) {
  if constexpr (D == zcclFloat8e4m3) return fp8e4m3ToFloat(p[0]);
  if constexpr (D == zcclFloat8e5m2) return fp8e5m2ToFloat(p[0]);
  uint16_t h;
  std::memcpy(&h, p, 2);
  return elementToFloat(D, h);
}

template <zcclDataType_t D>
void store(float f, uint8_t* p) {
  if constexpr (D == zcclFloat8e4m3) {
    p[0] = floatToFp8e4m3(f);
  } else if constexpr (D == zcclFloat8e5m2) {
    p[0] = floatToFp8e5m2(f);
  } else {
    const uint16_t h = static_cast<uint16_t>(floatToElement(D, f));
    std::memcpy(p, &h, 2);
  }
}

template <zcclDataType_t D>
constexpr size_t kBytes = dtypeBytes(D);

// MPI_User_function: inout[i] = in[i] op inout[i], through fp32.
template <zcclDataType_t D, zcclRedOp_t O>
void narrowOp(void* in, void* inout, int* len, MPI_Datatype*) {
  const uint8_t* a = static_cast<const uint8_t*>(in);
  uint8_t* b = static_cast<uint8_t*>(inout);
  for (int i = 0; i < *len; ++i) {
    const float x = load<D>(a + i * kBytes<D>), y = load<D>(b + i * kBytes<D>);
    float r = x + y;
    if constexpr (O == zcclProd) r = x * y;
    if constexpr (O == zcclMax) r = x > y ? x : y;
    if constexpr (O == zcclMin) r = x < y ? x : y;
    store<D>(r, b + i * kBytes<D>);
  }
}

template <zcclDataType_t D>
MPI_User_function* narrowOpFor(zcclRedOp_t op) {
  switch (op) {
    case zcclProd:
      return narrowOp<D, zcclProd>;
    case zcclMax:
      return narrowOp<D, zcclMax>;
    case zcclMin:
      return narrowOp<D, zcclMin>;
    default:  // sum, and avg as a sum
      return narrowOp<D, zcclSum>;
  }
}

template <class T>
void divideAll(void* buf, size_t count, int n) {
  T* p = static_cast<T*>(buf);
  for (size_t i = 0; i < count; ++i) p[i] = static_cast<T>(p[i] / static_cast<T>(n));
}

template <zcclDataType_t D>
void divideNarrow(void* buf, size_t count, int n) {
  uint8_t* p = static_cast<uint8_t*>(buf);
  for (size_t i = 0; i < count; ++i) store<D>(load<D>(p + i * kBytes<D>) / static_cast<float>(n), p + i * kBytes<D>);
}

// Average = sum / nranks, applied after MPI's sum.
void divide(zcclDataType_t d, void* buf, size_t count, int n) {
  switch (d) {
    case zcclInt8:
      return divideAll<int8_t>(buf, count, n);
    case zcclUint8:
      return divideAll<uint8_t>(buf, count, n);
    case zcclInt32:
      return divideAll<int32_t>(buf, count, n);
    case zcclUint32:
      return divideAll<uint32_t>(buf, count, n);
    case zcclInt64:
      return divideAll<int64_t>(buf, count, n);
    case zcclUint64:
      return divideAll<uint64_t>(buf, count, n);
    case zcclFloat32:
      return divideAll<float>(buf, count, n);
    case zcclFloat64:
      return divideAll<double>(buf, count, n);
    case zcclFloat16:
      return divideNarrow<zcclFloat16>(buf, count, n);
    case zcclBfloat16:
      return divideNarrow<zcclBfloat16>(buf, count, n);
    case zcclFloat8e4m3:
      return divideNarrow<zcclFloat8e4m3>(buf, count, n);
    case zcclFloat8e5m2:
      return divideNarrow<zcclFloat8e5m2>(buf, count, n);
    default:
      return;
  }
}

}  // namespace

MpiBaseline::~MpiBaseline() { release(); }

void MpiBaseline::release() {
  if (ownOp_) MPI_Op_free(&op_);
  if (ownType_) MPI_Type_free(&type_);
  ownOp_ = ownType_ = false;
  op_ = MPI_OP_NULL;
  type_ = MPI_DATATYPE_NULL;
}

bool MpiBaseline::prepare(zcclDataType_t dtype, zcclRedOp_t op, std::string* error) {
  release();
  dtype_ = dtype;
  zop_ = op;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  elemBytes_ = dtypeBytes(dtype);
  type_ = transport::mpiNativeType(dtype);
  if (type_ != MPI_DATATYPE_NULL) {
    static const MPI_Op kOps[] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN, MPI_SUM};
    op_ = kOps[static_cast<int>(op)];
    return true;
  }
  MPI_User_function* fn = nullptr;
  switch (dtype) {
    case zcclFloat16:
      fn = narrowOpFor<zcclFloat16>(op);
      break;
    case zcclBfloat16:
      fn = narrowOpFor<zcclBfloat16>(op);
      break;
    case zcclFloat8e4m3:
      fn = narrowOpFor<zcclFloat8e4m3>(op);
      break;
    case zcclFloat8e5m2:
      fn = narrowOpFor<zcclFloat8e5m2>(op);
      break;
    default:
      *error = "the MPI baseline has no type for this dtype";
      return false;
  }
  if (MPI_Type_contiguous(static_cast<int>(elemBytes_), MPI_BYTE, &type_) != MPI_SUCCESS ||
      MPI_Type_commit(&type_) != MPI_SUCCESS) {
    *error = "MPI_Type_contiguous failed";
    return false;
  }
  ownType_ = true;
  if (MPI_Op_create(fn, /*commute=*/1, &op_) != MPI_SUCCESS) {
    *error = "MPI_Op_create failed";
    return false;
  }
  ownOp_ = true;
  return true;
}

int MpiBaseline::run(const CollDesc& desc, const CollCounts& c, const void* send, void* recv, bool inPlace, int root) {
  if (c.send > INT_MAX || c.recv > INT_MAX) return MPI_ERR_COUNT;
  const int n = static_cast<int>(c.param);
  int rc = MPI_SUCCESS;
  const void* in = inPlace ? MPI_IN_PLACE : send;
  switch (desc.kind) {
    case CollKind::kAllReduce:
      rc = MPI_Allreduce(in, recv, n, type_, op_, MPI_COMM_WORLD);
      break;
    case CollKind::kAllGather:
      rc = MPI_Allgather(in, n, type_, recv, n, type_, MPI_COMM_WORLD);
      break;
    case CollKind::kReduceScatter:  // in place, MPI reads the whole buffer and writes block 0
      rc = MPI_Reduce_scatter_block(in, inPlace ? const_cast<void*>(send) : recv, n, type_, op_, MPI_COMM_WORLD);
      break;
    case CollKind::kAlltoAll:
      rc = MPI_Alltoall(send, n, type_, recv, n, type_, MPI_COMM_WORLD);
      break;
    case CollKind::kBroadcast:
      if (!inPlace && rank_ == root && c.param != 0) std::memcpy(recv, send, c.param * elemBytes_);
      rc = MPI_Bcast(recv, n, type_, root, MPI_COMM_WORLD);
      break;
    case CollKind::kReduce:
      rc = MPI_Reduce(inPlace && rank_ == root ? MPI_IN_PLACE : send, recv, n, type_, op_, root, MPI_COMM_WORLD);
      break;
    case CollKind::kSendRecv:
      rc = MPI_Sendrecv(send, n, type_, (rank_ + 1) % size_, 7, recv, n, type_, (rank_ - 1 + size_) % size_, 7,
                        MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      break;
  }
  if (rc == MPI_SUCCESS && desc.reduces && zop_ == zcclAvg && desc.hasResult(rank_, root)) {
    void* result = desc.kind == CollKind::kReduceScatter && inPlace ? const_cast<void*>(send) : recv;
    divide(dtype_, result, c.recv, size_);
  }
  return rc;
}

}  // namespace zccl::perf
