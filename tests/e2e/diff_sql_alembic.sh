#!/usr/bin/env bash
# squash_diff_sql() on a realistic drift: the hand-written squash with twenty-five drifts
# (tests/fixtures/alembic_app/squashed_dozen_drift: changed defaults, nullability, a type,
# lost ON DELETE actions, a unique constraint turned into a unique index, renamed indexes, a
# changed view, a reordered enum, a column order, grants, RLS, ...) against the chain that
# built production. With the sample data loaded, the script moves the drifted database to
# the chain's fingerprint and keeps every row; as an Alembic revision on top of the drifted
# squash, real Alembic upgrades to the chain's fingerprint and downgrades back; and the
# reverse script moves the chain's database to the drifted squash's fingerprint.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_diff_sql.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; rm -rf "$work"' EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app

make_alembic_project "$work/chain" "$app/versions"
make_alembic_project "$work/dozen" "$app/squashed_dozen_drift"
new_database e2e_ds_chain; new_database e2e_ds_dozen
alembic_in "$work/chain" e2e_ds_chain upgrade head >"$work/chain.log" 2>&1
ok $? "the chain builds"
alembic_in "$work/dozen" e2e_ds_dozen upgrade head >"$work/dozen.log" 2>&1
ok $? "the drifted squash builds"
q -d e2e_ds_dozen -f "$app/sample_data.sql" >/dev/null
ok $? "the sample data loads into the drifted squash"
for d in e2e_ds_chain e2e_ds_dozen; do q -d $d -c "CREATE EXTENSION pg_squash" >/dev/null; done
fp_chain=$(q -d e2e_ds_chain -c "SELECT squash_snapshot('chain')")
fp_dozen=$(q -d e2e_ds_dozen -c "SELECT squash_snapshot('dozen')")
snapshot_export e2e_ds_chain chain "$work/chain.json"
snapshot_export e2e_ds_dozen dozen "$work/dozen.json"
snapshot_import e2e_ds_dozen "$work/chain.json" chain >/dev/null
snapshot_import e2e_ds_chain "$work/dozen.json" dozen >/dev/null
# Two more copies of the drifted database: one for the script, one for Alembic.
for d in e2e_ds_sql e2e_ds_alembic; do
  dropdb --if-exists $d >/dev/null 2>&1
  createdb -T e2e_ds_dozen $d && test_databases+=($d)
done

rows() {  # every table's rows, as one digest (columns in a fixed order)
  q -d "$1" -c "SELECT string_agg(t || ':' || n, ' ' ORDER BY t) FROM (
    SELECT 'genes' t, count(*) || ':' || md5(string_agg(concat_ws('|', id, hgnc_id, approved_symbol,
      chromosome, location, locus_type), ',' ORDER BY id)) n FROM genes
    UNION ALL SELECT 'users', count(*) || ':' || md5(string_agg(concat_ws('|', id, email, full_name, role), ',' ORDER BY id)) FROM users
    UNION ALL SELECT 'gene_curations', count(*) || ':' || md5(string_agg(concat_ws('|', id, gene_id, status), ',' ORDER BY id)) FROM gene_curations
    UNION ALL SELECT 'gene_evidence', count(*)::text FROM gene_evidence) x"
}
rows_before=$(rows e2e_ds_sql)

# ---- the SQL script -----------------------------------------------------------------------
out=$(q -d e2e_ds_sql -c "SELECT squash_diff_sql('chain')" 2>&1)
like "$out" "refusing to write a script that loses data: 1 destructive statement\\(s\\): table public.genes rebuilt \\(column order\\)" \
  "without allow_destructive the column-order rebuild of public.genes is refused, and named"
q -d e2e_ds_sql -c "SELECT squash_diff_sql('chain', allow_destructive => true)" >"$work/repair.sql"
ok $? "the script is written with allow_destructive ($(grep -cv '^\(--.*\)\?$' "$work/repair.sql") lines of SQL)"
like "$(cat "$work/repair.sql")" $'-- DESTRUCTIVE: table public.genes rebuilt \\(column order\\)[^\n]*\nALTER TABLE public.genes RENAME TO pg_squash_old_[0-9a-f]{16};' \
  "the rebuild is marked in the script"
like "$(cat "$work/repair.sql")" "ALTER TABLE public.users ALTER COLUMN full_name TYPE character varying\\(255\\) USING full_name::character varying\\(255\\);" \
  "a type widened in place with USING"
