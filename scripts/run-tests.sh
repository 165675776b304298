#!/usr/bin/env bash
# Runs every test suite against a throwaway PostgreSQL cluster and ends with one line:
# "N passed, N failed". The cluster is torn down on any exit.
#   pgTAP (tests/pgtap/*.sql, pg_prove) · GoogleTest (ctest) · end to end (tests/e2e/*.sh, prove)
#   · layout (tests/layout/*.sh, prove: the include graph has no folder-level cycle)
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$src/build}
export SQUASH_SRC=$src
work=$(mktemp -d /tmp/pg_squash_check.XXXXXX)
chmod 755 "$work"
cluster=$work/cluster
logs=$work/logs
mkdir -p "$logs"

cleanup() { "$src/scripts/pgcluster.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$src/scripts/pgcluster.sh" start "$cluster")" || { echo "could not start a cluster"; exit 1; }
export SQUASH_CLUSTER=$cluster
createdb pg_squash_test
export PGDATABASE=pg_squash_test

passed=0
failed=0
skipped=0
count_tap() {  # count a verbose TAP log; "# SKIP" and "# TODO" lines are skipped, a file that died fails once
  local log=$1 ok nok skip todo bad
  ok=$(grep -cE '^[[:space:]]*ok [0-9]+' "$log")
  skip=$(grep -cE '^[[:space:]]*ok [0-9]+.*# ?SKIP' "$log")
  nok=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$log")
  todo=$(grep -cE '^[[:space:]]*not ok [0-9]+.*# ?TODO' "$log")
  bad=$(grep -cE 'Dubious|Parse errors|Bad plan|No subtests run' "$log")
  passed=$((passed + ok - skip))
  skipped=$((skipped + skip + todo))
  failed=$((failed + nok - todo + bad))
}

echo "== pgTAP (pg_prove) =="
timeout 1200 pg_prove --verbose --failures -d pg_squash_test "$src"/tests/pgtap/*.sql >"$logs/pgtap.log" 2>&1
status_pgtap=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$logs/pgtap.log"
count_tap "$logs/pgtap.log"

echo "== GoogleTest (ctest) =="
if [ -f "$BUILD_DIR/CTestTestfile.cmake" ]; then
  timeout 600 ctest --test-dir "$BUILD_DIR" --output-on-failure >"$logs/ctest.log" 2>&1
  status_ctest=$?
  grep -E 'tests passed|Failed|\*\*\*' "$logs/ctest.log"
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$logs/ctest.log" | tail -1)
  if [ -n "$line" ]; then
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    nfail=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
  else
    failed=$((failed + 1))
  fi
else
  echo "no CTest build in $BUILD_DIR"
  status_ctest=1
  failed=$((failed + 1))
fi

echo "== end to end and layout (prove) =="
timeout 4200 prove --verbose --failures "$src"/tests/e2e/*.sh "$src"/tests/layout/*.sh >"$logs/e2e.log" 2>&1
status_e2e=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$logs/e2e.log"
count_tap "$logs/e2e.log"

# A suite that failed without a countable failing test still fails the run.
for s in $status_pgtap $status_ctest $status_e2e; do
  [ "$s" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
done
echo
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
