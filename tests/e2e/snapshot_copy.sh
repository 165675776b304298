#!/usr/bin/env bash
# squashctl snapshot copy / export / import: a snapshot too large for one command-line
# argument (400 tables: several times MAX_ARG_STRLEN as JSON) moves from a scratch
# database to "production" in one command and arrives with the same fingerprint; the
# stamp there accepts it. Through a file too. Bad input fails with one clear line and
# changes nothing.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"
squashd_preamble snapcopy
cleanup() { drop_test_databases; rm -rf "$work"; }
src=e2e_snapcopy_src
dst=e2e_snapcopy_dst
conn() { echo "host=$PGHOST port=$PGPORT user=${PGUSER:-postgres} dbname=$1"; }

new_database $src && new_database $dst
ok $? "two databases"
{
  echo "CREATE EXTENSION pg_squash;"
  for i in $(seq 1 400); do
    echo "CREATE TABLE public.table_with_a_long_name_$i (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', created timestamptz DEFAULT now(), note varchar(200) CHECK (note <> ''));"
  done
  echo "SELECT squash_snapshot('squashed');"
} | q -d $src >/dev/null
ok $? "the scratch database holds 400 tables and snapshot 'squashed'"
q -d $dst -c "CREATE EXTENSION pg_squash" >/dev/null
# The same schema in "production", built separately.
pg_dump --schema-only --exclude-schema=squash -d $src | grep -v 'CREATE EXTENSION\|COMMENT ON EXTENSION' | q -d $dst >/dev/null 2>&1
size=$(q -d $src -c "SELECT length(squash_snapshot_export('squashed')::text)")
ok "$([ "$size" -gt 131072 ]; echo $?)" "the JSON ($size bytes) is larger than one argument may be (128 KiB)"

out=$("$squashctl" snapshot copy --from "$(conn $src)" --to "$(conn $dst)" squashed 2>&1)
ok $? "snapshot copy succeeds" || diag "$out"
fp=$(q -d $src -c "SELECT fingerprint FROM squash.snapshot_store WHERE label = 'squashed'")
like "$out" "copied snapshot 'squashed' as 'squashed', fingerprint $fp" "and reports the source's fingerprint"
is "$(q -d $dst -c "SELECT fingerprint FROM squash.snapshot_store WHERE label = 'squashed'")" "$fp" \
  "the destination stores it with the same fingerprint"
is "$(q -d $dst -c "SELECT count(*) FROM squash_diff('squashed')")" 0 "production equals the copied snapshot"

"$squashctl" snapshot export --from "$(conn $src)" squashed -o "$work/snap.json" 2>/dev/null
ok $? "export to a file"
"$squashctl" snapshot import --to "$(conn $dst)" from_file "$work/snap.json" >"$work/import.out" 2>&1
ok $? "import from the file"
is "$(q -d $dst -c "SELECT fingerprint FROM squash.snapshot_store WHERE label = 'from_file'")" "$fp" \
  "same fingerprint through the file"
"$squashctl" snapshot export --from "$(conn $src)" squashed | "$squashctl" snapshot import --to "$(conn $dst)" piped >/dev/null
ok $? "export | import through a pipe"

out=$("$squashctl" snapshot copy --from "$(conn $src)" --to "$(conn $dst)" squashed 2>&1)
rc=$?
ok "$([ $rc -eq 1 ] && grep -q "already" <<<"$out"; echo $?)" "a label that exists at the destination is refused (exit 1)" || diag "$out"
out=$("$squashctl" snapshot copy --from "$(conn $src)" --to "$(conn $dst)" no_such_label 2>&1)
ok "$([ $? -eq 1 ] && grep -q "no snapshot labelled 'no_such_label'" <<<"$out"; echo $?)" "an unknown label: exit 1 with the reason" || diag "$out"
echo '{"not": "a snapshot"}' >"$work/bad.json"
out=$("$squashctl" snapshot import --to "$(conn $dst)" bad "$work/bad.json" 2>&1)
ok "$([ $? -eq 1 ] && grep -q "invalid snapshot document" <<<"$out"; echo $?)" "a corrupt document: exit 1 with the reason" || diag "$out"
is "$(q -d $dst -c "SELECT count(*) FROM squash.snapshot_store WHERE label = 'bad'")" 0 "and nothing is stored"
out=$("$squashctl" snapshot copy --from "$(conn $src)" --to "$(conn postgres)" squashed --as x 2>&1)
ok "$([ $? -eq 1 ] && grep -q "pg_squash is not installed in the destination database" <<<"$out"; echo $?)" \
  "a destination without pg_squash: exit 1 with the reason" || diag "$out"
"$squashctl" snapshot copy --from "$(conn $src)" >/dev/null 2>&1
is "$?" 64 "missing arguments: usage error"

done_testing
