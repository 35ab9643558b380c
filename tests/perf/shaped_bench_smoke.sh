#!/usr/bin/env bash
# CI smoke test of tools/shaped_bench.sh: two namespaces, tiny sizes, then two namespaces of two
# ranks each (shared memory inside a node, the shaped link between nodes). Passes when the script
# runs end to end (results checked bit for bit by the perf binaries) and leaves its table, summary
# and plot; skipped (exit 77) where namespaces cannot be created; fails if anything it created is
# left behind.
#   shaped_bench_smoke.sh SOURCE_DIR OUT_DIR
set -u
src="$1" out="$2"
rm -rf "$out"
before_ns=$(ip netns list 2>/dev/null | wc -l)
"$src/tools/shaped_bench.sh" --smoke -o "$out"
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
"$src/tools/shaped_bench.sh" --smoke -p 2 -c alltoall -o "$out/nodes2x2"
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: shaped_bench.sh -p 2 exited $rc"; fail=1; }
[ "$(grep -c . "$out/nodes2x2/summary.tsv")" = 4 ] || { echo "FAIL: -p 2 summary should hold 3 sizes"; fail=1; }
sleep 1
[ "$(ip netns list 2>/dev/null | wc -l)" = "$before_ns" ] || { echo "FAIL: namespaces left behind"; ip netns list; fail=1; }
exit "$fail"
