#!/usr/bin/env bash
# make demo: the whole squash on a sample Alembic project, on a throwaway cluster.
# Prints each step and its result; leaves nothing running.
#
#   0. a kidney-genetics app built by its 13-revision Alembic chain, with 640 genes
#   1. squashd takes verified backups (full, schema-only, data-only, revision)
#   2. snapshot + data snapshot of the chain-built database; expectation genes >= 571
#   3. the squashed revision is generated, built in a scratch database with real Alembic,
#      and diffed against the chain: no differences
#   4. its snapshot moves to production; the guarded stamp; alembic current confirms
#   5. views refreshed; squash_validate() passes every check
#   6. for contrast: a hand-written squash with three drifts is refused, each drift named
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
SQUASH_SRC=$src
source "$src/scripts/lib/squash_shell.bash"
BUILD_DIR=${BUILD_DIR:-$src/build}
app=$src/tests/fixtures/alembic_app
work=$(mktemp -d /tmp/pg_squash_demo.XXXXXX)
chmod 755 "$work"
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true; fi
  "$src/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bold=$'\033[1m' green=$'\033[32m' red=$'\033[31m' off=$'\033[0m'
[ -t 1 ] || bold= green= red= off=
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
say() { printf '   %s\n' "$@"; }
sql() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }
val() { psql -X -v ON_ERROR_STOP=1 -At "$@"; }

