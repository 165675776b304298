#!/usr/bin/env bash
# pg_squash's state survives a plain pg_dump -Fc | pg_restore: stored snapshots, the stamp
# history (and its id sequence), expectations, data snapshots and the managed view set
# come back row for row, squash_validate() passes on the copy, and the copy can be
# unstamped and stamped again (its stamp_history ids go on, not collide).
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_state.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; rm -rf "$work"' EXIT
a=e2e_state_a
b=e2e_state_b

new_database $a
ok $? "database A created"
q -d $a >"$work/fixture.log" 2>&1 <<'SQL'
CREATE EXTENSION pg_squash;
CREATE SCHEMA app;
CREATE TABLE app.genes (id int PRIMARY KEY, symbol text NOT NULL);
INSERT INTO app.genes SELECT g, 'G' || g FROM generate_series(1, 50) g;
CREATE VIEW app.gene_count AS SELECT count(*) AS n FROM app.genes;
CREATE MATERIALIZED VIEW app.symbols AS SELECT symbol FROM app.genes;
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('0042_old_head');
SELECT squash_snapshot('squashed');
SELECT squash_snapshot('other');
SELECT squash_view_capture();
SELECT squash_expect('app.genes', 50);
SELECT squash_data_snapshot('before');
SELECT squash_stamp('000_squashed_complete', expect => 'squashed');
SQL
ok $? "A: snapshots, views, expectation, data snapshot and a stamp" || cat "$work/fixture.log"

state() {
  q -d "$1" -c "SELECT (SELECT string_agg(label || ':' || fingerprint || ':' || md5(document), ',' ORDER BY label) FROM squash.snapshot_store)
    || '|' || (SELECT string_agg(id || ':' || revision || ':' || live_fingerprint, ',' ORDER BY id) FROM squash.stamp_history)
    || '|' || (SELECT string_agg(relation || ':' || min_rows, ',' ORDER BY relation) FROM squash.expectations)
    || '|' || (SELECT string_agg(label || ':' || relation || ':' || hash, ',' ORDER BY label, relation) FROM squash.data_snapshots)
    || '|' || (SELECT string_agg(identity || ':' || md5(definition), ',' ORDER BY identity) FROM squash.managed_views)"
}
before=$(state $a)
like "$before" '^[^|]+,[^|]+\|1:000_squashed_complete:[0-9a-f]{64}\|app\.genes:50\|before:app\.genes:[0-9a-f]{32}\|app\.gene_count:[0-9a-f]{32},app\.symbols:' \
  "A holds two snapshots, one stamp, one expectation, a data snapshot and two managed views"

pg_dump -Fc -d $a -f "$work/a.dump"
ok $? "pg_dump -Fc of A"
new_database $b
ok $? "database B created"
pg_restore -d $b "$work/a.dump" 2>"$work/restore.log"
ok $? "pg_restore into B" || cat "$work/restore.log"
is "$(state $b)" "$before" "B has the same state, row for row"
is "$(q -d $b -c "SELECT count(*) FROM squash.install_info")" \
  "$(q -d $a -c "SELECT count(*) FROM squash.install_info")" "install facts are not duplicated"
is "$(q -d $b -c "SELECT string_agg(check_name || '=' || status, ' ' ORDER BY check_name) FROM squash_validate() WHERE status NOT IN ('pass', 'skip')")" \
  "" "squash_validate() passes on the restored copy"
is "$(q -d $b -c "SELECT squash_unstamp()")" "0042_old_head" "the copy can be unstamped"
q -d $b -c "SELECT squash_stamp('000_squashed_complete', expect => 'squashed')" >/dev/null
ok $? "and stamped again"
is "$(q -d $b -c "SELECT string_agg(id || ':' || (undone_at IS NOT NULL), ',' ORDER BY id) FROM squash.stamp_history")" \
  "1:true,2:false" "stamp_history ids continue after the restored one (its sequence came along)"
is "$(q -d $b -c "SELECT count(*) FROM squash_diff('squashed')")" "0" \
  "the restored snapshot still equals the live schema"

done_testing
