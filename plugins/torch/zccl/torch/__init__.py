"""torch.distributed backend "zccl": ZipCCL's lossless-compressed collectives on CPU tensors.

    import zccl.torch                       # registers the backend
    torch.distributed.init_process_group("zccl", init_method="env://")

Transport underneath (ZCCL_TORCH_TRANSPORT, default auto):
  mpi   Open MPI (zcclCommInitMpi); auto picks it when the job was started by mpirun and the group
        is the whole job. RANK/WORLD_SIZE/LOCAL_RANK default to Open MPI's, MASTER_ADDR to
        127.0.0.1 and MASTER_PORT to a port derived from the mpirun job id when unset.
  gloo  ZipCCL's custom transport over torch's gloo send/recv, from the same c10d Store (any
        launcher that sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT; also subgroups).
Compression follows ZipCCL's own settings (ZCCL_COMPRESSION=0|1|auto, docs/env.md); results are
bit-identical either way. docs/torch.md has the details.

Opt-in, lossy: the 8-bit precision-preserving all-reduce (ZipCCL's zcclAllReduceQuantized), as
an explicit call or as DDP's communication hook:

    zccl.torch.all_reduce_8bit(tensor, op=dist.ReduceOp.AVG)
    ddp.register_comm_hook(None, zccl.torch.allreduce_8bit_hook)
"""
import atexit
import os

import torch  # noqa: F401  (the extension needs torch's libraries and pybind types)
import torch.distributed as dist

from . import _C

__all__ = ["ProcessGroupZccl", "all_reduce_8bit", "allreduce_8bit_hook", "stats", "transport", "version"]

ProcessGroupZccl = _C.ProcessGroupZccl
_TRANSPORTS = ("auto", "mpi", "gloo")


def _mpi_defaults():
    """Under mpirun, torch's env:// variables default to Open MPI's."""
    env = os.environ
    if "OMPI_COMM_WORLD_SIZE" not in env:
        return
    env.setdefault("RANK", env["OMPI_COMM_WORLD_RANK"])
    env.setdefault("WORLD_SIZE", env["OMPI_COMM_WORLD_SIZE"])
    env.setdefault("LOCAL_RANK", env.get("OMPI_COMM_WORLD_LOCAL_RANK", "0"))
    if env.get("OMPI_COMM_WORLD_LOCAL_SIZE") == env["OMPI_COMM_WORLD_SIZE"]:
        env.setdefault("MASTER_ADDR", "127.0.0.1")  # one node
    jobid = env.get("OMPI_MCA_ess_base_jobid")
    if jobid is not None and jobid.isdigit():
        env.setdefault("MASTER_PORT", str(20000 + int(jobid) % 20000))


def _choose(size):
    choice = os.environ.get("ZCCL_TORCH_TRANSPORT", "auto").lower()
    if choice not in _TRANSPORTS:
        raise ValueError(f"ZCCL_TORCH_TRANSPORT={choice!r}: expected one of {', '.join(_TRANSPORTS)}")
    if choice == "auto":
        choice = "mpi" if _C.built_with_mpi() and _C.mpi_launch_size() == size else "gloo"
    return choice


def _create(store, rank, size, timeout):
    if _choose(size) == "mpi":
        return ProcessGroupZccl(rank, size)
    peers = dist.ProcessGroupGloo(dist.PrefixStore("zccl-gloo/", store), rank, size, timeout)
    return ProcessGroupZccl(rank, size, peers)


def _group(group):
    return group or dist.distributed_c10d._get_default_group()


def all_reduce_8bit(tensor, op=dist.ReduceOp.SUM, group=None, async_op=False):
    """The 8-bit all-reduce of a bf16/fp16/fp32 CPU tensor, in place: lossy and opt-in.

    Each rank's contribution is quantized to 8-bit block-scaled codes, the contributions summed in
    fp32 in rank order, the sum quantized once more and gathered (docs/algorithms.md, "8-bit
    reductions", has the error bound); the result is identical on every rank. op: SUM or AVG.
    Other dtypes and ops raise. async_op=True returns the work (wait() it, or get_future()).
    """
    if op not in (dist.ReduceOp.SUM, dist.ReduceOp.AVG):
        raise ValueError(f"all_reduce_8bit: op must be ReduceOp.SUM or ReduceOp.AVG, not {op}")
    pg = _group(group)
    if not isinstance(pg, ProcessGroupZccl):
        raise TypeError("all_reduce_8bit needs a group of the 'zccl' backend")
    work = pg.allreduce_8bit(tensor, op == dist.ReduceOp.AVG)
    if async_op:
        return work
    work.wait()
    return None


def allreduce_8bit_hook(state, bucket):
    """DDP communication hook: each gradient bucket averaged by the 8-bit all-reduce.

    ddp.register_comm_hook(None, zccl.torch.allreduce_8bit_hook) (state: a zccl group, or None
    for the default group). Lossy: training sees gradients rounded to 8-bit codes twice.
    """
    work = _group(state).allreduce_8bit(bucket.buffer(), True)
    return work.get_future().then(lambda fut: fut.value()[0])


def stats(group=None):
    """ZipCCL's counters for a group (zcclCommGetStats): calls, compressed_calls, raw_bytes, wire_bytes, ..."""
    return _group(group).stats()


def transport(group=None):
    """'mpi' or 'gloo': what carries the group's bytes."""
    return _group(group).transport


def version():
    return _C.version()


_mpi_defaults()
if not hasattr(dist.Backend, "ZCCL"):
    dist.Backend.register_backend("zccl", _create)
atexit.register(_C.shutdown_all)
