#!/usr/bin/env bash
# End to end: `squashctl diff TARGET --against LABEL` through a real squashd — the live
# schema of a drifted target against a snapshot stored there: the list (exit 5), the JSON,
# the repair script (destructive statements refused, then allowed), the script applied
# with psql brings the target back (exit 0), and bad input (unknown target, unknown or
# hostile label, a target that is down) gets a clear error and changes nothing. Needs the
# harness's cluster and BUILD_DIR.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"

squashd_preamble diff

cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  drop_test_databases
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}

db=sqd_diff_$$
plain=sqd_diff_plain_$$
token="tok-$RANDOM$RANDOM"
echo "$token" >"$work/token"
chmod 600 "$work/token"
new_database "$db" || { echo "Bail out! cannot create databases"; exit 1; }
new_database "$plain"
if ! q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null 2>&1; then
  echo "1..0 # SKIP pg_squash is not installed in the cluster"
  exit 0
fi

q -d "$db" >/dev/null <<'SQL'
CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '', note text);
CREATE TABLE invoice (id bigint PRIMARY KEY, customer_id bigint REFERENCES customer ON DELETE CASCADE,
                      total numeric(12,2) NOT NULL);
CREATE INDEX invoice_customer_idx ON invoice (customer_id);
CREATE VIEW big_invoice AS SELECT id, total FROM invoice WHERE total > 1000;
INSERT INTO customer VALUES (1, 'a@example.org', 'first');
INSERT INTO invoice VALUES (10, 1, 2500);
SQL
baseline=$(q -d "$db" -c "SELECT squash_snapshot('baseline')")

pick_api_port
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$api_port"
token_file = "$work/token"
state_dir = "$work/state"
log_level = "debug"
log_file = "$work/squashd.log"

[[target]]
name = "app"
conninfo = "host=$PGHOST port=$PGPORT dbname=$db user=${PGUSER:-postgres}"
backup_dir = "$work/backups/app"

[[target]]
name = "plain"
conninfo = "host=$PGHOST port=$PGPORT dbname=$plain user=${PGUSER:-postgres}"
backup_dir = "$work/backups/plain"

[[target]]
name = "down"
conninfo = "host=127.0.0.1 port=1 dbname=nothing user=nobody connect_timeout=2"
backup_dir = "$work/backups/down"
TOML
start_squashd
ok $? "squashd starts"

# --- no drift yet
out=$(ctl diff app --against baseline 2>&1); rc=$?
is "$rc" 0 "an unchanged target: exit 0"
like "$out" "target app against snapshot baseline: no differences" "and says so"

# --- drift: a changed default, a lost NOT NULL, a lost ON DELETE action, a hot-fix index,
# a changed view, a dropped column (the repair must add it back), an extra column
q -d "$db" >/dev/null <<'SQL'
ALTER TABLE customer ALTER COLUMN email SET DEFAULT 'nobody@example.org';
ALTER TABLE invoice ALTER COLUMN total DROP NOT NULL;
ALTER TABLE invoice DROP CONSTRAINT invoice_customer_id_fkey;
ALTER TABLE invoice ADD CONSTRAINT invoice_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer;
CREATE INDEX hotfix_email_idx ON customer (email);
CREATE OR REPLACE VIEW big_invoice AS SELECT id, total FROM invoice WHERE total > 500;
ALTER TABLE customer DROP COLUMN note;
ALTER TABLE customer ADD COLUMN added_by_hand integer;
SQL
drifted=$(q -d "$db" -c "SELECT squash_fingerprint()")
isnt() { ok "$([ "$1" != "$2" ]; echo $?)" "$3"; }
isnt "$drifted" "$baseline" "the drift changes the fingerprint"

out=$(ctl diff app --against baseline 2>"$work/diff.err"); rc=$?
is "$rc" 5 "a drifted target: exit 5"
like "$out" "target app against snapshot baseline: [0-9]+ differences" "the list has a count"
like "$out" "changed +column public\.customer\.email" "names the changed column default"
like "$out" "default: ''::text → 'nobody@example.org'::text" "with old → new"
like "$out" "index public\.hotfix_email_idx" "names the hot-fix index"
like "$out" "view public\.big_invoice" "names the changed view"

