#!/usr/bin/env python3
"""Tests of the "zccl" torch.distributed backend at 2 ranks (or --ranks N), launched the two ways
users launch: env:// (this script spawns the ranks, as any launcher would: RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT; ZipCCL over torch's gloo) and mpirun (ZipCCL over Open MPI).

    python3 run_backend_tests.py [--launch env|mpirun|both] [--ranks 2]

Exit status 0: every check passed on every rank; 77: torch or zccl.torch is not installed
(skipped, with the reason); 1 otherwise."""
import argparse
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_env(ranks, timeout):
    port = str(free_port())
    procs = []
    for r in range(ranks):
        env = dict(os.environ, RANK=str(r), WORLD_SIZE=str(ranks), LOCAL_RANK=str(r), MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=port)
        procs.append(subprocess.Popen([sys.executable, __file__, "--worker"], env=env))
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append("timeout")
    return codes


def launch_mpirun(ranks, timeout):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    forward = ["-x", "PYTHONPATH"] if "PYTHONPATH" in env else []
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] + forward + [
        sys.executable, __file__, "--worker"]
    try:
        return [subprocess.run(cmd, env=env, timeout=timeout).returncode]
    except subprocess.TimeoutExpired:
        return ["timeout"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--launch", choices=["env", "mpirun", "both"], default="both")
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    sys.path.insert(0, HERE)
    if a.worker:
        import backend_checks
        return backend_checks.main()
    try:
        import torch  # noqa: F401
        import zccl.torch  # noqa: F401
    except ImportError as e:
        print(f"SKIPPED: {e} (apt-get install python3-torch libtorch-dev; pip install plugins/torch)")
        return 77
    ok = True
    for how in (["env", "mpirun"] if a.launch == "both" else [a.launch]):
        codes = (launch_env if how == "env" else launch_mpirun)(a.ranks, a.timeout)
        print(f"launch {how}, {a.ranks} ranks: exit codes {codes}", flush=True)
        ok = ok and all(c == 0 for c in codes)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
