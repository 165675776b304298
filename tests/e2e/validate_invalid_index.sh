#!/usr/bin/env bash
# squash_validate() names an invalid index left behind by a failed CREATE INDEX CONCURRENTLY
# (which cannot run inside the pgTAP suite's transaction).
source "$(dirname "$0")/lib/tap.bash"
trap drop_test_databases EXIT
db=e2e_validate_invalid_index
new_database $db
export PGDATABASE=$db
q -c "CREATE EXTENSION pg_squash" -c "CREATE TABLE items (id int, code text)" \
  -c "INSERT INTO items VALUES (1, 'a'), (2, 'a')" >/dev/null
is "$(q -c "SELECT status FROM squash_validate() WHERE check_name = 'indexes'")" "pass" "no invalid index at first"
err=$(q -c "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code)" 2>&1)
ok $((! $?)) "CREATE UNIQUE INDEX CONCURRENTLY on duplicates fails"
is "$(q -c "SELECT status FROM squash_validate() WHERE check_name = 'indexes'")" "fail" "the invalid index fails the check"
like "$(q -c "SELECT detail FROM squash_validate() WHERE check_name = 'indexes'")" "public\.items_code_key is invalid" \
  "and the detail names it"
q -c "DROP INDEX items_code_key" >/dev/null
is "$(q -c "SELECT status FROM squash_validate() WHERE check_name = 'indexes'")" "pass" "dropping it passes again"
done_testing
