#!/usr/bin/env bash
# Fingerprint invariances that need more than one SQL session (the rest is in
# tests/pgtap/10_snapshot_invariance.sql): (a) a server restart, (b) a real
# pg_dump -Fc | pg_restore of the sample app with its data, (c) the same schema built in
# other creation orders (pg_dump's own statements applied shuffled and reversed, each
# deferred until what it needs exists), (d) a non-superuser squash_admin member logged in
# with psql -U sees the same fingerprint as the superuser, or gets a clear error -- never
# a different one.
source "$(dirname "$0")/lib/tap.bash"

is_text() {  # is_text GOT EXPECTED DESCRIPTION: like is, for multi-line text (diff as comments)
  if [ "$1" = "$2" ]; then ok 0 "$3"; return; fi
  ok 1 "$3"
  diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/#   /; s/^#   </#   expected:/; s/^#   >/#   got:     /'
}
work=$(mktemp -d /tmp/e2e_invariance.XXXXXX)
chmod 755 "$work"
roles=(e2e_inv_admin e2e_inv_outsider)
cleanup() {
  drop_test_databases
  for r in "${roles[@]}"; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app
chain=e2e_inv_chain

make_alembic_project "$work/chain" "$app/versions"
new_database $chain
alembic_in "$work/chain" $chain upgrade head >"$work/chain.log" 2>&1
ok $? "the sample app built by its revision chain"
q -d $chain -f "$app/sample_data.sql" >/dev/null
ok $? "with its sample data"
# Plain schema dumps for (c), taken before pg_squash is installed here.
pg_dump --schema-only --section=pre-data $chain >"$work/pre.sql" &&
  pg_dump --schema-only --section=post-data $chain >"$work/post.sql"
ok $? "pg_dump --schema-only, pre-data and post-data sections"
q -d $chain -c "CREATE EXTENSION pg_squash" >/dev/null
fp=$(q -d $chain -c "SELECT squash_snapshot('chain')")
like "$fp" '^[0-9a-f]{64}$' "the chain's snapshot taken"
q -d $chain -c "SELECT squash_snapshot_export('chain')" >"$work/chain.json"

diff_rows() {  # diff_rows DB LABEL: squash_diff(LABEL) against the live schema, one line a row
  q -d "$1" -c "SELECT kind || ' | ' || identity || ' | ' || change || ' | ' || detail FROM squash_diff('$2')" 2>&1
}
# A CHECK written `col IN ('a', 'b')` on a varchar column does not re-parse into the same
# tree after a dump; the reader folds constant casts (catalog/normalize_expr.cpp) so the
# restored copy and a rebuild from dump text must still match exactly.
invariant() {  # invariant GOT EXPECTED DESCRIPTION DIFF_ROWS
  is_text "$1" "$2" "$3"
  [ "$1" = "$2" ] || printf '%s\n' "$4" | sed 's/^/#   /'
}

# ---- (a) a server restart -------------------------------------------------------------------
if [ -n "${SQUASH_CLUSTER:-}" ] && [ -d "$SQUASH_CLUSTER/data" ]; then
  started=$(q -d $chain -c "SELECT pg_postmaster_start_time()")
  "$SQUASH_SRC/scripts/pgcluster.sh" restart "$SQUASH_CLUSTER" >"$work/restart.log" 2>&1
  status=$?
  for _ in $(seq 1 50); do q -d $chain -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
  ok $([ $status -eq 0 ] && [ "$(q -d $chain -c "SELECT pg_postmaster_start_time()")" != "$started" ] && echo 0 || echo 1) \
    "(a) the server restarted (pgcluster.sh restart)"
  is "$(q -d $chain -c "SELECT squash_fingerprint()")" "$fp" "(a) the fingerprint after the restart is identical"
  is_text "$(diff_rows $chain chain)" "" "(a) and squash_diff('chain') is empty"
  is "$(q -d $chain -c "SELECT squash_snapshot_export('chain')->>'fingerprint'")" "$fp" \
    "(a) the stored snapshot still exports with its fingerprint"
else
  for n in 1 2 3 4; do tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP no cluster dir (SQUASH_CLUSTER unset)"; done
fi

# ---- (b) pg_dump -Fc | pg_restore, data included ----------------------------------------------
restored=e2e_inv_restored
new_database $restored
# Objects created (and dropped) first: every OID in the restored database differs.
q -d $restored -c "CREATE TABLE zz_filler (a int, b text); DROP TABLE zz_filler; CREATE TYPE zz_t AS ENUM ('x'); DROP TYPE zz_t" >/dev/null
pg_dump -Fc $chain | pg_restore --exit-on-error -d $restored >"$work/restore.log" 2>&1
status=$?
ok $status "(b) pg_dump -Fc | pg_restore into a second database"
[ $status -eq 0 ] || sed 's/^/#   /' "$work/restore.log" | tail -5
is "$(q -d $restored -c "SELECT (SELECT count(*) FROM genes) || ' genes, ' || (SELECT count(*) FROM gene_evidence) || ' evidence rows'")" \
  "$(q -d $chain -c "SELECT (SELECT count(*) FROM genes) || ' genes, ' || (SELECT count(*) FROM gene_evidence) || ' evidence rows'")" \
  "(b) the data came along"
if [ -z "$(q -d $restored -c "SELECT 1 FROM squash.snapshots WHERE label = 'chain'")" ]; then
  snapshot_import $restored "$work/chain.json" chain >/dev/null
fi
rows=$(diff_rows $restored chain)
fp_restored=$(q -d $restored -c "SELECT squash_fingerprint()")
invariant "$fp_restored" "$fp" "(b) the restored database has the identical fingerprint" "$rows"
invariant "$rows" "" "(b) squash_diff('chain') on the restored database is empty" "$rows"

# ---- (c) other creation orders -----------------------------------------------------------------
# Each TOC entry of the schema dump is applied in a new order (pre-data entries before
# post-data ones, as any restore must); an entry that fails for want of another is retried
# after the rest (savepoints), until everything is in.
cat >"$work/reorder.py" <<'PY'
import os, random, re, sys
import psycopg2

db, order, pre_path, post_path = sys.argv[1:5]


def entries(path):
    text = "".join(l for l in open(path, encoding="utf-8") if not l.startswith("\\"))
    parts = re.split(r"(?m)^--\n-- (?=(?:Name|Data for Name): )", text)
    preamble, blocks = parts[0], ["-- " + p for p in parts[1:]]
    return preamble, [b for b in blocks if b.strip()]


preamble, pre = entries(pre_path)
_, post = entries(post_path)
rng = random.Random(20241104)
for section in (pre, post):
    if order == "reverse":
        section.reverse()
    else:
        rng.shuffle(section)
conn = psycopg2.connect(dbname=db, host=os.environ.get("PGHOST"), port=os.environ.get("PGPORT"),
                        user=os.environ.get("PGUSER", "postgres"))
cur = conn.cursor()
cur.execute(preamble)
passes = 0
for section in (pre, post):
    pending = section
    while pending:
        passes += 1
        deferred, errors = [], []
        for block in pending:
            cur.execute("SAVEPOINT entry")
            try:
                cur.execute(block)
                cur.execute("RELEASE SAVEPOINT entry")
            except psycopg2.Error as e:
                cur.execute("ROLLBACK TO SAVEPOINT entry")
                deferred.append(block)
                errors.append(block.splitlines()[0] + ": " + str(e).splitlines()[0])
        if len(deferred) == len(pending):
            sys.exit("no progress; still failing:\n" + "\n".join(errors))
        pending = deferred
conn.commit()
print("%d + %d entries applied in %d passes" % (len(pre), len(post), passes))
PY
for order in shuffled reverse; do
  db=e2e_inv_$order
  new_database $db
  [ $order = reverse ] && q -d $db -c "CREATE TABLE zz_filler (a int); DROP TABLE zz_filler" >/dev/null
  out=$(/usr/bin/python3 "$work/reorder.py" $db $order "$work/pre.sql" "$work/post.sql" 2>&1)
  status=$?
  ok $status "(c) the schema dump applied in $order order: ${out##*$'\n'}"
  [ $status -eq 0 ] || printf '#   %s\n' "${out:0:2000}"
  q -d $db -c "CREATE EXTENSION IF NOT EXISTS pg_squash" >/dev/null 2>&1
  snapshot_import $db "$work/chain.json" chain >/dev/null
  rows=$(diff_rows $db chain)
  fp_order=$(q -d $db -c "SELECT squash_fingerprint()" 2>&1)
  # The same dump text in pg_restore's order: only the order differs.
  is "$fp_order" "$fp_restored" "(c) built in $order order: the same fingerprint as the pg_restore'd copy"
  invariant "$fp_order" "$fp" "(c) built in $order order: identical fingerprint to the chain's" "$rows"
  invariant "$rows" "" "(c) and squash_diff('chain') is empty" "$rows"
done

# ---- (d) a non-superuser squash_admin member, logged in with psql -U ---------------------------
# A schema the member has no rights on, with what a privilege check could hide: RLS and a
# policy, a SECURITY DEFINER function, column grants, a revoked sequence, a view.
q -d $chain >/dev/null 2>&1 <<'SQL'
CREATE SCHEMA vault;
REVOKE ALL ON SCHEMA vault FROM PUBLIC;
CREATE TABLE vault.secret (id int PRIMARY KEY, owner_name text NOT NULL DEFAULT current_user,
  payload text CHECK (payload <> ''), n serial);
ALTER TABLE vault.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON vault.secret USING (owner_name = current_user);
REVOKE ALL ON vault.secret FROM PUBLIC;
GRANT SELECT (id) ON vault.secret TO PUBLIC;
REVOKE ALL ON SEQUENCE vault.secret_n_seq FROM PUBLIC;
CREATE VIEW vault.mine AS SELECT id, payload FROM vault.secret WHERE owner_name = current_user;
CREATE FUNCTION vault.reveal(int) RETURNS text LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog AS 'SELECT payload FROM vault.secret WHERE id = $1';
REVOKE ALL ON FUNCTION vault.reveal(int) FROM PUBLIC;
CREATE TRIGGER secret_touch BEFORE UPDATE ON vault.secret FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
COMMENT ON TABLE vault.secret IS 'not for everyone';
SQL
fp_super=$(q -d $chain -c "SELECT squash_fingerprint()")
isnt_fp=$([ "$fp_super" != "$fp" ] && echo 0 || echo 1)
ok $isnt_fp "(d) a private schema added (the fingerprint moved)"
psql -X -q -d postgres -c "CREATE ROLE e2e_inv_admin LOGIN IN ROLE squash_admin" \
  -c "CREATE ROLE e2e_inv_outsider LOGIN" >/dev/null 2>&1
member() { psql -X -At -U e2e_inv_admin -d $chain -c "$1" 2>&1; }
is "$(member "SELECT current_user || ' ' || (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")" \
  "e2e_inv_admin false" "(d) connected with psql -U as a non-superuser"
got=$(member "SELECT squash_fingerprint()")
if [[ $got =~ ^[0-9a-f]{64}$ ]]; then
  is "$got" "$fp_super" "(d) the squash_admin member gets the superuser's fingerprint"
else
  like "$got" "ERROR: +pg_squash: " "(d) the squash_admin member gets a clear pg_squash error, not a fingerprint"
fi
got=$(member "SELECT squash_snapshot('by_member')")
if [[ $got =~ ^[0-9a-f]{64}$ ]]; then
  is "$got" "$fp_super" "(d) its squash_snapshot() stores the same fingerprint"
  q -d $chain -c "SELECT squash_snapshot('by_super')" >/dev/null
  is_text "$(diff_rows $chain by_member)" "" \
    "(d) squash_diff between the member's snapshot and the live schema (as superuser) is empty"
  is "$(member "SELECT count(*) FROM squash_diff('by_super')")" "0" \
    "(d) and the member sees no difference against the superuser's snapshot"
else
  like "$got" "ERROR: +pg_squash: " "(d) the member's squash_snapshot() fails with a clear pg_squash error"
fi
# Outside squash_admin: refused, or the same -- never a different fingerprint.
got=$(psql -X -At -U e2e_inv_outsider -d $chain -c "SELECT squash_fingerprint()" 2>&1)
if [[ $got =~ ^[0-9a-f]{64}$ ]]; then
  is "$got" "$fp_super" "(d) a role outside squash_admin gets the same fingerprint"
else
  like "$got" "ERROR: +(pg_squash: |permission denied)" "(d) a role outside squash_admin is refused: ${got%%$'\n'*}"
fi
# A catalog the member cannot read: an error naming it, never a smaller snapshot.
q -d $chain -c "REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC" >/dev/null
got=$(member "SELECT squash_fingerprint()")
q -d $chain -c "GRANT SELECT ON pg_catalog.pg_policy TO PUBLIC" >/dev/null
like "$got" "ERROR: +pg_squash: role e2e_inv_admin cannot read every catalog" \
  "(d) with pg_policy unreadable the member gets an error, not a smaller fingerprint"

done_testing