like "$(cat "$work/repair.sql")" "ADD CONSTRAINT gene_staging_pipeline_run_id_fkey FOREIGN KEY \\(pipeline_run_id\\) REFERENCES public.pipeline_runs\\(id\\) ON DELETE CASCADE NOT VALID;" \
  "a lost ON DELETE action comes back NOT VALID"
like "$(cat "$work/repair.sql")" "ALTER TABLE public.gene_staging VALIDATE CONSTRAINT gene_staging_pipeline_run_id_fkey;" \
  "and is validated afterwards"
like "$(cat "$work/repair.sql")" "ALTER INDEX public.idx_gene_evidence_gene_id RENAME TO ix_gene_evidence_gene_id;" \
  "a renamed index renamed back"
like "$(cat "$work/repair.sql")" "DROP INDEX public.uq_users_email;.*ALTER TABLE public.users ADD CONSTRAINT uq_users_email UNIQUE \\(email\\);" \
  "a unique index turned back into a unique constraint"
psql -X -q -v ON_ERROR_STOP=1 -d e2e_ds_sql -f "$work/repair.sql" >"$work/repair.log" 2>&1
ok $? "psql runs it (ON_ERROR_STOP)" || sed 's/^/#   /' "$work/repair.log" | head -10
is "$(q -d e2e_ds_sql -c "SELECT squash_fingerprint()")" "$fp_chain" "the drifted database now has the chain's fingerprint"
is "$(q -d e2e_ds_sql -c "SELECT count(*) FROM squash_diff('chain')")" "0" "squash_diff('chain') is empty"
is "$(rows e2e_ds_sql)" "$rows_before" "every row is still there (public.genes rebuilt with its rows)"
is "$(q -d e2e_ds_sql -c "SELECT squash_diff_sql('chain')" | grep -cv '^\(--.*\|\|BEGIN;\|COMMIT;\|SET LOCAL .*\)$')" "0" \
  "a second script has nothing to do"
q -d e2e_ds_sql -c "INSERT INTO genes (hgnc_id, approved_symbol) VALUES ('HGNC:999999', 'NEWGENE')" >/dev/null
ok $? "the rebuilt table's sequence continues after the copied rows"