step "0. A throwaway cluster and the sample application, built by its Alembic chain"
eval "$("$src/scripts/pgcluster.sh" start "$work/cluster")"
say "PostgreSQL $(val -c 'SHOW server_version') on port $PGPORT (socket $PGHOST)"
createdb kidney
make_alembic_project "$work/chain" "$app"/versions/*.py
alembic_in "$work/chain" kidney upgrade head 2>&1 | grep -c "Running upgrade" | xargs printf '   alembic upgrade head: %s revisions applied\n'
sql -d kidney -f "$app/sample_data.sql" >/dev/null
sql -d kidney -c "REFRESH MATERIALIZED VIEW gene_score_mv"
say "head revision: $(val -d kidney -c 'SELECT version_num FROM alembic_version')"
say "$(val -d kidney -c "SELECT format('%s genes, %s evidence rows, %s annotations, %s curations',
  (SELECT count(*) FROM genes), (SELECT count(*) FROM gene_evidence),
  (SELECT count(*) FROM gene_annotations), (SELECT count(*) FROM gene_curations))")"

step "1. squashd takes verified backups (full, schema-only, data-only, current revision)"
port=$(( PGPORT + 1000 ))
head -c 24 /dev/urandom | base64 >"$work/token"; chmod 600 "$work/token"
mkdir -p "$work/state" "$work/backups"
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$port"
token_file = "$work/token"
state_dir = "$work/state"
log_file = "$work/squashd.log"

[[target]]
name = "kidney"
conninfo = "host=$PGHOST port=$PGPORT dbname=kidney user=postgres"
backup_dir = "$work/backups"
keep_last = 7
min_keep = 2
TOML
"$BUILD_DIR/daemon/squashd" --config "$work/squashd.toml" --check-config | sed 's/^/   /'
"$BUILD_DIR/daemon/squashd" --config "$work/squashd.toml" &
daemon_pid=$!
ctl() { "$BUILD_DIR/daemon/squashctl" --url "http://127.0.0.1:$port" --token-file "$work/token" "$@"; }
for _ in $(seq 100); do ctl health >/dev/null 2>&1 && break; sleep 0.1; done
run=$(ctl run kidney backup)
say "squashctl run kidney backup → run $run"
for _ in $(seq 600); do
  state=$(ctl --json show "$run" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')
  case "$state" in succeeded|failed|interrupted|cancelled) break ;; esac
  sleep 0.2
done
say "run $run: $state"
[ "$state" = succeeded ] || { ctl show "$run"; exit 1; }
ctl backups kidney | sed 's/^/   /'
say "files: $(ls "$work/backups/$run" | tr "\n" " ")"

step "2. Snapshot and data snapshot of the chain-built database; expectations recorded"
sql -d kidney -c "CREATE EXTENSION pg_squash"
say "schema fingerprint of the chain: $(val -d kidney -c "SELECT squash_snapshot('chain')")"
say "data snapshot: $(val -d kidney -c "SELECT squash_data_snapshot('before_squash')") tables fingerprinted"
val -d kidney -c "SELECT squash_expect('public.genes', 571)" >/dev/null
say "expectation: public.genes has at least 571 rows"
say "managed views captured: $(val -d kidney -c "SELECT squash_view_capture()")"

step "3. The squashed revision is generated, built in a scratch database with real Alembic"
val -d kidney -c "SELECT squash_generate_migration('000_squashed_complete', 'alembic')" \
  >"$work/000_squashed_complete.py"
say "squash_generate_migration() wrote 000_squashed_complete.py: $(wc -l <"$work/000_squashed_complete.py") lines"
make_alembic_project "$work/squashed" "$work/000_squashed_complete.py"
createdb kidney_scratch
alembic_in "$work/squashed" kidney_scratch upgrade head >/dev/null 2>&1
say "alembic upgrade head on an empty scratch database: $(val -d kidney_scratch -c 'SELECT version_num FROM alembic_version')"
sql -d kidney_scratch -c "CREATE EXTENSION pg_squash"
say "fingerprint of the scratch database: $(val -d kidney_scratch -c "SELECT squash_snapshot('squashed')")"
snapshot_export kidney_scratch squashed "$work/squashed.json"
snapshot_import kidney "$work/squashed.json" squashed >/dev/null
n=$(val -d kidney -c "SELECT count(*) FROM squash_diff('squashed')")
say "squash_diff('squashed') against the chain-built database: $n differences"
[ "$n" = 0 ] || { sql -d kidney -c "SELECT * FROM squash_diff('squashed')"; exit 1; }

step "4. The guarded stamp moves production to 000_squashed_complete"
say "snapshot exported from scratch ($(wc -c <"$work/squashed.json") bytes of JSON) and imported"
prev=$(val -d kidney -c "SELECT squash_stamp('000_squashed_complete', expect => 'squashed')")
say "SELECT squash_stamp('000_squashed_complete', expect => 'squashed') → replaced $prev"
say "alembic current: $(alembic_in "$work/squashed" kidney current 2>/dev/null)"

step "5. Views refreshed; squash_validate() checks everything"
sql -d kidney -c "SELECT view, kind, action FROM squash_refresh_views()"
sql -d kidney -c "SELECT check_name, status, detail FROM squash_validate()"
failed=$(val -d kidney -c "SELECT count(*) FROM squash_validate() WHERE status = 'fail'")
[ "$failed" = 0 ] || exit 1

step "6. For contrast: a hand-written squash with three drifts"
createdb kidney_hand
make_alembic_project "$work/hand" "$app"/squashed_drift/*.py
alembic_in "$work/hand" kidney_hand upgrade head >/dev/null 2>&1
sql -d kidney_hand -c "CREATE EXTENSION pg_squash"
val -d kidney_hand -c "SELECT squash_snapshot('hand_squash')" >/dev/null
snapshot_export kidney_hand hand_squash "$work/hand.json"
snapshot_import kidney "$work/hand.json" hand_squash >/dev/null
say "SELECT squash_stamp('000_squashed_complete', expect => 'hand_squash'):"
if out=$(psql -X -At -d kidney -c "SELECT squash_stamp('000_squashed_complete', expect => 'hand_squash')" 2>&1); then
  say "${red}the drifted squash was accepted — this must not happen${off}"; exit 1
fi
printf '%s\n' "$out" | sed 's/^/   /'
say "alembic_version still holds: $(val -d kidney -c 'SELECT version_num FROM alembic_version')"

step "Summary"
say "${green}chain-built schema == generated squash (fingerprint $(val -d kidney -c "SELECT fingerprint FROM squash.snapshots WHERE label = 'squashed'" | cut -c1-16)…)${off}"
say "backup $run verified; production stamped in place to 000_squashed_complete; validation passed"
say "the hand-written squash was refused with its three drifts named"
say "tearing down the cluster and squashd"
