# TAP helpers for the end-to-end scripts (sourced; prove runs tests/e2e/*.sh).
# The harness (scripts/run-tests.sh) exports PGHOST, PGPORT, PGUSER, BUILD_DIR, SQUASH_SRC.
set -uo pipefail

SQUASH_SRC=${SQUASH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
ALEMBIC=(/usr/bin/python3 -m alembic)
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

# SQLAlchemy URL for a database of the test cluster.
db_url() { echo "postgresql+psycopg2:///$1?host=$PGHOST&port=$PGPORT&user=${PGUSER:-postgres}"; }

# An Alembic project in DIR: the sample app's env and ini, with the given versions folder.
make_alembic_project() {  # make_alembic_project DIR VERSIONS_SOURCE_DIR
  local dir=$1 versions=$2 app=$SQUASH_SRC/tests/fixtures/alembic_app
  mkdir -p "$dir/versions"
  cp "$app/alembic.ini" "$app/env.py" "$app/script.py.mako" "$dir/"
  cp "$versions"/*.py "$dir/versions/"
}
alembic_in() {  # alembic_in DIR DATABASE ARGS...
  local dir=$1 db=$2; shift 2
  (cd "$dir" && SQUASH_DB_URL=$(db_url "$db") "${ALEMBIC[@]}" -c alembic.ini "$@")
}
