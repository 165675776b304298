#!/usr/bin/env bash
# Access methods, languages, transforms, conversions, operator families and classes, text
# search objects, base and shell types (tests/fixtures/generate/catalog_kinds_b.sql) keep the
# fingerprint's invariances: (a) a pg_dump -Fc | pg_restore into a database where every OID
# differs, (b) the schema dump applied in other creation orders, (c) a non-superuser
# squash_admin member reading, (d) no parallel worker (max_parallel_workers = 0), (e) JSON
# export and import. No identity or attribute holds an OID of the source.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_kinds_b.XXXXXX)
chmod 755 "$work"
cleanup() {
  drop_test_databases
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS e2e_kb_admin" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
src=e2e_kb_src

diff_rows() {  # diff_rows DB LABEL [LABEL2]: squash_diff rows (LABEL2 or the live schema)
  local to=NULL
  [ -n "${3:-}" ] && to="'$3'"
  q -d "$1" -c "SELECT kind || ' | ' || identity || ' | ' || change || ' | ' || detail
                FROM squash_diff('$2', $to)" 2>&1
}
kinds_sql="'access method', 'language', 'transform', 'conversion', 'operator family',
  'operator class', 'text search parser', 'text search template', 'text search dictionary',
  'text search configuration', 'base type', 'shell type'"

new_database $src
psql -X -q -v ON_ERROR_STOP=1 -d $src -f "$SQUASH_SRC/tests/fixtures/generate/catalog_kinds_b.sql" \
  >"$work/fixture.log" 2>&1
ok $? "the catalog kinds fixture created" || sed 's/^/#   /' "$work/fixture.log"
pg_dump --schema-only --section=pre-data $src >"$work/pre.sql" &&
  pg_dump --schema-only --section=post-data $src >"$work/post.sql"
ok $? "pg_dump --schema-only, pre-data and post-data sections"
q -d $src -c "CREATE EXTENSION pg_squash" >/dev/null
fp=$(q -d $src -c "SELECT squash_snapshot('src')")
like "$fp" '^[0-9a-f]{64}$' "snapshot taken"
snapshot_export $src src "$work/src.json"
is "$(q -d $src -c "SELECT count(*) FROM jsonb_array_elements(squash_snapshot_export('src')->'objects') o
      WHERE o->>'kind' = 'unmodelled'")" "0" "nothing is unmodelled"
is "$(q -d $src -c "SELECT string_agg(DISTINCT o->>'kind', ', ' ORDER BY o->>'kind')
      FROM jsonb_array_elements(squash_snapshot_export('src')->'objects') o
      WHERE o->>'kind' IN ($kinds_sql)")" \
  "access method, base type, conversion, language, operator class, operator family, shell type, text search configuration, text search dictionary, text search parser, text search template, transform" \
  "every kind is in the snapshot"
oids=$(q -d $src -c "SELECT string_agg(oid::text, '|') FROM (
  SELECT oid FROM pg_am WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_language WHERE oid >= 16384
  UNION ALL SELECT oid FROM pg_opfamily WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_opclass WHERE oid >= 16384
  UNION ALL SELECT oid FROM pg_ts_parser WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_ts_dict WHERE oid >= 16384
  UNION ALL SELECT oid FROM pg_ts_template WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_ts_config WHERE oid >= 16384
  UNION ALL SELECT oid FROM pg_type WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_proc WHERE oid >= 16384
  UNION ALL SELECT oid FROM pg_conversion WHERE oid >= 16384) s")
if grep -Eqw "($oids)" <(q -d $src -c "SELECT o->>'identity' || ' ' || (o->'attrs')::text
    FROM jsonb_array_elements(squash_snapshot_export('src')->'objects') o WHERE o->>'kind' IN ($kinds_sql)"); then
  ok 1 "no OID of the source in their identities or attributes"
else
  ok 0 "no OID of the source in their identities or attributes"
fi

# ---- (a) pg_dump -Fc | pg_restore --------------------------------------------------------------
restored=e2e_kb_restored
new_database $restored
q -d $restored -c "CREATE TABLE zz_filler (a int); DROP TABLE zz_filler; CREATE FUNCTION zz() RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
pg_dump -Fc $src | pg_restore --exit-on-error -d $restored >"$work/restore.log" 2>&1
ok $? "(a) pg_dump -Fc | pg_restore into a database where the OIDs differ" || sed 's/^/#   /' "$work/restore.log" | tail -5
q -d $restored -c "DROP FUNCTION zz()" >/dev/null
[ -n "$(q -d $restored -c "SELECT 1 FROM squash.snapshots WHERE label = 'src'")" ] ||
  snapshot_import $restored "$work/src.json" src >/dev/null
is "$(q -d $restored -c "SELECT squash_fingerprint()")" "$fp" "(a) the restored database has the same fingerprint"
is "$(diff_rows $restored src)" "" "(a) and squash_diff('src') is empty"

# ---- (b) other creation orders -------------------------------------------------------------------
# Each TOC entry of the schema dump applied in a new order (pre-data before post-data); an
# entry that fails for want of another is retried after the rest.
cat >"$work/reorder.py" <<'PY'
import os, random, re, sys
import psycopg2

db, order, pre_path, post_path = sys.argv[1:5]


def entries(path):
    text = "".join(l for l in open(path, encoding="utf-8") if not l.startswith("\\"))
    parts = re.split(r"(?m)^--\n-- (?=Name: )", text)
    # pg_dump sets default_table_access_method just before the entry that needs it.
    blocks, carry = [], ""
    for p in parts[1:]:
        block = carry + "-- " + p
        m = re.search(r"(?m)^SET default_table_access_method = .*;\s*\Z", block)
        carry = m.group(0) if m else ""
        blocks.append(block[: m.start()] if m else block)
    return parts[0], [b for b in blocks if b.strip()]


preamble, pre = entries(pre_path)
_, post = entries(post_path)
rng = random.Random(15)
for section in (pre, post):
    section.reverse() if order == "reverse" else rng.shuffle(section)
conn = psycopg2.connect(dbname=db, host=os.environ.get("PGHOST"), port=os.environ.get("PGPORT"),
                        user=os.environ.get("PGUSER", "postgres"))
cur = conn.cursor()
cur.execute(preamble)
for section in (pre, post):
    pending = section
    while pending:
        deferred, errors = [], []
        for block in pending:
            cur.execute("SAVEPOINT entry")
            try:
                # A SET carried by an earlier entry must not reach this one.
                cur.execute("RESET default_table_access_method")
                cur.execute(block)
                cur.execute("RELEASE SAVEPOINT entry")
            except psycopg2.Error as e:
                cur.execute("ROLLBACK TO SAVEPOINT entry")
                # A C or internal function returning a type not made yet makes its shell.
                if e.pgcode == "42710" and "; Type: SHELL TYPE;" in block.splitlines()[0]:
                    continue
                deferred.append(block)
                errors.append(block.splitlines()[0] + ": " + str(e).splitlines()[0])
        if len(deferred) == len(pending):
            sys.exit("no progress; still failing:\n" + "\n".join(errors))
        pending = deferred
conn.commit()
print("%d + %d entries" % (len(pre), len(post)))
PY
for order in shuffled reverse; do
  db=e2e_kb_$order
  new_database $db
  q -d $db -c "CREATE TABLE zz_filler (a int); DROP TABLE zz_filler" >/dev/null
  out=$(/usr/bin/python3 "$work/reorder.py" $db $order "$work/pre.sql" "$work/post.sql" 2>&1)
  ok $? "(b) the schema dump applied in $order order: ${out##*$'\n'}" || printf '#   %s\n' "${out:0:2000}"
  q -d $db -c "CREATE EXTENSION pg_squash" >/dev/null
  snapshot_import $db "$work/src.json" src >/dev/null
  is "$(q -d $db -c "SELECT squash_fingerprint()")" "$fp" "(b) built in $order order: the same fingerprint"
  is "$(diff_rows $db src)" "" "(b) and squash_diff('src') is empty"
done

# ---- (c) the reading role ----------------------------------------------------------------------
psql -X -q -d postgres -c "CREATE ROLE e2e_kb_admin LOGIN IN ROLE squash_admin" >/dev/null 2>&1
is "$(psql -X -At -U e2e_kb_admin -d $src -c "SELECT squash_fingerprint()" 2>&1)" "$fp" \
  "(c) a non-superuser squash_admin member reads the same fingerprint"

# ---- (d) no parallel worker --------------------------------------------------------------------
is "$(PGOPTIONS='-c max_parallel_workers=0' q -d $src -c "SELECT squash_fingerprint()")" "$fp" \
  "(d) the same fingerprint with max_parallel_workers = 0"
is "$(PGOPTIONS='-c pg_squash.view_worker_min_relations=0' q -d $src -c "SELECT squash_fingerprint()")" \
  "$fp" "(d) and with the parallel worker forced on this small schema"

# ---- (e) JSON export and import ----------------------------------------------------------------
snapshot_import $src "$work/src.json" src_copy >/dev/null
is "$(q -d $src -c "SELECT fingerprint FROM squash.snapshots WHERE label = 'src_copy'")" "$fp" \
  "(e) the imported snapshot has the same fingerprint"
is "$(diff_rows $src src src_copy)" "" "(e) and no difference from the one exported"
snapshot_export $src src_copy "$work/copy.json"
is "$(md5sum <"$work/copy.json")" "$(md5sum <"$work/src.json")" "(e) exported again, the same bytes"

done_testing
