# Shell helpers shared by scripts/demo.sh and the end-to-end tests (sourced): the sample
# Alembic project, real Alembic, and moving a snapshot between databases through psql.
# Needs PGHOST and PGPORT of the cluster; SQUASH_SRC defaults to this checkout.

SQUASH_SRC=${SQUASH_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ALEMBIC=(/usr/bin/python3 -m alembic)  # Debian's python3-alembic, never a pyenv shim

# SQLAlchemy URL for a database of the cluster.
db_url() { echo "postgresql+psycopg2:///$1?host=$PGHOST&port=$PGPORT&user=${PGUSER:-postgres}"; }

# An Alembic project in DIR: the sample app's env and ini, with the given revision files
# (a folder's *.py, or single files).
make_alembic_project() {  # make_alembic_project DIR VERSIONS_DIR_OR_FILES...
  local dir=$1 app=$SQUASH_SRC/tests/fixtures/alembic_app src
  shift
  mkdir -p "$dir/versions"
  cp "$app/alembic.ini" "$app/env.py" "$app/script.py.mako" "$dir/"
  for src in "$@"; do
    if [ -d "$src" ]; then cp "$src"/*.py "$dir/versions/"; else cp "$src" "$dir/versions/"; fi
  done
}
alembic_in() {  # alembic_in DIR DATABASE ARGS...
  local dir=$1 db=$2; shift 2
  (cd "$dir" && SQUASH_DB_URL=$(db_url "$db") "${ALEMBIC[@]}" -c alembic.ini "$@")
}

snapshot_export() {  # snapshot_export DB LABEL FILE
  psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "SELECT squash_snapshot_export('$2')" >"$3"
}
# psql interpolates :'variables' only in script input, hence the script on stdin.
snapshot_import() {  # snapshot_import DB FILE LABEL
  printf '%s\n' "\\set doc \`cat '$2'\`" "SELECT squash_snapshot_import(:'doc'::jsonb, :'label');" |
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" -v label="$3"
}
