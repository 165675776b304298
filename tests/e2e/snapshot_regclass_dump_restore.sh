#!/usr/bin/env bash
# Constants of OID alias types (regclass, regproc, regtype, ...) in stored expressions keep
# their names in the snapshot, so a pg_dump -Fc | pg_restore into a database where every
# OID differs gives no difference. Found on PostgreSQL's regression database: a generated
# column `tableoid = 'gtest_tableoid'::regclass` read `(tableoid = '26581'::oid)` once
# constant casts were folded, and another OID after the restore.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_regclass.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; rm -rf "$work"' EXIT

new_database e2e_regclass_src
q -d e2e_regclass_src >/dev/null <<'SQL'
CREATE TABLE public.pad (a int);  -- shifts every OID of the copy below
CREATE SCHEMA app;
CREATE TABLE app.gtest_tableoid (
  a int PRIMARY KEY,
  b boolean GENERATED ALWAYS AS (tableoid = 'app.gtest_tableoid'::regclass) STORED);
CREATE TABLE app.other (
  id int,
  kind regclass DEFAULT 'app.gtest_tableoid',
  t regtype CHECK (t <> 'integer'::regtype),
  f oid DEFAULT 'pg_catalog.now'::regproc,
  rels oid[] DEFAULT ARRAY['app.other'::regclass, 'app.gtest_tableoid'::regclass]::oid[]);
CREATE INDEX other_part ON app.other (id) WHERE kind <> 'app.other'::regclass;
SQL
ok $? "a schema with reg* constants in a generated column, defaults, a CHECK and an index predicate"
q -d e2e_regclass_src -c "CREATE EXTENSION pg_squash" >/dev/null
q -d e2e_regclass_src -c "SELECT squash_snapshot('src')" >/dev/null
q -d e2e_regclass_src -c "SELECT squash_snapshot_export('src')" >"$work/src.json"
ok $? "snapshot taken and exported"
like "$(q -d e2e_regclass_src -c "SELECT o->'attrs'->>'generated' FROM
        jsonb_array_elements(squash_snapshot_export('src')->'objects') o
        WHERE o->>'identity' = 'app.gtest_tableoid.b'")" "'app\.gtest_tableoid'::regclass" \
  "the generated column names the table, not its OID"
oids=$(q -d e2e_regclass_src -c "SELECT string_agg(oid::text, '|') FROM pg_class
        WHERE relnamespace = 'app'::regnamespace")
if grep -Eq "'($oids)'::oid" "$work/src.json"; then ok 1 "no OID of the schema in the snapshot"
else ok 0 "no OID of the schema in the snapshot"; fi

pg_dump -Fc -n app e2e_regclass_src >"$work/app.dump"
ok $? "pg_dump -Fc"
new_database e2e_regclass_dst
q -d e2e_regclass_dst -c "CREATE TABLE public.pad2 (a int, b int, c int)" >/dev/null
pg_restore -d e2e_regclass_dst "$work/app.dump"
ok $? "pg_restore into a database where the OIDs differ"
q -d e2e_regclass_dst -c "CREATE EXTENSION pg_squash" >/dev/null
snapshot_import e2e_regclass_dst "$work/src.json" src >/dev/null
is "$(q -d e2e_regclass_dst -c "SELECT kind || ' ' || identity || ' ' || change || ': ' || detail
      FROM squash_diff('src', NULL) WHERE identity LIKE 'app.%' OR kind = 'schema' AND identity = 'app'")" \
  "" "no difference in the restored schema"
is "$(q -d e2e_regclass_dst -c "SELECT squash_fingerprint('{app}')")" \
  "$(q -d e2e_regclass_src -c "SELECT squash_fingerprint('{app}')")" "the same fingerprint of the schema"

done_testing
