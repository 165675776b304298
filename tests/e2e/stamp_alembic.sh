#!/usr/bin/env bash
# The guarded stamp with real Alembic: database A is built by the revision chain, B by the
# squashed revision that squash_generate_migration() writes from A; B's snapshot moves to
# A, A is stamped in place, and Alembic agrees.
# A squashed revision with one drift is refused and leaves alembic_version untouched.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_stamp.XXXXXX)
trap 'drop_test_databases; rm -rf "$work"' EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app

make_alembic_project "$work/chain" "$app/versions"
make_alembic_project "$work/drifted" "$app/squashed_one_drift"

new_database e2e_stamp_a; new_database e2e_stamp_b; new_database e2e_stamp_c
alembic_in "$work/chain" e2e_stamp_a upgrade head >"$work/a.log" 2>&1
ok $? "database A built by the revision chain (alembic upgrade head)"
head_rev=$(q -d e2e_stamp_a -c "SELECT version_num FROM alembic_version")
q -d e2e_stamp_a -f "$app/sample_data.sql" >/dev/null
ok $? "sample data loaded into A"
q -d e2e_stamp_a -c "CREATE EXTENSION pg_squash" >/dev/null
mkdir -p "$work/generated"
q -d e2e_stamp_a -c "SELECT squash_generate_migration('000_squashed_complete', 'alembic')" \
  >"$work/generated/000_squashed_complete.py"
ok $? "squash_generate_migration() wrote the squashed revision from A"
make_alembic_project "$work/squashed" "$work/generated"
alembic_in "$work/squashed" e2e_stamp_b upgrade head >"$work/b.log" 2>&1
ok $? "database B built by the generated squashed revision"
alembic_in "$work/drifted" e2e_stamp_c upgrade head >"$work/c.log" 2>&1
ok $? "database C built by a squashed revision with one drift"

for db in e2e_stamp_b e2e_stamp_c; do q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null; done
q -d e2e_stamp_b -c "SELECT squash_snapshot('squashed')" >/dev/null
q -d e2e_stamp_b -c "SELECT squash_snapshot_export('squashed')" >"$work/squashed.json"
ok $? "snapshot of B exported ($(wc -c <"$work/squashed.json") bytes)"
q -d e2e_stamp_c -c "SELECT squash_snapshot('drifted')" >/dev/null
q -d e2e_stamp_c -c "SELECT squash_snapshot_export('drifted')" >"$work/drifted.json"

fp_b=$(q -d e2e_stamp_b -c "SELECT fingerprint FROM squash.snapshots WHERE label = 'squashed'")
fp_imported=$(snapshot_import e2e_stamp_a "$work/squashed.json" squashed)
is "$fp_imported" "$fp_b" "the snapshot imported into A keeps its fingerprint"
snapshot_import e2e_stamp_a "$work/drifted.json" drifted >/dev/null

# The drifted expectation is refused, names the column, changes nothing.
err=$(q -d e2e_stamp_a -c "\\set VERBOSITY verbose" \
        -c "SELECT squash_stamp('000_squashed_complete', expect => 'drifted')" 2>&1)
ok $((! $?)) "stamping against the drifted squash is refused"
like "$err" "gene_curations\.status" "the refusal's DETAIL names the column that lost its default"
like "$err" "default" "and says it is the default"
is "$(q -d e2e_stamp_a -c "SELECT string_agg(version_num, ',') FROM alembic_version")" "$head_rev" \
  "alembic_version is untouched after the refusal"

# The matching squash is accepted.
prev=$(q -d e2e_stamp_a -c "SELECT squash_stamp('000_squashed_complete', expect => 'squashed')" 2>&1)
is "$prev" "$head_rev" "the guarded stamp succeeds and returns the previous head"
cur=$(alembic_in "$work/squashed" e2e_stamp_a current 2>/dev/null)
like "$cur" "^000_squashed_complete \(head\)" "alembic current on A shows the squashed revision as head"

# A new revision on top of the squashed one applies with alembic upgrade head.
cat >"$work/squashed/versions/a1a1a1a1a1a1_add_gene_note.py" <<'PY'
"""add gene note

Revision ID: a1a1a1a1a1a1
Revises: 000_squashed_complete
"""
from alembic import op
import sqlalchemy as sa

revision = "a1a1a1a1a1a1"
down_revision = "000_squashed_complete"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("genes", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("genes", "note")
PY
alembic_in "$work/squashed" e2e_stamp_a upgrade head >"$work/up.log" 2>&1
ok $? "alembic upgrade head applies a later revision on top of the stamp"
like "$(alembic_in "$work/squashed" e2e_stamp_a current 2>/dev/null)" "^a1a1a1a1a1a1 \(head\)" \
  "alembic current shows the new head"
is "$(q -d e2e_stamp_a -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'genes' AND column_name = 'note'")" \
  "1" "the later revision's column exists"
is "$(q -d e2e_stamp_a -c "SELECT count(*) >= 571 FROM genes")" "t" "no gene was lost"

done_testing
