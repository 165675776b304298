#!/usr/bin/env bash
# Foreign data, rules, publications, subscriptions, default privileges and extended
# statistics (tests/fixtures/generate/foreign_replication.sql), end to end: nothing of them
# is unmodelled and no secret value reaches the snapshot; the generated SQL script and the
# Alembic revision (real Alembic) rebuild the source's fingerprint in an empty database, the
# secrets read from pg_squash_secret.* settings passed in PGOPTIONS at upgrade time (without
# them the upgrade stops, naming the setting); the downgrade leaves nothing; with_owners
# too. The fingerprint survives pg_dump | pg_restore and the parallel worker's absence, and
# a role that cannot read the user mappings' options gets an error, not a smaller snapshot.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_fr.XXXXXX)
chmod 755 "$work"
cleanup() {
  # A database with a subscription cannot be dropped: the subscriptions go first.
  local db s
  for db in "${test_databases[@]}"; do
    for s in $(psql -X -At -d "$db" -c "SELECT quote_ident(subname) FROM pg_subscription s
               JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = current_database()" 2>/dev/null); do
      psql -X -q -d "$db" -c "ALTER SUBSCRIPTION $s DISABLE" -c "ALTER SUBSCRIPTION $s SET (slot_name = NONE)" \
        -c "DROP SUBSCRIPTION $s" >/dev/null 2>&1
    done
  done
  drop_test_databases
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS e2e_fr_admin" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
secrets="-c pg_squash_secret.um.gen_fr_reader.fr_remote.password=from_env"
secrets+=" -c pg_squash_secret.um.gen_fr_owner.fr_legacy.api_secret=other"
secrets+=" -c pg_squash_secret.um.gen_fr_owner.fr_legacy.region=eu"  # every option of a user mapping but user is secret
secrets+=" -c pg_squash_secret.sub.fr_sub.password=sub_pw"

same_schema() {  # same_schema SOURCE_DB TARGET_DB DESCRIPTION
  local fp_src fp_dst label="fr_src_$RANDOM"
  fp_src=$(q -d "$1" -c "SELECT squash_fingerprint()")
  fp_dst=$(q -d "$2" -c "SELECT squash_fingerprint()")
  is "$fp_dst" "$fp_src" "$3"
  if [ "$fp_dst" != "$fp_src" ]; then
    q -d "$1" -c "SELECT squash_snapshot('$label')" >/dev/null
    q -d "$1" -c "SELECT squash_snapshot_export('$label')" >"$work/$label.json"
    q -d "$1" -c "SELECT squash_snapshot_drop('$label')" >/dev/null
    snapshot_import "$2" "$work/$label.json" "$label" >/dev/null
    q -d "$2" -c "SELECT kind || ' ' || identity || ' ' || change || ': ' || detail
                  FROM squash_diff('$label')" | sed 's/^/#   /'
    q -d "$2" -c "SELECT squash_snapshot_drop('$label')" >/dev/null
  fi
}

leftovers() {  # leftovers DB: what the downgrade should have removed
  q -d "$1" <<'SQL'
SELECT coalesce(string_agg(x, ', ' ORDER BY x), '') FROM (
  SELECT 'relation ' || c.oid::regclass::text AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND n.nspname !~ '^pg_(toast|temp)' AND c.relname NOT IN ('alembic_version', 'alembic_version_pkc')
  UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'squash', 'public') AND nspname !~ '^pg_(toast|temp)'
  UNION ALL SELECT 'wrapper ' || fdwname FROM pg_foreign_data_wrapper
  UNION ALL SELECT 'server ' || srvname FROM pg_foreign_server
  UNION ALL SELECT 'user mapping ' || usename || ' ' || srvname FROM pg_user_mappings
  UNION ALL SELECT 'rule ' || rulename FROM pg_rewrite WHERE ev_class >= 16384 AND rulename <> '_RETURN'
  UNION ALL SELECT 'statistics ' || stxname FROM pg_statistic_ext
  UNION ALL SELECT 'publication ' || pubname FROM pg_publication
  UNION ALL SELECT 'subscription ' || subname FROM pg_subscription
    WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT 'default privileges ' || defaclrole::regrole::text || ' ' || defaclobjtype::text FROM pg_default_acl
  UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname NOT IN ('plpgsql', 'pg_squash')
) s
SQL
}

src=e2e_fr_src
new_database $src
psql -X -q -v ON_ERROR_STOP=1 -d $src -f "$SQUASH_SRC/tests/fixtures/generate/foreign_replication.sql" \
  >"$work/src.log" 2>&1
ok $? "the fixture builds (foreign data, rules, publications, subscriptions, default privileges, statistics)" ||
  sed 's/^/#   /' "$work/src.log"
q -d $src -c "CREATE EXTENSION pg_squash" >/dev/null
q -d $src -c "SELECT squash_snapshot('fr')" >/dev/null
q -d $src -c "SELECT squash_snapshot_export('fr')" >"$work/fr.json"
is "$(q -d $src -c "SELECT count(*) FROM jsonb_array_elements(squash_snapshot_export('fr')->'objects') o
      WHERE o->>'kind' = 'unmodelled'")" "0" "nothing is unmodelled"
is "$(q -d $src -c "SELECT string_agg(DISTINCT o->>'kind', ', ' ORDER BY o->>'kind')
      FROM jsonb_array_elements(squash_snapshot_export('fr')->'objects') o
      WHERE o->>'kind' IN ('foreign-data wrapper', 'foreign server', 'user mapping', 'foreign table',
        'rule', 'statistics', 'publication', 'subscription', 'default privileges')")" \
  "default privileges, foreign server, foreign table, foreign-data wrapper, publication, rule, statistics, subscription, user mapping" \
  "every kind is in the snapshot"
ok $(grep -qE "hunter2|s3cr" "$work/fr.json" && echo 1 || echo 0) \
  "no secret value (user mapping password, api_secret, the subscription's password) is in the export"
like "$(grep -o '"secret_options": "[^"]*"' "$work/fr.json" | sort | tr '\n' ' ')" \
  'api_secret.*password' "the secret options are named"

# (1) The SQL script.
q -d $src -c "SELECT squash_generate_migration(format => 'sql')" >"$work/fr.sql"
ok $? "sql script generated ($(wc -l <"$work/fr.sql") lines)"
ok $(grep -qE "hunter2|s3cr" "$work/fr.sql" && echo 1 || echo 0) "no secret value in the script"
new_database e2e_fr_nosecret
q -d e2e_fr_nosecret -c "CREATE EXTENSION pg_squash" >/dev/null
out=$(psql -X -q -v ON_ERROR_STOP=1 -d e2e_fr_nosecret -f "$work/fr.sql" 2>&1)
like "$out" "ERROR: +pg_squash: the setting pg_squash_secret\.um\.gen_fr_[a-z_.]+ must hold" \
  "without the secret's setting the script stops, naming it"
new_database e2e_fr_sql
q -d e2e_fr_sql -c "CREATE EXTENSION pg_squash" >/dev/null
PGOPTIONS="$secrets" psql -X -q -v ON_ERROR_STOP=1 -d e2e_fr_sql -f "$work/fr.sql" >"$work/sql.log" 2>&1
ok $? "with the secrets in PGOPTIONS the script applies to an empty database" || sed 's/^/#   /' "$work/sql.log" | tail -20
same_schema $src e2e_fr_sql "the script builds the source's fingerprint"
# A statement holding a secret that fails (here: it exists already) reports its error
# without the statement, so the secret reaches neither the client nor the server log.
awk '/^DO \$pg_squash\$/{f=1} f{print} /^\$pg_squash\$;/{f=0}' "$work/fr.sql" >"$work/secret_blocks.sql"
out=$(PGOPTIONS="$secrets" psql -X -v VERBOSITY=verbose -d e2e_fr_sql -f "$work/secret_blocks.sql" 2>&1)
is "$(grep -c 'already exists' <<<"$out")" "$(grep -c "EXECUTE 'CREATE " "$work/secret_blocks.sql")" \
  "run again, every CREATE holding a secret fails (it exists already)"
ok "$(! grep -q -e from_env -e other -e sub_pw <<<"$out"; echo $?)" \
  "and no error shows the secret (no statement text in the context)" || diag "$out"
is "$(q -d e2e_fr_sql -c "SELECT m.umoptions::text FROM pg_user_mapping m JOIN pg_roles r ON r.oid = m.umuser WHERE r.rolname = 'gen_fr_reader'")" \
  "{user=bob,password=from_env}" "the user mapping's password is the one given at upgrade time"
is "$(q -d e2e_fr_sql -c "SELECT subconninfo FROM pg_subscription WHERE subname = 'fr_sub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")" \
  "dbname=app host=publisher.example port=5432 user=rep password='sub_pw'" "and so is the subscription's"
is "$(q -d e2e_fr_sql -c "SELECT string_agg(subname || ':' || subenabled, ',' ORDER BY subname) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")" \
  "fr_sub:false,fr_sub2:false" "the subscriptions are created disabled"

# (2) with_owners.
q -d $src -c "SELECT squash_generate_migration(format => 'sql', with_owners => true)" >"$work/fr_owners.sql"
new_database e2e_fr_owners
q -d e2e_fr_owners -c "CREATE EXTENSION pg_squash" >/dev/null
PGOPTIONS="$secrets" psql -X -q -v ON_ERROR_STOP=1 -d e2e_fr_owners -f "$work/fr_owners.sql" >"$work/owners.log" 2>&1
ok $? "the with_owners script applies" || sed 's/^/#   /' "$work/owners.log" | tail -20
same_schema $src e2e_fr_owners "with_owners: the same fingerprint"

# (3) The Alembic revision, with real Alembic: upgrade, downgrade, upgrade.
mkdir -p "$work/versions"
q -d $src -c "SELECT squash_generate_migration()" >"$work/versions/000_squashed_complete.py"
make_alembic_project "$work/alembic" "$work/versions"
db=e2e_fr_alembic
new_database $db
q -d $db -c "CREATE EXTENSION pg_squash" >/dev/null
PGOPTIONS="$secrets" alembic_in "$work/alembic" $db upgrade head >"$work/up.log" 2>&1
ok $? "alembic upgrade head on an empty database" || tail -20 "$work/up.log" | sed 's/^/#   /'
same_schema $src $db "alembic upgrade head builds the source's fingerprint"
alembic_in "$work/alembic" $db downgrade base >"$work/down.log" 2>&1
ok $? "alembic downgrade base" || tail -20 "$work/down.log" | sed 's/^/#   /'
left=$(leftovers $db 2>&1)
ok $? "the leftovers query runs"
is "$left" "" "nothing is left after the downgrade (wrappers, servers, mappings, rules, statistics, publications, subscriptions, default privileges)"
PGOPTIONS="$secrets" alembic_in "$work/alembic" $db upgrade head >"$work/up2.log" 2>&1
ok $? "alembic upgrade head again" || tail -20 "$work/up2.log" | sed 's/^/#   /'
same_schema $src $db "the second upgrade builds the source's fingerprint"

# (4) pg_dump | pg_restore into a database whose OIDs differ.
restored=e2e_fr_restored
new_database $restored
q -d $restored -c "CREATE TABLE zz (a int); DROP TABLE zz" >/dev/null
pg_dump -Fc $src | pg_restore --exit-on-error -d $restored >"$work/restore.log" 2>&1
ok $? "pg_dump -Fc | pg_restore" || sed 's/^/#   /' "$work/restore.log" | tail -5
same_schema $src $restored "the restored database has the same fingerprint"

# (5) Without the parallel worker (which this small schema gets only when forced).
is "$(PGOPTIONS='-c max_parallel_workers=0' q -d $src -c "SELECT squash_fingerprint()")" \
  "$(PGOPTIONS='-c pg_squash.view_worker_min_relations=0' q -d $src -c "SELECT squash_fingerprint()")" \
  "the same fingerprint with max_parallel_workers = 0 as with the worker"

# (6) A role that may not read pg_user_mapping.
psql -X -q -d postgres -c "CREATE ROLE e2e_fr_admin LOGIN IN ROLE squash_admin" >/dev/null 2>&1
got=$(psql -X -At -U e2e_fr_admin -d $src -c "SELECT squash_fingerprint()" 2>&1)
like "$got" "ERROR: +pg_squash: role e2e_fr_admin cannot read every catalog a snapshot needs" \
  "a squash_admin member who cannot read the user mappings gets an error, not a smaller fingerprint"
# Without user mappings and subscriptions (whose options only a superuser reads) the member
# sees exactly the superuser's fingerprint.
q -d $restored -c "DROP USER MAPPING FOR gen_fr_reader SERVER fr_remote" \
  -c "DROP USER MAPPING FOR PUBLIC SERVER fr_legacy" -c "DROP USER MAPPING FOR gen_fr_owner SERVER fr_legacy" \
  -c "ALTER SUBSCRIPTION fr_sub DISABLE" -c "ALTER SUBSCRIPTION fr_sub SET (slot_name = NONE)" \
  -c "DROP SUBSCRIPTION fr_sub" -c "DROP SUBSCRIPTION fr_sub2" >/dev/null
is "$(psql -X -At -U e2e_fr_admin -d $restored -c "SELECT squash_fingerprint()" 2>&1)" \
  "$(q -d $restored -c "SELECT squash_fingerprint()")" \
  "without them, the squash_admin member gets the superuser's fingerprint"

done_testing
