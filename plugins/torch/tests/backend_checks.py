"""What every rank of the backend tests runs: each collective, dtype class and calling form of the
"zccl" backend, checked against values computed here independently; bit-exactness of compressed
against uncompressed results (two groups, ZCCL_COMPRESSION=1 and 0); errors as Python exceptions.
Run through run_backend_tests.py (env:// ranks it spawns, or mpirun)."""
import os

import torch
import torch.distributed as dist

import zccl.torch as zt

FLOATS = [torch.bfloat16, torch.float16, torch.float32]
ALL = FLOATS + [torch.float64, torch.int8, torch.uint8, torch.int32, torch.int64]


def values(rank, n, dtype, op="sum"):
    """Small integers, exact in every dtype and in any summation order."""
    i = torch.arange(n, dtype=torch.int64)
    v = (i * 7 + rank * 13) % 5
    if op == "product":
        v = torch.where(v % 3 == 0, 2, 1)
    elif dtype not in (torch.uint8,):
        v = v - 2
    return v.to(dtype)


def random_bits(seed, n, dtype):
    """Every bit pattern (NaN payloads, -0, inf, denormals) of a 16- or 32-bit float type."""
    g = torch.Generator().manual_seed(seed)
    width = torch.int16 if dtype in (torch.bfloat16, torch.float16) else torch.int32
    return torch.randint(-(2**15) if width == torch.int16 else -(2**31), 2**15 if width == torch.int16 else 2**31,
                         (n,), generator=g, dtype=torch.int64).to(width).view(dtype)


def same_bits(a, b):
    if a.dtype.is_floating_point and a.element_size() in (2, 4):
        w = torch.int16 if a.element_size() == 2 else torch.int32
        return torch.equal(a.contiguous().view(w), b.contiguous().view(w))
    return torch.equal(a, b)


