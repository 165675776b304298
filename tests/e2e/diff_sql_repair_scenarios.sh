#!/usr/bin/env bash
# squash_diff_sql() on whole-schema drifts: each scenario under
# tests/fixtures/repair/scenarios/NAME/ is an old.sql and a new.sql that differ in many
# related ways at once (views stacked on changed columns, enums used by defaults and
# functions, RLS, grants on non-table objects, identity and generated columns,
# partitions, inheritance, triggers, collations, comments on dependents). In each
# direction one database is built from each file; the wanted side's snapshot is exported,
# imported into the other, and the script squash_diff_sql writes there (allow_destructive;
# against the live schema, and on a copy against its stored snapshot) must run and leave
# that database with the wanted side's fingerprint.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/repair_harness.bash"  # show_repair_failure
work=$(mktemp -d /tmp/e2e_scenarios.XXXXXX)
roles=(scn_reader scn_writer)
drop_roles() { for r in "${roles[@]}"; do q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done; }
trap 'drop_test_databases; drop_roles; rm -rf "$work"' EXIT
for r in "${roles[@]}"; do
  q -d postgres -c "DO \$\$BEGIN CREATE ROLE $r NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" >/dev/null
done
fixtures=$SQUASH_SRC/tests/fixtures/repair/scenarios

build() {  # build DB FILE
  new_database "$1" && q -d "$1" -c "CREATE EXTENSION pg_squash" >/dev/null &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >"$work/$1.build.log" 2>&1
}

# repair_into TAG DB TARGET: the script squash_diff_sql('want', TARGET) writes in DB runs
# there and leaves DB with the fingerprint $fp_want.
repair_into() {
  local tag=$1 db=$2 target=$3
  if ! q -d $db -c "SELECT squash_diff_sql('want', $target, allow_destructive => true)" \
    >"$work/repair.sql" 2>"$work/repair.err"; then
    ok 1 "$tag: script written"; sed 's/^/#   /' "$work/repair.err"; return
  fi
  psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$work/repair.sql" >"$work/apply.log" 2>&1
  local status=$? fp
  fp=$(q -d $db -c "SELECT squash_fingerprint()")
  if [ $status -eq 0 ] && [ "$fp" = "$fp_want" ]; then
    ok 0 "$tag: the script gives the wanted fingerprint"
  else
    ok 1 "$tag: the script gives the wanted fingerprint"
    show_repair_failure "$work/apply.log" "$work/repair.sql" $db want 60
  fi
}

# scenario NAME FROM TO: the database built from FROM.sql is repaired into TO.sql's schema,
# once with the script made against its live schema and once against its stored snapshot
# (whose dependencies come from the definitions' text, not pg_depend).
scenario() {
  local name=$1 from=$2 to=$3 tag="$1 $2 -> $3" want=e2e_scn_want live=e2e_scn_live
  local stored=e2e_scn_stored
  [[ -n ${SCENARIO_ONLY:-} && ! $name =~ $SCENARIO_ONLY ]] && return
  if ! build $want "$fixtures/$name/$to.sql" || ! build $live "$fixtures/$name/$from.sql"; then
    ok 1 "$tag: both schemas build"; cat "$work"/*.build.log | sed 's/^/#   /'; return
  fi
  fp_want=$(q -d $want -c "SELECT squash_snapshot('want')")
  q -d $want -c "SELECT squash_snapshot_export('want')" >"$work/want.json"
  echo "SELECT squash_snapshot_import(:'snap'::jsonb, 'want'); SELECT squash_snapshot('have')" |
    q -d $live -v snap="$(cat "$work/want.json")" >/dev/null
  local differences
  differences=$(q -d $live -c "SELECT count(*) FROM squash_diff('want')")
  if [ "${differences:-0}" -eq 0 ]; then ok 1 "$tag: the two schemas differ"; return; fi
  dropdb --if-exists $stored >/dev/null 2>&1
  createdb -T $live $stored && test_databases+=($stored)
  repair_into "$tag ($differences differences), live schema" $live NULL
  repair_into "$tag, stored snapshot" $stored "'have'"
}

for dir in "$fixtures"/*/; do
  name=$(basename "$dir")
  scenario "$name" old new
  scenario "$name" new old
done
drop_test_databases
done_testing
