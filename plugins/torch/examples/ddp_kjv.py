#!/usr/bin/env python3
"""A real DDP job on the "zccl" backend: a small byte-level GPT (bf16 weights and gradients) trained
on the King James Bible (Debian's bible-kjv: `bible gen1:1-rev22:21`), gradients all-reduced by
DDP's buckets through ZipCCL.

    python3 ddp_kjv.py --ranks 2 --steps 20 --compare      # compression on and off: losses must match
    python3 ddp_kjv.py --ranks 4 --steps 50 --launch mpirun
    python3 ddp_kjv.py --ranks 4 --backend gloo            # gloo: fp32 (it cannot carry bf16)
    python3 ddp_kjv.py --ranks 2 --steps 50 --compare-8bit # exact against the 8-bit all-reduce

--compare runs the job twice, with ZCCL_COMPRESSION=1 and =0, and exits 1 unless every rank's loss
of every step is bit-identical in both (the lossless contract, end to end through DDP). Each rank
trains on its own batches (rank-seeded); every run starts from the same weights (seed 0).

--reduce-precision 8bit averages DDP's gradient buckets with ZipCCL's opt-in, lossy 8-bit all-reduce
(the comm hook zccl.torch.allreduce_8bit_hook); --compare-8bit runs the exact job and the 8-bit one
and prints both final losses (exit 1 if the 8-bit run diverges: a final loss not finite or more than
5% above the exact run's)."""
import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // self.heads)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, d=128, layers=2, heads=4, context=64):
        super().__init__()
        self.tok, self.pos = nn.Embedding(256, d), nn.Embedding(context, d)
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, 256)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        return self.head(self.ln(self.blocks(x)))


def corpus(path):
    if path:
        data = open(path, "rb").read()
    else:
        data = subprocess.run(["bible", "gen1:1-rev22:21"], check=True, capture_output=True).stdout
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).to(torch.int64)


def worker(a):
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    torch.set_num_threads(1)  # deterministic and fair on a shared machine
    if a.backend == "zccl":
        import zccl.torch as zt  # noqa: F401  registers the backend
    dist.init_process_group(a.backend, init_method="env://")
    rank, size = dist.get_rank(), dist.get_world_size()
    dtype = torch.float32 if a.backend == "gloo" else torch.bfloat16
    text = corpus(a.text)
    torch.manual_seed(0)
    model = TinyGPT(a.d_model, a.layers, 4, a.context).to(dtype)
    ddp = DDP(model, bucket_cap_mb=a.bucket_mb)
    if a.reduce_precision == "8bit":
        ddp.register_comm_hook(None, zt.allreduce_8bit_hook)  # lossy, opt-in
    opt = torch.optim.SGD(ddp.parameters(), lr=a.lr, momentum=0.9)
    g = torch.Generator().manual_seed(1000 + rank)
    losses, times = [], []
    for step in range(a.steps):
        starts = torch.randint(0, len(text) - a.context - 1, (a.batch,), generator=g)
        x = torch.stack([text[s:s + a.context] for s in starts])
        y = torch.stack([text[s + 1:s + a.context + 1] for s in starts])
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(ddp(x).float().view(-1, 256), y.view(-1))
        loss.backward()  # DDP all-reduces the gradient buckets here
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(loss.item())
        if rank == 0 and (step % max(1, a.steps // 10) == 0 or step == a.steps - 1):
            print(f"step {step:4d} loss {loss.item():.4f} ({times[-1] * 1000:.0f} ms)", flush=True)
    result = {"rank": rank, "losses": [float(v).hex() for v in losses], "step_seconds": times}
    if a.backend == "zccl":
        result["stats"] = zt.stats()
        result["transport"] = zt.transport()
    if a.out:
        with open(f"{a.out}.rank{rank}.json", "w") as f:
            json.dump(result, f)
    dist.destroy_process_group()
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(a, out, extra_env):
    """Runs the job on a.ranks ranks (env:// ranks spawned here, or mpirun); returns per-rank results."""
    args = [__file__, "--worker", "--out", out] + [f"--{k.replace('_', '-')}={v}" for k, v in vars(a).items()
                                                   if k in FORWARDED and v is not None]
    env = dict(os.environ, **extra_env)
    if a.launch == "mpirun":
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(a.ranks)]
        for k in list(extra_env) + (["PYTHONPATH"] if "PYTHONPATH" in env else []):
            cmd += ["-x", k]
        codes = [subprocess.run(cmd + [sys.executable] + args, env=env).returncode]
    else:
        env.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE=str(a.ranks))
        procs = [subprocess.Popen([sys.executable] + args, env=dict(env, RANK=str(r), LOCAL_RANK=str(r)))
                 for r in range(a.ranks)]
        codes = [p.wait() for p in procs]
    if any(codes):
        raise SystemExit(f"ddp_kjv: ranks exited with {codes}")
    return [json.load(open(f"{out}.rank{r}.json")) for r in range(a.ranks)]


