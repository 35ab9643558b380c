#!/usr/bin/env bash
# Every function of NCCL's API, and its pnccl twin, must be exported by the shim and the drop-in:
# the names come from the installed headers (nccl.h: the 41 of the API; nccl_device/*.h: the 11
# host functions of the device API) and from `nm -D` of the installed libnccl.so.2, so a NCCL
# release that adds a function fails this test until the shim has it.
#   check_exports.sh NCCL_INCLUDE_DIR REAL_LIBNCCL_OR_EMPTY SHIM_LIBRARY...
set -euo pipefail
inc=$1 real=$2
shift 2
names=$(mktemp)
trap 'rm -f "$names" "$names".*' EXIT
grep -hoE '^[a-zA-Z_][a-zA-Z_ *]*[ *]nccl[A-Z][A-Za-z0-9]*\(' "$inc/nccl.h" | grep -oE 'nccl[A-Z][A-Za-z0-9]*\($' | tr -d '(' \
  | sort -u >"$names.api"
grep -hoE 'NCCL_EXTERN_C __host__ [^(]*[ *]nccl[A-Z][A-Za-z0-9]*\(' "$inc"/nccl_device/*.h | grep -oE 'nccl[A-Z][A-Za-z0-9]*\($' \
  | tr -d '(' \
  | sort -u >"$names.device"
api=$(wc -l <"$names.api") device=$(wc -l <"$names.device")
echo "headers: $api functions in nccl.h, $device device-API host functions"
if [ "$api" -lt 41 ] || [ "$device" -lt 11 ]; then
  echo "FAIL: expected at least 41 + 11 functions (NCCL 2.28.9); the header parsing broke"; exit 1
fi
cat "$names.api" "$names.device" >"$names"
if [ -n "$real" ] && [ -e "$real" ]; then
  nm -D --defined-only "$real" | awk '{print $3}' | grep -E '^nccl' >>"$names"
  echo "real library $real: $(nm -D --defined-only "$real" | awk '{print $3}' | grep -cE '^p?nccl') exported names"
fi
sort -u "$names" -o "$names"
fail=0
for lib in "$@"; do
  nm -D --defined-only "$lib" | awk '{print $3}' | sort -u >"$names.lib"
  missing=0
  while read -r n; do
    for want in "$n" "p$n"; do
      [ "$want" = pncclResetDebugInitInternal ] && continue  # the real library has no twin of it
      if ! grep -qx "$want" "$names.lib"; then echo "FAIL: $lib does not export $want"; missing=1; fi
    done
  done <"$names"
  extra=$(grep -vE '^p?nccl' "$names.lib" || true)
  if [ -n "$extra" ]; then echo "FAIL: $lib exports more than NCCL's names: $extra"; missing=1; fi
  [ $missing -eq 0 ] && echo "PASS: $lib exports all $(wc -l <"$names") names and their pnccl twins"
  fail=$((fail | missing))
done
exit $fail
