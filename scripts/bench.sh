#!/usr/bin/env bash
# make bench: every benchmark in one run on one throwaway cluster, printed as one table of
# ratios against the tool a user would otherwise use. Absolute times on shared machines
# mean little; the ratios are measured side by side in the same run.
# Each scripts/bench/*.sh prints lines  RESULT|what|ours_s|baseline_s|note
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$src/build} SQUASH_SRC=$src
work=$(mktemp -d /tmp/pg_squash_bench.XXXXXX)
chmod 755 "$work"
trap '"$src/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
eval "$("$src/scripts/pgcluster.sh" start "$work/cluster")"
export BENCH_WORK=$work

results=$work/results
: >"$results"
# Optional modules run only when BENCH_ONLY names them (fleet: several squashd, minutes).
optional=(fleet.sh)
for bench in "$src"/scripts/bench/*.sh; do
  [ -n "${BENCH_ONLY:-}" ] && [[ "$(basename "$bench")" != *"$BENCH_ONLY"* ]] && continue
  [ -z "${BENCH_ONLY:-}" ] && [[ " ${optional[*]} " == *" $(basename "$bench") "* ]] && continue
  echo "== $(basename "$bench")" >&2
  # Judge the benchmark by its own exit status, not by grep finding nothing else to show.
  "$bench" | tee -a "$results" | { grep -v '^RESULT' || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || echo "   (failed: $bench)" >&2
done

echo
echo "pg_squash benchmarks — $(nproc) cores, $(psql -X -At -c 'SHOW server_version') ($(date -u +%F))"
echo
printf '| %s | %s | %s | %s | %s |\n' "benchmark" "ours (s)" "baseline (s)" "ratio" "notes"
printf '| --- | ---: | ---: | ---: | --- |\n'
grep '^RESULT' "$results" | while IFS='|' read -r _ what ours base note; do
  ratio=$(awk -v o="$ours" -v b="$base" 'BEGIN { if (o > 0) printf "%.1f× faster", b / o; else print "n/a" }')
  [ "$(awk -v o="$ours" -v b="$base" 'BEGIN { print (o > b) }')" = 1 ] &&
    ratio=$(awk -v o="$ours" -v b="$base" 'BEGIN { printf "%.2f× the time", o / b }')
  printf '| %s | %s | %s | %s | %s |\n' "$what" "$ours" "$base" "$ratio" "$note"
done
