#!/usr/bin/env bash
# Usage: dead_peer_test.sh MPIEXEC BINARY NP. Runs mpi_dead_peer_test with the job abort disabled
# (mpirun keeps the survivors alive when a rank dies) and passes if all NP-1 survivors print
# "SURVIVOR PASS".
set -u
mpiexec=$1 bin=$2 np=$3
out=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 "$mpiexec" --allow-run-as-root \
  --oversubscribe --mca orte_abort_on_non_zero_status 0 -x ZCCL_TIMEOUT=3 -np "$np" "$bin" 2>&1)
echo "$out" | grep SURVIVOR
pass=$(echo "$out" | grep -c "SURVIVOR PASS")
if [ "$pass" -ne $((np - 1)) ]; then
  echo "$out" | tail -30
  echo "dead_peer_test: $pass of $((np - 1)) survivors passed" >&2
  exit 1
fi
