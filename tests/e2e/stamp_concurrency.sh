#!/usr/bin/env bash
# Stamps from several sessions at once: never two successes, bounded lock waits, and
# application reads and writes carry on while a stamp holds its transaction open.
source "$(dirname "$0")/lib/tap.bash"
trap 'kill $(jobs -p) 2>/dev/null; drop_test_databases' EXIT
db=e2e_stamp_concurrency
new_database $db
export PGDATABASE=$db
q <<'SQL' >/dev/null
CREATE EXTENSION pg_squash;
CREATE SCHEMA app;
CREATE TABLE app.items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
INSERT INTO app.items (name) SELECT 'item ' || g FROM generate_series(1, 100) g;
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('0123456789ab');
SELECT squash_snapshot('expected');
SQL

# Session 1 stamps and keeps its transaction open for 3 seconds.
psql -X -At -v ON_ERROR_STOP=1 >/tmp/$db.s1 2>&1 <<'SQL' &
BEGIN;
SELECT squash_stamp('rev_one', expect => 'expected');
SELECT pg_sleep(3);
COMMIT;
SQL
s1=$!
for _ in $(seq 100); do
  [ "$(q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ] && break
  sleep 0.05
done

err=$(q -c "SELECT squash_stamp('rev_two', expect => 'expected')" 2>&1)
ok $((! $?)) "a second stamp while the first is open fails"
like "$err" "another stamp or unstamp is running" "and says another stamp is running"
kill -0 $s1 2>/dev/null
ok $? "it failed while the first was still open, instead of queueing behind it"

out=$(q -c "SET statement_timeout = '2s'; INSERT INTO app.items (name) VALUES ('during stamp') RETURNING name; SELECT count(*) FROM app.items" 2>&1)
ok $? "application writes and reads are not blocked by an open stamp"
like "$out" "101" "and see their own row"

# A version table locked by someone else: the stamp gives up within lock_timeout.
wait $s1
ok $? "the first stamp commits"
is "$(q -c "SELECT string_agg(version_num, ',') FROM alembic_version")" "rev_one" "its revision is in place"
is "$(q -c "SELECT count(*) FROM squash.stamp_history")" "1" "exactly one stamp was recorded"

psql -X -At >/dev/null 2>&1 <<'SQL' &
BEGIN;
LOCK TABLE alembic_version IN ROW EXCLUSIVE MODE;
SELECT pg_sleep(6);
COMMIT;
SQL
holder=$!
sleep 0.5
err=$(q -c "SET lock_timeout = '1s'" -c "SELECT squash_stamp('rev_three', expect => 'expected')" 2>&1)
ok $((! $?)) "a stamp waiting on a locked version table gives up"
like "$err" "lock timeout" "with a lock timeout"
kill -0 $holder 2>/dev/null
ok $? "before the other transaction released the lock"
wait $holder
is "$(q -c "SELECT string_agg(version_num, ',') FROM alembic_version")" "rev_one" "nothing changed"
rm -f /tmp/$db.s1
done_testing
