#!/usr/bin/env bash
# make demo: pg_squash end to end on a throwaway cluster. Prints each step and its
# result; leaves nothing running. Grows as the parts land (README: "State of the parts").
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$src/build}
work=$(mktemp -d /tmp/pg_squash_demo.XXXXXX)
chmod 755 "$work"
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  "$src/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { psql -X -v ON_ERROR_STOP=1 "$@"; }

step "Start a throwaway PostgreSQL cluster"
eval "$("$src/scripts/pgcluster.sh" start "$work/cluster")"
echo "cluster on port $PGPORT, socket $PGHOST"
createdb demo
export PGDATABASE=demo

step "Install the extension"
sql -c "CREATE EXTENSION pg_squash" -c "SELECT squash_version()"

step "The C++/PostgreSQL boundary holds: errors become ERRORs, the server stays up"
started=$(sql -Atc "SELECT pg_postmaster_start_time()")
for mode in cpp pg; do
  sql -c "SELECT squash.boundary_selftest('$mode')" 2>&1 | sed 's/^/  /' || true
done
sql -Atc "SELECT 'postmaster restarted: ' || (pg_postmaster_start_time() <> '$started')"

step "squashd answers on loopback"
port=$(( (PGPORT + 1000) % 65536 ))
head -c 24 /dev/urandom | base64 >"$work/token"
chmod 600 "$work/token"
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$port"
token_file = "$work/token"
state_dir = "$work/state"
log_level = "info"
log_file = "$work/squashd.log"

[[target]]
name = "demo"
conninfo = "host=$PGHOST port=$PGPORT dbname=demo user=postgres"
backup_dir = "$work/backups"
TOML
mkdir -p "$work/state" "$work/backups"
"$BUILD_DIR/daemon/squashd" --config "$work/squashd.toml" --check-config
"$BUILD_DIR/daemon/squashd" --config "$work/squashd.toml" &
daemon_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
curl -s "http://127.0.0.1:$port/v1/health"; echo
"$BUILD_DIR/daemon/squashctl" --url "http://127.0.0.1:$port" --token-file "$work/token" status

step "Summary"
echo "extension loaded, boundary verified, squashd healthy; everything is being torn down."
