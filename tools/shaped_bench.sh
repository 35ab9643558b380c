#!/usr/bin/env bash
# Shaped-network benchmark: ZipCCL's perf binaries over links of a chosen speed, on one machine.
#
# As root, it builds a small cluster out of network namespaces: N "nodes" (namespaces), each with
# one veth link to a bridge, the link shaped by tbf in both directions (rate on the command line,
# default 1 Gbit/s), so every node has its own full-duplex port of that speed. Open MPI starts one
# orted per namespace (its rsh launcher is pointed at this script, which enters the namespace
# instead of ssh-ing) and its ranks talk over TCP (--mca btl self,tcp): shared memory cannot bypass
# the shaped link. With -p K each node runs K ranks that share memory (btl self,vader,tcp), as a
# multi-GPU node does. Each collective's perf binary runs with -Z both (compression off and on,
# alternating in one run; -Z all adds the selector's choice, auto, and the plan it took), -c 1
# (every result checked bit for bit) and, by default, -B 1 (Open MPI's own collective as the
# outside baseline).
#
# Everything it creates (namespaces, bridge, veths, processes in the namespaces) is removed on
# exit, failure or interrupt. Output in the -o directory: each binary's table (COLL.txt) and JSON
# (COLL.json), summary.tsv (speedups and the physical limit 1/size-ratio per collective and size;
# with -Z all: auto's plan, its speedup over off and its ratio to the better of off and on),
# links.txt (bytes each shaper carried), and speedup.png (gnuplot: speedup versus message size).
# The library's settings in the environment (ZCCL_CHUNK_BYTES, ZCCL_DEBUG, ...) reach every rank.
#
#   tools/shaped_bench.sh [options] [-- extra perf binary arguments]
#     -N NODES        namespaces (default 4)
#     -p RANKS        ranks per namespace (default 1)
#     -R RATE         tbf rate per link and direction, tc syntax (default 1gbit)
#     -c LIST         collectives, comma separated (default all_reduce,all_gather,reduce_scatter,alltoall;
#                     also broadcast, reduce, sendrecv)
#     -b/-e/-f SIZE   sweep, as the perf binaries (default 4K, 64M, 4)
#     -n/-w COUNT     iterations and warm-up iterations (default 5, 1)
#     -d DTYPE        (default bfloat16)      -D PAYLOAD   (default gaussian)
#     -B 0|1          Open MPI baseline (default 1)
#     -Z both|all     off and on (default), or off, on and auto
#     -o DIR          output directory (default build/shaped/<date-time>)
#     --burst BYTES   tbf burst (default 0.5 ms at the rate, at least 64 KiB); smaller bursts make
#                     messages below 64 KiB meet the shaped rate instead of the bucket
#     --mtu BYTES     link MTU (default 9000, jumbo frames as in cluster networks: at 1500 the two
#                     cores of the test machine cannot push 4 x 1 Gbit/s through the veths, and the
#                     CPU rather than the link limits the run)
#     --smoke         2 namespaces, tiny sizes, two collectives: a quick end-to-end check
# Exit status: 0 on success, 77 when this machine cannot create namespaces (not root, no
# iproute2), 1 on any other failure (including a wrong result).
set -euo pipefail

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

# ---- rsh agent mode: Open MPI calls "$self --rsh-agent HOST COMMAND..." to start an orted. ----
if [ "${1:-}" = "--rsh-agent" ]; then
  host="$2"
  shift 2
  node="n$(( ${host##*.} - 1 ))"
  # Namespaces share the host name and the file system, so Open MPI would see one host: the
  # orteds would race over one session directory, and the shared-memory segments of ranks with
  # the same local rank on different nodes (vader_segment.HOST.JOB.LOCALRANK in /dev/shm) would
  # be one file, which crashes the ranks. Each node gets its own host name (a UTS namespace),
  # session directory and shared-memory backing directory.
  tmp="${ZCCL_SHAPED_TMP:?}/$node"
  mkdir -p "$tmp"
  exec ip netns exec "${ZCCL_SHAPED_PREFIX:?}$node" unshare --uts env TMPDIR="$tmp" \
    OMPI_MCA_orte_tmpdir_base="$tmp" OMPI_MCA_btl_vader_backing_directory="$tmp" \
    ZCCL_SHAPED_HOST="zccl-$node" /bin/sh -c 'hostname "$ZCCL_SHAPED_HOST" && exec /bin/sh -c "$1"' sh "$*"
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
nodes=4 per_node=1 rate=1gbit colls=all_reduce,all_gather,reduce_scatter,alltoall
min=4K max=64M factor=4 iters=5 warmup=1 dtype=bfloat16 payload=gaussian baseline=1 mtu=9000 mode=both
out="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -N) nodes="$2"; shift 2 ;;
    -p) per_node="$2"; shift 2 ;;
    -R) rate="$2"; shift 2 ;;
    -c) colls="$2"; shift 2 ;;
    -b) min="$2"; shift 2 ;;
    -e) max="$2"; shift 2 ;;
    -f) factor="$2"; shift 2 ;;
    -n) iters="$2"; shift 2 ;;
    -w) warmup="$2"; shift 2 ;;
    -d) dtype="$2"; shift 2 ;;
    -D) payload="$2"; shift 2 ;;
    -B) baseline="$2"; shift 2 ;;
    -Z) mode="$2"; shift 2 ;;
    -o) out="$2"; shift 2 ;;
    --mtu) mtu="$2"; shift 2 ;;
    --burst) burst_opt="$2"; shift 2 ;;
    --smoke) nodes=2 per_node=1 colls=all_reduce,all_gather min=4K max=256K factor=8 iters=2 warmup=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "shaped_bench: unknown option $1 (see -h)" >&2; exit 1 ;;
  esac