def summary(label, results, skip):
    steps = [sorted(r["step_seconds"][skip:]) for r in results]
    median = max(s[len(s) // 2] for s in steps)  # the slowest rank's median step
    line = f"{label}: final loss {float.fromhex(results[0]['losses'][-1]):.4f}, median step {median * 1000:.1f} ms"
    st = results[0].get("stats")
    if st:
        ratio = st["wire_bytes"] / st["raw_bytes"] if st["raw_bytes"] else float("nan")
        line += (f", {results[0]['transport']}: {st['compressed_calls']} of {st['calls']} calls compressed, "
                 f"wire/raw {ratio:.3f}")
    print(line, flush=True)
    return median


FORWARDED = ("steps", "batch", "context", "d_model", "layers", "bucket_mb", "lr", "text", "backend",
             "reduce_precision")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--launch", choices=["env", "mpirun"], default="env")
    ap.add_argument("--backend", choices=["zccl", "gloo"], default="zccl")
    ap.add_argument("--compare", action="store_true", help="compression on and off: assert bit-identical losses")
    ap.add_argument("--reduce-precision", choices=["lossless", "8bit"], default="lossless",
                    help="8bit: DDP's buckets through the 8-bit all-reduce hook (lossy)")
    ap.add_argument("--compare-8bit", action="store_true", help="exact and 8-bit runs: final losses side by side")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--bucket-mb", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--text", help="a text file instead of the bible-kjv package's text")
    a = ap.parse_args()
    if a.reduce_precision == "8bit" and a.backend != "zccl":
        raise SystemExit("--reduce-precision 8bit needs the zccl backend")
    if a.worker:
        return worker(a)
    skip = min(3, a.steps - 1)  # warm-up steps left out of the timing
    if a.compare_8bit:
        if a.backend != "zccl":
            raise SystemExit("--compare-8bit needs the zccl backend")
        with tempfile.TemporaryDirectory() as tmp:
            a.reduce_precision = "lossless"
            exact = launch(a, os.path.join(tmp, "exact"), {})
            a.reduce_precision = "8bit"
            q8 = launch(a, os.path.join(tmp, "q8"), {})
        summary(f"exact, {a.ranks} ranks", exact, skip)
        summary(f"8-bit all-reduce, {a.ranks} ranks", q8, skip)
        le, lq = float.fromhex(exact[0]["losses"][-1]), float.fromhex(q8[0]["losses"][-1])
        print(f"final loss: exact {le:.4f}, 8-bit {lq:.4f} ({(lq - le) / le * 100:+.2f}%)")
        return 0 if math.isfinite(lq) and lq <= le * 1.05 else 1
    with tempfile.TemporaryDirectory() as tmp:
        if not a.compare:
            summary(f"{a.backend}, {a.ranks} ranks", launch(a, os.path.join(tmp, "run"), {}), skip)
            return 0
        on = launch(a, os.path.join(tmp, "on"), {"ZCCL_COMPRESSION": "1"})
        off = launch(a, os.path.join(tmp, "off"), {"ZCCL_COMPRESSION": "0"})
    summary(f"compression on, {a.ranks} ranks", on, skip)
    summary(f"compression off, {a.ranks} ranks", off, skip)
    bad = [(r, s) for r in range(a.ranks) for s in range(a.steps) if on[r]["losses"][s] != off[r]["losses"][s]]
    if bad or on[0]["stats"]["compressed_calls"] == 0:
        print(f"FAILED: {len(bad)} losses differ (first: rank/step {bad[:3]}), "
              f"compressed calls {on[0]['stats']['compressed_calls']}")
        return 1
    print(f"OK: all {a.ranks * a.steps} losses ({a.ranks} ranks x {a.steps} steps) bit-identical with compression "
          f"on and off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
