#!/usr/bin/env bash
# Runs tests/nccl_callers.cc (an unmodified NCCL program) without the shim, with the shim
# preloaded, through the drop-in libnccl.so.2, with ZCCL_NCCL_SHIM=off and with
# ZCCL_NCCL_GROUPS=forward, and requires the same results from all of them, bit for bit. Where
# the scenario has collectives ZipCCL can carry, the shim's log must show ZipCCL's plans with
# compressed frames (ZCCL_COMPRESSION=on here), a group replayed through ZipCCL and ZipCCL on the
# nonblocking communicator.
#   run_shim_tests.sh CALLERS SHIM_SO DROPIN_DIR REAL_LIBNCCL SCENARIO [ARGS...]
#   SCENARIO: threads P | devices D | mpi P | nogpu
set -euo pipefail
callers=$1 shim=$2 dropin=$3 real=$4
shift 4
scenario=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ZCCL_DEBUG=INFO ZCCL_COMPRESSION=on NCCL_STANDIN_TIMEOUT=60

run() {  # run NAME [env assignments...]: the scenario with those settings, output in $work/NAME
  local name=$1
  shift
  local cmd=("$callers" "$scenario" "$@")
  case $scenario in
    threads | devices) cmd=("$callers" "$scenario" "$ARG" "$work/$name") ;;
    nogpu) cmd=("$callers" nogpu "$work/$name") ;;
    mpi) cmd=(mpirun --allow-run-as-root --oversubscribe -np "$ARG" -x LD_PRELOAD -x LD_LIBRARY_PATH -x ZCCL_NCCL_LIBRARY
              -x ZCCL_NCCL_SHIM -x ZCCL_DEBUG -x ZCCL_COMPRESSION -x NCCL_STANDIN_TIMEOUT -x ZCCL_DATA_DIR
              "$callers" mpi "$work/$name") ;;
  esac
  if ! env "${ENVS[@]}" timeout 300 "${cmd[@]}" >"$work/$name.log" 2>&1; then
    echo "FAIL: $name run failed:"; tail -30 "$work/$name.log"; exit 1
  fi
}
ARG=${1:-1}

ENVS=(LD_PRELOAD= ZCCL_NCCL_SHIM=on); run direct
ENVS=(LD_PRELOAD="$shim"); run preload
# The drop-in is told where the real NCCL is, except against the installed library (nogpu),
# which it must find by itself.
real_env=(ZCCL_NCCL_LIBRARY="$real")
[ "$scenario" = nogpu ] && real_env=(ZCCL_NCCL_LIBRARY=)
ENVS=(LD_PRELOAD= LD_LIBRARY_PATH="$dropin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "${real_env[@]}"); run dropin
ENVS=(LD_PRELOAD="$shim" ZCCL_NCCL_SHIM=off); run off
ENVS=(LD_PRELOAD="$shim" ZCCL_NCCL_GROUPS=forward); run forward

fail=0
for f in "$work"/direct.rank*; do
  r=${f##*.}
  for v in preload dropin off forward; do
    if ! cmp -s "$f" "$work/$v.$r"; then
      echo "FAIL: $scenario $v differs from the run without the shim ($r):"
      diff "$f" "$work/$v.$r" | head -20 || true
      fail=1
    fi
  done
done
if grep -q "ZCCL SHIM" "$work/direct.log"; then echo "FAIL: the run without the shim went through it"; fail=1; fi
for v in preload dropin; do
  if ! grep -q "ZCCL SHIM INFO the real NCCL is " "$work/$v.log"; then echo "FAIL: $v did not go through the shim"; fail=1; fi
  grep -m1 "the real NCCL is" "$work/$v.log" | sed "s/^.*INFO /$v: /"
done
if grep -q "ZipCCL plan" "$work/off.log"; then echo "FAIL: ZCCL_NCCL_SHIM=off still routed calls"; fail=1; fi
if grep -q "replayed through ZipCCL" "$work/forward.log"; then echo "FAIL: ZCCL_NCCL_GROUPS=forward replayed a group"; fail=1; fi
if [ "$scenario" = threads ] || [ "$scenario" = mpi ]; then
  for v in preload dropin; do
    n=$(grep -c "ZipCCL plan [a-z]*/on/" "$work/$v.log" || true)
    if [ "$n" -eq 0 ]; then echo "FAIL: $v: no call went through ZipCCL compressed"; fail=1; fi
    echo "$v: $n first plans logged, e.g.:"; grep -m3 "ZipCCL plan" "$work/$v.log"
    # Groups on one communicator per thread are replayed through ZipCCL (group_replay.h).
    if ! grep -q "grouped calls on .* replayed through ZipCCL" "$work/$v.log"; then
      echo "FAIL: $v: no group was replayed through ZipCCL"; fail=1
    fi
    # A nonblocking communicator is compressed too (ncclInProgress waited out).
    if ! grep -q "ZipCCL started on it (nonblocking)" "$work/$v.log"; then
      echo "FAIL: $v: ZipCCL never started on the nonblocking communicator"; fail=1
    fi
  done
fi
if [ "$scenario" = devices ] && grep -q "ZipCCL plan\|replayed through ZipCCL" "$work/preload.log"; then
  echo "FAIL: grouped multi-device calls were routed to ZipCCL"; fail=1
fi
lines=$(cat "$work"/direct.rank* | wc -l)
[ $fail -eq 0 ] && echo "PASS: $scenario $ARG: $lines result lines identical without the shim, preloaded, drop-in, off and groups forwarded"
exit $fail
