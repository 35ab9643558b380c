#!/usr/bin/env bash
# The DDP example, short: 2 ranks (env://), 8 steps, compression on and off, bit-identical losses;
# with --8bit instead: the exact run against the 8-bit all-reduce hook (final losses side by side).
# Exit 77 (skipped) where torch, zccl.torch or the bible-kjv package is missing.
#   ddp_lossless.sh [PYTHON [--8bit]]
set -euo pipefail
py=${1:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
if ! "$py" -c "import torch, zccl.torch" 2>/dev/null; then
  echo "SKIPPED: torch or zccl.torch not importable by $py (docs/torch.md)"; exit 77
fi
if ! command -v bible >/dev/null; then echo "SKIPPED: no bible command (apt-get install bible-kjv)"; exit 77; fi
if [ "${2:-}" = "--8bit" ]; then exec "$py" "$here/../examples/ddp_kjv.py" --ranks 2 --steps 8 --compare-8bit; fi
exec "$py" "$here/../examples/ddp_kjv.py" --ranks 2 --steps 8 --compare