done
[ -n "$out" ] || out="$root/build/shaped/$(date +%Y%m%d-%H%M%S)"
case "$mode" in both|all) ;; *) echo "shaped_bench: -Z must be both or all" >&2; exit 1 ;; esac

skip() { echo "shaped_bench: SKIPPED: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces and tc)"
command -v ip >/dev/null && command -v tc >/dev/null || skip "needs iproute2 (ip, tc)"
command -v mpirun >/dev/null || { echo "shaped_bench: mpirun not found (openmpi-bin)" >&2; exit 1; }
IFS=, read -r -a coll_list <<<"$colls"
for c in "${coll_list[@]}"; do
  [ -x "$root/build/bin/${c}_perf" ] || { echo "shaped_bench: build/bin/${c}_perf missing: run tools/setup.sh" >&2; exit 1; }
done

# Names unique to this run, so runs and leftovers never collide.
prefix="zb$$"
subnet_octet=$(( $$ % 200 + 20 ))
net="10.231.$subnet_octet"
bridge="${prefix}br"
created_ns=()
mpirun_pid=""
session_tmp="$(mktemp -d /tmp/zccl-shaped.XXXXXX)"

cleanup() {
  set +e
  [ -n "$mpirun_pid" ] && kill "$mpirun_pid" 2>/dev/null
  for ns in "${created_ns[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  done
  for ns in "${created_ns[@]}"; do ip netns del "$ns" 2>/dev/null; done  # takes its veth pair along
  ip link del "$bridge" 2>/dev/null
  rm -rf "$out/hosts" "$session_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# tbf burst: 0.5 ms of traffic at the rate, at least 64 KiB: enough to sustain the rate (0.95 of it
# measured at 1 Gbit/s) while keeping bursts small next to the messages timed.
rate_bits() {
  local v="${1%bit}" n
  n="${v%[kKmMgG]}"
  case "$v" in
    *[kK]) echo $(( n * 1000 )) ;;
    *[mM]) echo $(( n * 1000000 )) ;;
    *[gG]) echo $(( n * 1000000000 )) ;;
    *) echo "$n" ;;
  esac
}
burst=$(( $(rate_bits "$rate") / 8 / 2000 ))
[ "$burst" -ge 65536 ] || burst=65536
if [ -n "${burst_opt:-}" ]; then
  case $burst_opt in *[!0-9]* | "") echo "shaped_bench: --burst takes a byte count" >&2; exit 1 ;; esac
  burst=$burst_opt
fi

ip netns add "${prefix}probe" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "${prefix}probe"

mkdir -p "$out"
ip link add "$bridge" type bridge
ip addr add "$net.254/24" dev "$bridge"
ip link set "$bridge" up
: >"$out/hosts"
for i in $(seq 0 $((nodes - 1))); do
  ns="${prefix}n$i"
  ip netns add "$ns"
  created_ns+=("$ns")
  ip link add "${prefix}v$i" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns"
  ip link set "${prefix}v$i" master "$bridge" up
  ip netns exec "$ns" ip addr add "$net.$((i + 1))/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_slow_start_after_idle=0
  # Shape both directions: the node's egress (eth0) and its ingress (the bridge port's egress).
  ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst "$burst" latency 50ms
  tc qdisc add dev "${prefix}v$i" root tbf rate "$rate" burst "$burst" latency 50ms
  echo "$net.$((i + 1)) slots=$per_node" >>"$out/hosts"
done

btl=self,tcp
[ "$per_node" -gt 1 ] && btl=self,vader,tcp
export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"
export ZCCL_SHAPED_PREFIX="$prefix" ZCCL_SHAPED_TMP="$session_tmp" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ranks=$((nodes * per_node))
# The library's settings (ZCCL_CHUNK_BYTES, ZCCL_DEBUG, ...) reach the ranks: mpirun forwards only
# OMPI_* variables by itself.
forward=()
for v in $(compgen -e | grep '^ZCCL_' | grep -v '^ZCCL_SHAPED_'); do forward+=(-x "$v"); done
{
  echo "# shaped_bench: $nodes namespaces x $per_node rank(s), links $rate each way (tbf burst $burst B, mtu $mtu),"
  echo "# btl $btl, $dtype payload $payload, sizes $min..$max x$factor, -n $iters -w $warmup, $(date -u +%FT%TZ)"
} | tee "$out/setup.txt"

