"""ZipCCL's Python packages: zccl.torch is the torch.distributed backend."""