# ---- the Alembic revision, with real Alembic ------------------------------------------------
head=$(sed -nE "s/^revision = '([^']+)'.*/\\1/p" "$app"/squashed_dozen_drift/*.py)
q -d e2e_ds_alembic -c "SELECT squash_diff_sql('chain', allow_destructive => true, format => 'alembic',
  down_revision => '$head', revision => 'repair_to_chain')" >"$work/dozen/versions/repair_to_chain.py"
ok $? "the Alembic revision is written on top of $head"
alembic_in "$work/dozen" e2e_ds_alembic upgrade head >"$work/up.log" 2>&1
ok $? "alembic upgrade head" || tail -15 "$work/up.log" | sed 's/^/#   /'
is "$(q -d e2e_ds_alembic -c "SELECT squash_fingerprint()")" "$fp_chain" "upgraded: the chain's fingerprint"
is "$(q -d e2e_ds_alembic -c "SELECT version_num FROM alembic_version")" "repair_to_chain" "alembic_version is the repair"
is "$(rows e2e_ds_alembic)" "$rows_before" "every row is still there"
alembic_in "$work/dozen" e2e_ds_alembic downgrade -1 >"$work/down.log" 2>&1
ok $? "alembic downgrade -1" || tail -15 "$work/down.log" | sed 's/^/#   /'
is "$(q -d e2e_ds_alembic -c "SELECT squash_fingerprint()")" "$fp_dozen" "downgraded: the drifted squash's fingerprint again"
is "$(q -d e2e_ds_alembic -c "SELECT version_num FROM alembic_version")" "$head" "alembic_version is $head again"
is "$(rows e2e_ds_alembic)" "$rows_before" "and every row is still there"
alembic_in "$work/dozen" e2e_ds_alembic upgrade head >"$work/up2.log" 2>&1
is "$(q -d e2e_ds_alembic -c "SELECT squash_fingerprint()")" "$fp_chain" "upgraded again: the chain's fingerprint"

# ---- between two labels: no catalog at hand for either side ----------------------------------
q -d e2e_ds_dozen -c "SELECT squash_diff_sql('chain', 'dozen', allow_destructive => true)" >"$work/labels.sql"
ok $? "the script between two stored snapshots is written"
psql -X -q -v ON_ERROR_STOP=1 -d e2e_ds_dozen -f "$work/labels.sql" >"$work/labels.log" 2>&1
ok $? "psql runs it on the drifted database" || sed 's/^/#   /' "$work/labels.log" | head -10
is "$(q -d e2e_ds_dozen -c "SELECT squash_fingerprint()")" "$fp_chain" "which then has the chain's fingerprint"

# ---- the other way: the chain's database to the drifted squash --------------------------------
q -d e2e_ds_chain -c "SELECT squash_diff_sql('dozen', allow_destructive => true)" >"$work/reverse.sql"
ok $? "the reverse script is written"
psql -X -q -v ON_ERROR_STOP=1 -d e2e_ds_chain -f "$work/reverse.sql" >"$work/reverse.log" 2>&1
ok $? "psql runs it" || sed 's/^/#   /' "$work/reverse.log" | head -10
is "$(q -d e2e_ds_chain -c "SELECT squash_fingerprint()")" "$fp_dozen" "the chain's database now has the drifted squash's fingerprint"

# ---- enum labels the revision adds and then uses: added outside its transaction ----------------
mkdir -p "$work/enum_versions"
cat >"$work/enum_versions/e1_base.py" <<'PY'
"""base: an enum with one label"""
from alembic import op

revision = 'e1_base'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE stage AS ENUM ('new')")
    op.execute("CREATE TABLE ticket (id integer PRIMARY KEY, stage stage DEFAULT 'new')")


def downgrade():
    op.execute("DROP TABLE ticket")
    op.execute("DROP TYPE stage")
PY
make_alembic_project "$work/enum" "$work/enum_versions"
new_database e2e_ds_enum
alembic_in "$work/enum" e2e_ds_enum upgrade head >"$work/enum_up0.log" 2>&1
ok $? "the enum project builds"
q -d e2e_ds_enum -c "CREATE EXTENSION pg_squash" >/dev/null
fp_enum_before=$(q -d e2e_ds_enum -c "SELECT squash_fingerprint()")
dropdb --if-exists e2e_ds_enum_want >/dev/null 2>&1
createdb -T e2e_ds_enum e2e_ds_enum_want && test_databases+=(e2e_ds_enum_want)
q -d e2e_ds_enum_want >/dev/null <<'SQL'
ALTER TYPE stage ADD VALUE 'open';
ALTER TYPE stage ADD VALUE 'done';
SQL
q -d e2e_ds_enum_want >/dev/null <<'SQL'
ALTER TABLE ticket ALTER COLUMN stage SET DEFAULT 'open';
CREATE INDEX ticket_done ON ticket (id) WHERE stage = 'done';
SQL
fp_enum_want=$(q -d e2e_ds_enum_want -c "SELECT squash_snapshot('want')")
snapshot_export e2e_ds_enum_want want "$work/want.json"
snapshot_import e2e_ds_enum "$work/want.json" want >/dev/null
q -d e2e_ds_enum -c "SELECT squash_diff_sql('want', allow_destructive => true, format => 'alembic',
  down_revision => 'e1_base', revision => 'e2_labels')" >"$work/enum/versions/e2_labels.py"
like "$(cat "$work/enum/versions/e2_labels.py")" "autocommit_block\\(\\):
        _run\\(.ALTER TYPE public.stage ADD VALUE IF NOT EXISTS ..open.. AFTER ..new" \
  "the revision adds the labels in an autocommit block"
alembic_in "$work/enum" e2e_ds_enum upgrade head >"$work/enum_up.log" 2>&1
ok $? "alembic upgrade head: the new labels are used after they are committed" ||
  tail -15 "$work/enum_up.log" | sed 's/^/#   /'
is "$(q -d e2e_ds_enum -c "SELECT squash_fingerprint()")" "$fp_enum_want" "upgraded: the wanted fingerprint"
alembic_in "$work/enum" e2e_ds_enum downgrade -1 >"$work/enum_down.log" 2>&1
ok $? "alembic downgrade -1" || tail -15 "$work/enum_down.log" | sed 's/^/#   /'
is "$(q -d e2e_ds_enum -c "SELECT squash_fingerprint()")" "$fp_enum_before" "downgraded: the first fingerprint again"

done_testing