status=0
for c in "${coll_list[@]}"; do
  echo "== $c" >&2
  set +e
  mpirun -np "$ranks" --hostfile "$out/hosts" --map-by slot --bind-to none \
    --mca plm_rsh_agent "$self --rsh-agent" --mca oob_tcp_if_include "$net.0/24" \
    --mca btl "$btl" --mca btl_tcp_if_include "$net.0/24" "${forward[@]}" \
    "$root/build/bin/${c}_perf" -d "$dtype" -D "$payload" -b "$min" -e "$max" -f "$factor" -n "$iters" \
    -w "$warmup" -Z "$mode" -B "$baseline" -c 1 -J "$out/$c.json" "${extra[@]}" >"$out/$c.txt" 2>"$out/$c.err" &
  mpirun_pid=$!
  wait "$mpirun_pid"
  rc=$?
  mpirun_pid=""
  set -e
  cat "$out/$c.txt"
  if [ "$rc" -ne 0 ]; then
    echo "shaped_bench: ${c}_perf failed (exit $rc); see $out/$c.err" >&2
    tail -5 "$out/$c.err" >&2
    status=1
  fi
done

# Link statistics: bytes sent and packets dropped by each shaper (drops mean TCP retransmissions).
for i in $(seq 0 $((nodes - 1))); do
  echo "node $i egress: $(ip netns exec "${prefix}n$i" tc -s qdisc show dev eth0 | grep -o 'Sent.*dropped [0-9]*')"
  echo "node $i ingress: $(tc -s qdisc show dev "${prefix}v$i" | grep -o 'Sent.*dropped [0-9]*')"
done >"$out/links.txt"

# summary.tsv from the tables (-Z both layout: time, algbw, busbw, #wrong, ratio, rawtime, speedup,
# then mpitime, vs_mpi with -B 1; -Z all: time (auto), algbw, busbw, #wrong, ratio, offtime, ontime,
# vs_best, plan, then mpitime, vs_mpi).
if [ "$mode" = all ]; then
  {
    printf "collective\tbytes\tplan\tauto_us\toff_us\ton_us\tauto_vs_off\tvs_best\tmpi_us\n"
    for c in "${coll_list[@]}"; do
      [ -s "$out/$c.txt" ] || continue
      awk -v coll="$c" -v mpi="$baseline" '!/^#/ && NF >= 23 {
        vb = $13; sub(/x$/, "", vb); mt = mpi == 1 ? $15 : "-"
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\n", coll, $1, $14, $6, $11, $12, $11 / $6, vb, mt
      }' "$out/$c.txt"
    done
  } >"$out/summary.tsv"
  echo "# summary ($out/summary.tsv): out-of-place; auto_vs_off = off / auto; vs_best = min(off, on) / auto"
  column -t -s $'\t' "$out/summary.tsv" 2>/dev/null || cat "$out/summary.tsv"
  exit "$status"
fi
{
  printf "collective\tbytes\tsize_ratio\tzccl_us\traw_us\tspeedup\tlimit\tmpi_us\tvs_mpi\n"
  for c in "${coll_list[@]}"; do
    [ -s "$out/$c.txt" ] || continue
    awk -v coll="$c" -v mpi="$baseline" '!/^#/ && NF >= 19 {
      ratio = $10; sp = $12; sub(/x$/, "", sp)
      mt = mpi == 1 ? $13 : "-"; vs = mpi == 1 ? $14 : "-"; sub(/x$/, "", vs)
      limit = (ratio + 0 > 0) ? sprintf("%.3f", 1 / ratio) : "-"
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", coll, $1, ratio, $6, $11, sp, limit, mt, vs
    }' "$out/$c.txt"
  done
} >"$out/summary.tsv"
echo "# summary ($out/summary.tsv): out-of-place; speedup = time off / time on; limit = 1/size-ratio"
column -t -s $'\t' "$out/summary.tsv" 2>/dev/null || cat "$out/summary.tsv"

if command -v gnuplot >/dev/null && [ "$(wc -l <"$out/summary.tsv")" -gt 1 ]; then
  plot_cmd=""
  for c in "${coll_list[@]}"; do
    awk -F'\t' -v coll="$c" '$1 == coll { print $2, $6, $9 }' "$out/summary.tsv" >"$out/plot_$c.dat"
    [ -s "$out/plot_$c.dat" ] || continue
    plot_cmd+="${plot_cmd:+, }'$out/plot_$c.dat' using 1:2 with linespoints lw 2 title '$c vs off'"
    [ "$baseline" = 1 ] && plot_cmd+=", '$out/plot_$c.dat' using 1:3 with lines dashtype 3 title '$c vs Open MPI'"
  done
  gnuplot <<EOF
set terminal pngcairo size 1000,600 noenhanced font "sans,11"
set output "$out/speedup.png"
set title "ZipCCL speedup: $ranks ranks ($nodes nodes), $rate links, $dtype $payload"
set xlabel "message size"
set ylabel "speedup (other time / ZipCCL compressed time)"
set logscale x 2
set format x "%.0b%BB"
set grid
set key left top
set yrange [0:*]
plot $plot_cmd, 1 with lines dashtype 2 lc rgb "gray" title "break-even"
EOF
  echo "# plot: $out/speedup.png"
fi
exit "$status"
