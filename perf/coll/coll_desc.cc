#include "coll_desc.h"

namespace zccl::perf {

CollCounts CollDesc::counts(size_t bytes, size_t elemBytes, int nranks) const {
  const size_t n = static_cast<size_t>(nranks), count = bytes / elemBytes, base = count / n;
  CollCounts c;
  switch (kind) {
    case CollKind::kAllGather:
      c.param = base;
      c.send = base;
      c.recv = base * n;
      c.sendInplaceOffset = base;
      break;
    case CollKind::kReduceScatter:
      c.param = base;
      c.send = base * n;
      c.recv = base;
      c.recvInplaceOffset = base;
      break;
    case CollKind::kAlltoAll:
      c.param = base;
      c.send = c.recv = base * n;
      break;
    default:  // all-reduce, broadcast, reduce, send/recv
      c.param = c.send = c.recv = count;
      break;
  }
  return c;
}

double CollDesc::busFactor(int nranks) const {
  const double n = nranks;
  switch (kind) {
    case CollKind::kAllReduce:
      return 2.0 * (n - 1) / n;
    case CollKind::kAllGather:
    case CollKind::kReduceScatter:
    case CollKind::kAlltoAll:
      return (n - 1) / n;
    default:
      return 1.0;
  }
}

const CollDesc& collDesc(CollKind kind) {
  static const CollDesc kDescs[] = {
      {CollKind::kAllReduce, "AllReduce", true, false, true},
      {CollKind::kAllGather, "AllGather", false, false, true},
      {CollKind::kReduceScatter, "ReduceScatter", true, false, true},
      {CollKind::kAlltoAll, "AlltoAll", false, false, false},
      {CollKind::kBroadcast, "Broadcast", false, true, true},
      {CollKind::kReduce, "Reduce", true, true, true},
      {CollKind::kSendRecv, "SendRecv", false, false, false},
  };
  return kDescs[static_cast<int>(kind)];
}

zcclResult_t runZccl(const CollDesc& desc, const void* send, void* recv, size_t count, zcclDataType_t dtype,
                     zcclRedOp_t op, int root, int rank, int nranks, zcclComm_t comm, cudaStream_t stream) {
  switch (desc.kind) {
    case CollKind::kAllReduce:
      return zcclAllReduce(send, recv, count, dtype, op, comm, stream);
    case CollKind::kAllGather:
      return zcclAllGather(send, recv, count, dtype, comm, stream);
    case CollKind::kReduceScatter:
      return zcclReduceScatter(send, recv, count, dtype, op, comm, stream);
    case CollKind::kAlltoAll:
      return zcclAlltoAll(send, recv, count, dtype, comm, stream);
    case CollKind::kBroadcast:
      return zcclBroadcast(send, recv, count, dtype, root, comm, stream);
    case CollKind::kReduce:
      return zcclReduce(send, recv, count, dtype, op, root, comm, stream);
    case CollKind::kSendRecv: {
      zcclGroupStart();
      zcclResult_t s = zcclSend(send, count, dtype, (rank + 1) % nranks, comm, stream);
      zcclResult_t v = zcclRecv(recv, count, dtype, (rank - 1 + nranks) % nranks, comm, stream);
      const zcclResult_t e = zcclGroupEnd();
      return s != zcclSuccess ? s : v != zcclSuccess ? v : e;
    }
  }
  return zcclInvalidArgument;
}

}  // namespace zccl::perf
