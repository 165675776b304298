# TAP helpers for the end-to-end scripts (sourced; prove runs tests/e2e/*.sh).
# The harness (scripts/run-tests.sh) exports PGHOST, PGPORT, PGUSER, BUILD_DIR, SQUASH_SRC.
set -uo pipefail

SQUASH_SRC=${SQUASH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
source "$SQUASH_SRC/scripts/lib/squash_shell.bash"
tap_n=0
tap_failed=0

ok() {  # ok CONDITION-EXIT-STATUS DESCRIPTION
  tap_n=$((tap_n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi
}
is() {  # is GOT EXPECTED DESCRIPTION
  if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"; fi
}
like() {  # like GOT REGEX DESCRIPTION
  if [[ "$1" =~ $2 ]]; then ok 0 "$3"; else ok 1 "$3"; printf '#   got: %s\n#   not matching: %s\n' "$1" "$2"; fi
}
diag() { printf '# %s\n' "$@"; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }

# A fresh database; dropped again by drop_test_databases (call it from an EXIT trap).
test_databases=()
new_database() {
  dropdb --if-exists "$1" >/dev/null 2>&1
  createdb "$1" && test_databases+=("$1")
}
drop_test_databases() {
  local db
  for db in "${test_databases[@]}"; do dropdb --if-exists --force "$db" >/dev/null 2>&1; done
}


