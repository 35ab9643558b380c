#!/usr/bin/env bash
# Time per step of the DDP example (ddp_kjv.py) on ranks in network namespaces whose links are
# shaped to RATE (tbf both ways, as tools/shaped_bench.sh does), launched with env:// (one rank per
# namespace, MASTER_ADDR = namespace 0): zccl with compression on, zccl with it off (both bf16
# gradients, ZipCCL over torch's gloo), and gloo itself (fp32 gradients: gloo cannot carry bf16).
#   shaped_ddp.sh [-N RANKS] [-R RATE] [-s STEPS] [-P PYTHON] [-- ddp_kjv.py options]
# As root; removes what it made on exit. Exit 77 where namespaces cannot be made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ranks=4 rate=1gbit steps=12 py=/usr/bin/python3 mtu=9000 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -N) ranks="$2"; shift 2 ;;
    -R) rate="$2"; shift 2 ;;
    -s) steps="$2"; shift 2 ;;
    -P) py="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 1 ;;
  esac
done
[ "$(id -u)" = 0 ] && command -v tc >/dev/null || { echo "shaped_ddp: SKIPPED: needs root and iproute2"; exit 77; }
prefix="zd$$" net="10.232.$(( $$ % 200 + 20 ))" bridge="zd$$br"
made=()
cleanup() {
  set +e
  for ns in "${made[@]}"; do
    pids=$(ip netns pids "$ns"); [ -n "$pids" ] && kill -9 $pids
    ip netns del "$ns"
  done
  ip link del "$bridge" 2>/dev/null
}
trap cleanup EXIT
ip link add "$bridge" type bridge && ip link set "$bridge" up
for i in $(seq 0 $((ranks - 1))); do
  ns="${prefix}n$i"
  ip netns add "$ns" && made+=("$ns")
  ip link add "${prefix}v$i" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns"
  ip link set "${prefix}v$i" master "$bridge" up
  ip netns exec "$ns" ip addr add "$net.$((i + 1))/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst 65536 latency 50ms
  tc qdisc add dev "${prefix}v$i" root tbf rate "$rate" burst 65536 latency 50ms
done

run() {  # label backend compression
  local out port=29500 pids=() codes=0
  out=$(mktemp -d)
  for i in $(seq 0 $((ranks - 1))); do
    ip netns exec "${prefix}n$i" env RANK="$i" LOCAL_RANK=0 WORLD_SIZE="$ranks" MASTER_ADDR="$net.1" \
      MASTER_PORT=$port GLOO_SOCKET_IFNAME=eth0 ZCCL_COMPRESSION="$3" \
      "$py" "$here/ddp_kjv.py" --worker --backend "$2" --steps "$steps" --out "$out/r" "${extra[@]}" >/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || codes=1; done
  [ "$codes" = 0 ] || { echo "shaped_ddp: $1 failed" >&2; exit 1; }
  "$py" - "$1" "$out" "$ranks" <<'PY'
import json, sys
label, out, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
res = [json.load(open(f"{out}/r.rank{r}.json")) for r in range(ranks)]
med = max(sorted(r["step_seconds"][3:])[len(r["step_seconds"][3:]) // 2] for r in res)
st = res[0].get("stats")
extra = f", wire/raw {st['wire_bytes'] / st['raw_bytes']:.3f}" if st and st["raw_bytes"] else ""
print(f"{label}\t{med * 1000:.0f} ms/step\tfinal loss {float.fromhex(res[0]['losses'][-1]):.4f}{extra}")
PY
  rm -rf "$out"
}
echo "# shaped_ddp: $ranks ranks, one per namespace, links $rate each way, $steps steps (median of steps 3+," \
     "slowest rank), ddp_kjv.py ${extra[*]}"
run "zccl compressed (bf16)" zccl 1
run "zccl off (bf16)" zccl 0
run "gloo (fp32)" gloo auto