class Checker:
    def __init__(self):
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.failures, self.passed = [], 0

    def expect(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failures.append(what)


def check_all_reduce(c, group):
    P = c.size
    ops = {"sum": dist.ReduceOp.SUM, "avg": dist.ReduceOp.AVG, "min": dist.ReduceOp.MIN, "max": dist.ReduceOp.MAX,
           "product": dist.ReduceOp.PRODUCT}
    for dtype in ALL:
        for name, op in ops.items():
            if name == "avg" and not dtype.is_floating_point:
                continue  # integer average truncates; floats are checked
            n = 70000  # above the 64 KiB threshold for bf16: compressed under auto too
            t = values(c.rank, n, dtype, name)
            stack = torch.stack([values(r, n, dtype, name).to(torch.float64) for r in range(P)])
            want = {"sum": stack.sum(0), "avg": stack.sum(0) / P, "min": stack.min(0).values,
                    "max": stack.max(0).values, "product": stack.prod(0)}[name].to(dtype)
            dist.all_reduce(t, op=op, group=group)
            c.expect(torch.equal(t, want), f"all_reduce {name} {dtype}")


def check_movement(c, group):
    P, r = c.size, c.rank
    for dtype in FLOATS:
        n = 50000
        mine = random_bits(100 + r, n, dtype)
        outs = [torch.empty(n, dtype=dtype) for _ in range(P)]
        dist.all_gather(outs, mine, group=group)
        c.expect(all(same_bits(outs[p], random_bits(100 + p, n, dtype)) for p in range(P)), f"all_gather {dtype}")
        flat = torch.empty(P * n, dtype=dtype)
        dist.all_gather_into_tensor(flat, mine, group=group)
        c.expect(same_bits(flat, torch.cat([random_bits(100 + p, n, dtype) for p in range(P)])),
                 f"all_gather_into_tensor {dtype}")
        b = random_bits(7, n, dtype) if r == 1 else torch.zeros(n, dtype=dtype)
        dist.broadcast(b, src=1, group=group)
        c.expect(same_bits(b, random_bits(7, n, dtype)), f"broadcast {dtype}")
        # all_to_all_single, even: block q of rank p's input goes to block p of rank q's output
        send = random_bits(200 + r, P * n, dtype)
        recv = torch.empty(P * n, dtype=dtype)
        dist.all_to_all_single(recv, send, group=group)
        want = torch.cat([random_bits(200 + p, P * n, dtype)[r * n:(r + 1) * n] for p in range(P)])
        c.expect(same_bits(recv, want), f"all_to_all_single even {dtype}")
    # uneven all_to_all_single over rows of a 2-d tensor: rank p sends p+q+1 rows to rank q
    cols = 33
    rows_to = [r + q + 1 for q in range(P)]
    rows_from = [p + r + 1 for p in range(P)]
    send = torch.cat([torch.full((rows_to[q], cols), float(100 * r + q)) for q in range(P)]).to(torch.bfloat16)
    recv = torch.empty(sum(rows_from), cols, dtype=torch.bfloat16)
    dist.all_to_all_single(recv, send, output_split_sizes=rows_from, input_split_sizes=rows_to, group=group)
    want = torch.cat([torch.full((rows_from[p], cols), float(100 * p + r)) for p in range(P)]).to(torch.bfloat16)
    c.expect(torch.equal(recv, want), "all_to_all_single uneven")
    outs = [torch.empty(rows_from[p], dtype=torch.int64) for p in range(P)]
    dist.all_to_all(outs, [torch.full((rows_to[q],), 10 * r + q, dtype=torch.int64) for q in range(P)], group=group)
    c.expect(all(torch.equal(outs[p], torch.full((rows_from[p],), 10 * p + r)) for p in range(P)), "all_to_all list")
    # types ZipCCL lacks move as bytes
    for dtype in (torch.bool, torch.int16, torch.complex64):
        t = (torch.arange(1000) % 3 == 1) if dtype == torch.bool else torch.arange(1000).to(dtype)
        got = t.clone() if r == 0 else torch.zeros_like(t)
        dist.broadcast(got, src=0, group=group)
        c.expect(torch.equal(got, t), f"broadcast {dtype}")
        outs = [torch.zeros_like(t) for _ in range(P)]
        dist.all_gather(outs, t, group=group)
        c.expect(all(torch.equal(o, t) for o in outs), f"all_gather {dtype}")


def check_reductions_to_one(c, group):
    P, r = c.size, c.rank
    n = 40000
    for dtype in (torch.bfloat16, torch.float32, torch.int64):
        ins = [values(r * P + q, n, dtype) for q in range(P)]
        out = torch.empty(n, dtype=dtype)
        dist.reduce_scatter(out, ins, group=group)
        want = sum(values(p * P + r, n, dtype).to(torch.float64) for p in range(P)).to(dtype)
        c.expect(torch.equal(out, want), f"reduce_scatter {dtype}")
        out2 = torch.empty(n, dtype=dtype)
        dist.reduce_scatter_tensor(out2, torch.cat(ins), op=dist.ReduceOp.MAX, group=group)
        want = torch.stack([values(p * P + r, n, dtype) for p in range(P)]).max(0).values
        c.expect(torch.equal(out2, want), f"reduce_scatter_tensor max {dtype}")
        t = values(r, n, dtype)
        dist.reduce(t, dst=0, group=group)
        if r == 0:
            c.expect(torch.equal(t, sum(values(p, n, dtype).to(torch.float64) for p in range(P)).to(dtype)),
                     f"reduce {dtype}")


def check_point_to_point_async_noncontiguous(c, group):
    P, r = c.size, c.rank
    n = 30000
    peer = (r + 1) % P
    prev = (r - 1 + P) % P
    # batch_isend_irecv: both directions at once, one ZipCCL group
    got = torch.empty(n, dtype=torch.bfloat16)
    ops = [dist.P2POp(dist.isend, random_bits(300 + r, n, torch.bfloat16), peer, group),
           dist.P2POp(dist.irecv, got, prev, group)]
    for w in dist.batch_isend_irecv(ops):
        w.wait()
    c.expect(same_bits(got, random_bits(300 + prev, n, torch.bfloat16)), "batch_isend_irecv")
    # blocking send/recv between ranks 0 and 1
    if r == 0:
        dist.send(random_bits(9, n, torch.float32), 1, group=group)
    elif r == 1:
        x = torch.empty(n, dtype=torch.float32)
        dist.recv(x, 0, group=group)
        c.expect(same_bits(x, random_bits(9, n, torch.float32)), "send/recv")
    # async work objects complete in order; wait() returns True; the future carries the output
    ts = [values(r + k, 20000, torch.float32) for k in range(4)]
    works = [dist.all_reduce(t, async_op=True, group=group) for t in ts]
    for k, w in enumerate(works):
        c.expect(w.wait() is True, "wait() returns True")
        want = sum(values(p + k, 20000, torch.float32) for p in range(P))
        c.expect(torch.equal(ts[k], want), f"async all_reduce {k}")
    fut = dist.all_reduce(values(r, 100, torch.float32), async_op=True, group=group).get_future()
    c.expect(torch.equal(fut.wait()[0], sum(values(p, 100, torch.float32) for p in range(P))), "future value")
    dist.barrier(group=group)
    # non-contiguous tensors: staged through contiguous copies, results written back
    base = torch.stack([values(r, 300, torch.float32), values(r + 1, 300, torch.float32)], 1)  # 300 x 2
    col = base[:, 1]
    dist.all_reduce(col, group=group)
    c.expect(torch.equal(base[:, 1], sum(values(p + 1, 300, torch.float32) for p in range(P))) and
             torch.equal(base[:, 0], values(r, 300, torch.float32)), "all_reduce non-contiguous")
    tr = torch.zeros(40, 30).t()
    if r == 1:
        tr.copy_(torch.arange(1200.).view(30, 40))
    dist.broadcast(tr, src=1, group=group)
    c.expect(torch.equal(tr, torch.arange(1200.).view(30, 40)), "broadcast non-contiguous")


def check_errors(c, group):
    def raises(fn, text, what):
        try:
            fn()
        except RuntimeError as e:
            c.expect(text in str(e), f"{what}: message {str(e)[:300]!r} lacks {text!r}")
            return
        c.expect(False, f"{what}: no exception")
    raises(lambda: dist.all_reduce(torch.ones(4, dtype=torch.bool), group=group), "not supported", "bool all_reduce")
    raises(lambda: dist.all_reduce(torch.ones(4), op=dist.ReduceOp.BAND, group=group), "not supported", "BAND")
    raises(lambda: dist.all_gather_into_tensor(torch.empty(3), torch.ones(2), group=group), "needs",
           "all_gather_into_tensor sizes")
    # An error ZipCCL itself reports, at run time, through wait(): a root that is not a rank.
    raises(lambda: dist.broadcast(torch.ones(10), src=c.size + 3), "is not a rank of",
           "broadcast root")


def check_all_reduce_8bit(c, group):
    """The opt-in 8-bit all-reduce: close to the exact sum (within the documented bound: two
    roundings to 8-bit block-scaled codes, relative to each 128-element block's largest value),
    identical on every rank, async form, and refusals."""
    P = c.size
    n = 128 * 40  # whole 8-bit blocks
    for dtype in FLOATS:
        for avg in (False, True):
            inputs = [torch.randn(n, generator=torch.Generator().manual_seed(77 + r)).to(dtype) for r in range(P)]
            exact = sum(t.double() for t in inputs) / (P if avg else 1)
            # The error scale: the contributions' block maxima (each is rounded to its block's codes).
            scale = sum(t.double().abs().view(-1, 128).amax(1, keepdim=True) for t in inputs) / (P if avg else 1)
            y = inputs[c.rank].clone()
            zt.all_reduce_8bit(y, op=dist.ReduceOp.AVG if avg else dist.ReduceOp.SUM, group=group)
            err = ((y.double() - exact).abs().view(-1, 128) / scale).max().item()
            c.expect(err < 0.02, f"8-bit all_reduce {dtype} avg={avg}: error {err:.4f} of the block scale (< 0.02)")
            c.expect(err > 0 or dtype != torch.float32, f"8-bit all_reduce {dtype}: lossy, yet exact")
            every = [torch.empty_like(y) for _ in range(P)]
            dist.all_gather(every, y, group=group)
            c.expect(all(same_bits(e, every[0]) for e in every), f"8-bit all_reduce {dtype}: identical on all ranks")
    z = torch.ones(1000)
    work = zt.all_reduce_8bit(z, group=group, async_op=True)
    work.wait()
    c.expect(torch.allclose(z, torch.full((1000,), float(P)), rtol=0.02), "8-bit all_reduce async_op")
    for bad, what in ((lambda: zt.all_reduce_8bit(torch.ones(8, dtype=torch.int32), group=group), "int32"),
                      (lambda: zt.all_reduce_8bit(torch.ones(8), op=dist.ReduceOp.MAX, group=group), "MAX")):
        try:
            bad()
            c.expect(False, f"8-bit all_reduce of {what}: no exception")
        except (RuntimeError, ValueError) as e:
            c.expect("8bit" in str(e) or "ReduceOp" in str(e), f"8-bit {what}: message {str(e)[:200]!r}")


def main():
    import zccl.torch  # noqa: F401  registers "zccl"
    dist.init_process_group("zccl", init_method="env://")
    c = Checker()
    # Two more groups over every rank: compression forced on and off (ZipCCL reads ZCCL_* when a
    # communicator is made).
    os.environ["ZCCL_COMPRESSION"] = "1"
    on = dist.new_group(backend="zccl")
    os.environ["ZCCL_COMPRESSION"] = "0"
    off = dist.new_group(backend="zccl")
    del os.environ["ZCCL_COMPRESSION"]
    check_all_reduce(c, None)
    check_movement(c, on)
    check_reductions_to_one(c, on)
    check_point_to_point_async_noncontiguous(c, None)
    # compressed against uncompressed, every bit, on random data (sums of random bf16 round)
    for dtype in FLOATS:
        a = random_bits(500 + c.rank, 300000, dtype)
        a = torch.where(torch.isfinite(a), a, torch.zeros_like(a))  # sums of inf/NaN stay NaN in both anyway
        b = a.clone()
        dist.all_reduce(a, group=on)
        dist.all_reduce(b, group=off)
        c.expect(same_bits(a, b), f"compressed all_reduce == uncompressed {dtype}")
    s_on, s_off = zt.stats(on), zt.stats(off)
    c.expect(s_on["compressed_calls"] > 0 and s_on["wire_bytes"] < s_on["raw_bytes"], f"compression used: {s_on}")
    c.expect(s_off["compressed_calls"] == 0, f"no compression when off: {s_off}")
    check_errors(c, on)
    check_all_reduce_8bit(c, None)
    dist.barrier()
    print(f"rank {c.rank} ({zt.transport()}): {c.passed} checks passed, {len(c.failures)} failed", flush=True)
    for f in c.failures:
        print(f"rank {c.rank} FAILED: {f}", flush=True)
    dist.destroy_process_group()
    return 1 if c.failures else 0
