#!/usr/bin/env bash
# CI smoke test of tools/shaped_bench.sh: two namespaces, tiny sizes, then two namespaces of two
# ranks each (shared memory inside a node, the shaped link between nodes). Passes when the script
# runs end to end (results checked bit for bit by the perf binaries) and leaves its table, summary
# and plot, when the link probe of the communicators measured the 1 Gbit/s shaping within 25%, and
# when the 2 x 2 all-reduce under -Z all matches the uncompressed run of the plan it took (the
# hierarchical one among them); skipped (exit 77) where namespaces cannot be created; fails if
# anything it created is left behind.
#   shaped_bench_smoke.sh SOURCE_DIR OUT_DIR
set -u
src="$1" out="$2"
rm -rf "$out"
before_ns=$(ip netns list 2>/dev/null | wc -l)
ZCCL_DEBUG=INFO ZCCL_DEBUG_SUBSYS=TUNE "$src/tools/shaped_bench.sh" --smoke -o "$out"
rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || { echo "FAIL: shaped_bench.sh exited $rc"; exit 1; }
fail=0
for f in all_reduce.txt all_gather.txt summary.tsv links.txt; do
  [ -s "$out/$f" ] || { echo "FAIL: $f missing"; fail=1; }
done
if command -v gnuplot >/dev/null; then [ -s "$out/speedup.png" ] || { echo "FAIL: no plot"; fail=1; }; fi
[ "$(grep -c . "$out/summary.tsv")" = 7 ] || { echo "FAIL: summary.tsv should hold 2 x 3 sizes"; cat "$out/summary.tsv"; fail=1; }
grep -q "dropped" "$out/links.txt" || { echo "FAIL: no link statistics"; fail=1; }
# The probe (rank 0's TUNE line): 1 Gbit/s = 0.125 GB/s between the two nodes, within 25%. Up to
# two more fresh runs when it is not: on this 2-core machine about one probe in three has measured
# 0.08-0.09 GB/s (a slow TCP recovery inside the probe's 4 x 4 MiB; docs/perf.md section 10).
probe_ok() {
  local probe bw
  probe=$(grep -h -o "fabric (probe): .*" "$1" | head -1)
  echo "probe: $probe"
  bw=$(echo "$probe" | sed -n 's/.*inter-node \([0-9.e+-]*\) GB\/s.*/\1/p')
  awk -v b="${bw:-0}" 'BEGIN { exit !(b >= 0.09375 && b <= 0.15625) }'
}
probed=0
probe_ok "$out/all_reduce.err" && probed=1
for try in 2 3; do
  [ "$probed" = 1 ] && break
  ZCCL_DEBUG=INFO ZCCL_DEBUG_SUBSYS=TUNE "$src/tools/shaped_bench.sh" --smoke -c all_reduce -b 4K -e 4K \
    -o "$out/probe$try" >/dev/null 2>&1
  probe_ok "$out/probe$try/all_reduce.err" && probed=1
done
[ "$probed" = 1 ] || { echo "FAIL: the probe missed the 1 Gbit/s (0.125 GB/s) link by more than 25% three times"; fail=1; }
"$src/tools/shaped_bench.sh" --smoke -p 2 -c alltoall -o "$out/nodes2x2"
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: shaped_bench.sh -p 2 exited $rc"; fail=1; }
[ "$(grep -c . "$out/nodes2x2/summary.tsv")" = 4 ] || { echo "FAIL: -p 2 summary should hold 3 sizes"; fail=1; }
"$src/tools/shaped_bench.sh" --smoke -p 2 -c all_reduce -b 256K -e 4M -f 16 -Z all -B 0 -o "$out/auto2x2"
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: shaped_bench.sh -p 2 -Z all exited $rc"; fail=1; }
grep -q "^# Out of bounds values : 0 OK" "$out/auto2x2/all_reduce.txt" || { echo "FAIL: 2 x 2 auto: wrong results"; fail=1; }
cat "$out/auto2x2/summary.tsv"
sleep 1
[ "$(ip netns list 2>/dev/null | wc -l)" = "$before_ns" ] || { echo "FAIL: namespaces left behind"; ip netns list; fail=1; }
exit "$fail"