json=$(ctl --json diff app --against baseline); rc=$?
is "$rc" 5 "--json: exit 5 too"
is "$(jq -r '.target + " " + .against' <<<"$json")" "app baseline" "--json: target and label"
is "$(jq -r '.differences == (.diff.changes | length)' <<<"$json")" true \
  "--json: the count equals the changes listed"
is "$(jq -r '[.diff.changes[] | select(.identity == "public.customer.added_by_hand")] | length' <<<"$json")" 1 \
  "--json: the hand-added column is one change"

# --- the repair script: refused while it would drop the hand-added column
ctl diff app --against baseline --sql >"$work/repair.sql" 2>"$work/sql.err"; rc=$?
is "$rc" 1 "--sql with a destructive change: refused (exit 1)"
like "$(cat "$work/sql.err")" "added_by_hand" "the refusal lists the destructive statement"
is "$(q -d "$db" -c "SELECT squash_fingerprint()")" "$drifted" "a refused diff changes nothing"

ctl diff app --against baseline --sql --allow-destructive >"$work/repair.sql" 2>"$work/sql.err"
ok $? "--sql --allow-destructive writes the script"
like "$(cat "$work/repair.sql")" "lock_timeout" "the script sets lock_timeout"
q -d "$db" -f "$work/repair.sql" >"$work/apply.out" 2>&1
ok $? "the script applies with psql"
is "$(q -d "$db" -c "SELECT squash_fingerprint()")" "$baseline" \
  "after the script the live fingerprint equals the snapshot's"
out=$(ctl diff app --against baseline 2>&1); rc=$?
is "$rc" 0 "squashctl diff agrees: exit 0"
is "$(q -d "$db" -c "SELECT count(*) FROM invoice")" 1 "rows are still there"

ok "$(ctl diff app --sql --against baseline >/dev/null 2>&1; echo $?)" "--sql on an equal target works"

# --- bad input
ctl diff nowhere --against baseline >/dev/null 2>"$work/err"; rc=$?
is "$rc" 1 "unknown target: exit 1"
like "$(cat "$work/err")" "no target named nowhere" "and names it"
ctl diff app --against "no-such'label; DROP TABLE customer --" >/dev/null 2>"$work/err"; rc=$?
is "$rc" 1 "unknown, hostile label: exit 1"
like "$(cat "$work/err")" "squashd answered 422" "the extension's refusal comes back"
is "$(q -d "$db" -c "SELECT count(*) FROM customer")" 1 "the hostile label ran nothing"
ctl diff plain --against baseline >/dev/null 2>"$work/err"; rc=$?
is "$rc" 1 "a database without pg_squash: exit 1"
like "$(cat "$work/err")" "pg_squash is not installed" "and says so"
ctl diff down --against baseline >/dev/null 2>"$work/err"; rc=$?
is "$rc" 1 "a target that is down: exit 1"
like "$(cat "$work/err")" "cannot connect to target down" "and says so"
ctl diff app >/dev/null 2>&1; rc=$?
is "$rc" 64 "--against is required (usage, exit 64)"
ctl diff app --against baseline --allow-destructive >/dev/null 2>&1; rc=$?
is "$rc" 64 "--allow-destructive needs --sql (usage, exit 64)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/targets/app/diff?against=baseline")
is "$code" 401 "the endpoint needs the token"

# --- a diff runs on a worker thread: the API answers while one waits on the target
# (its read of the stored snapshot waits for a lock held for 3 s)
q -d "$db" -c "BEGIN; LOCK TABLE squash.snapshot_store IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null 2>&1 &
locker=$!
sleep 0.5
ctl diff app --against baseline >"$work/slow.out" 2>&1 &
differ=$!
sleep 0.5
curl -sf --max-time 1 "$url/v1/health" >/dev/null
ok $? "/v1/health answers within 1 s while a diff waits on the target"
kill -0 "$differ" 2>/dev/null
ok $? "the diff was still waiting then"
wait "$differ"
is "$?" 0 "and it finishes once the lock goes (no differences)"
wait "$locker"

kill -0 "$pid" 2>/dev/null
ok $? "squashd is still running"
! grep -q "$token" "$work/squashd.log"
ok $? "the log never shows the token"

done_testing
