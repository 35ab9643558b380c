"""Builds the ZipCCL torch.distributed backend against an installed ZipCCL and the torch it runs in.

    pip install --no-build-isolation --no-deps plugins/torch        (offline; setuptools from Debian)

ZipCCL is found with pkg-config (zccl.pc; PKG_CONFIG_PATH=<prefix>/lib/pkgconfig for a
`cmake --install` prefix), or from ZCCL_INCLUDE_DIR and ZCCL_LIB_DIR (a source tree and its build:
ZCCL_INCLUDE_DIR=include ZCCL_LIB_DIR=build/lib, plus MPI's flags from pkg-config mpi-c).
"""
import os
import shlex
import subprocess

from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

HERE = os.path.dirname(os.path.abspath(__file__))


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def zccl_flags():
    """(include dirs, library dirs, libraries, extra link args) of ZipCCL and its MPI."""
    inc, libdirs, libs, extra = [], [], [], []
    if os.environ.get("ZCCL_INCLUDE_DIR"):
        inc.append(os.path.abspath(os.environ["ZCCL_INCLUDE_DIR"]))
        libdirs.append(os.path.abspath(os.environ["ZCCL_LIB_DIR"]))
        libs.append("zccl")
        flags = pkg_config("--cflags", "--libs", "mpi-c") or []
    else:
        flags = pkg_config("--cflags", "--libs", "zccl")
        if flags is None:
            raise SystemExit("zccl.torch: ZipCCL not found: set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig "
                             "(after cmake --install build --prefix <prefix>), or ZCCL_INCLUDE_DIR and ZCCL_LIB_DIR")
    for f in flags:
        if f.startswith("-I"):
            inc.append(f[2:])
        elif f.startswith("-L"):
            libdirs.append(f[2:])
        elif f.startswith("-l"):
            libs.append(f[2:])
        elif f.endswith(".so") or ".so." in f:
            extra.append(f)
    extra += ["-Wl,-rpath," + os.path.realpath(d) for d in libdirs]
    return inc, libdirs, libs, extra


inc, libdirs, libs, extra = zccl_flags()
with_mpi = any(os.path.exists(os.path.join(d, "mpi.h")) for d in inc)
sources = ["module.cc", "process_group_zccl.cc", "peer_transport.cc", "tensor_args.cc", "zccl_work.cc",
           "mpi_world.cc"]

setup(
    name="zccl-torch",
    version="0.1.0",
    description="ZipCCL backend for torch.distributed: lossless-compressed collectives on CPU tensors",
    packages=["zccl", "zccl.torch"],
    ext_modules=[
        CppExtension(
            "zccl.torch._C",
            [os.path.join("csrc", s) for s in sources],
            include_dirs=inc,
            library_dirs=libdirs,
            libraries=libs,
            extra_link_args=extra,
            define_macros=[("ZCCL_TORCH_WITH_MPI", "1"), ("OMPI_SKIP_MPICXX", "1")] if with_mpi else [],
            # -g0: Python's flags ask for -g; without debug info the build took 224 s instead of ~390 s here
            extra_compile_args=["-std=c++17", "-O2", "-g0", "-Wno-deprecated-declarations"],
        )
    ],
    cmdclass={"build_ext": BuildExtension},
)
