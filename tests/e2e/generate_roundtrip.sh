#!/usr/bin/env bash
# squash_generate_migration() round trips. For each source schema — the sample app at head
# (built by its 13-revision Alembic chain; grants to its roles and RLS policies included),
# a special schema of hard cases (tests/fixtures/generate/special_schema.sql), one of
# aggregates, operators, casts and collations (tests/fixtures/generate/catalog_kinds.sql),
# one of the other catalog-level kinds (tests/fixtures/generate/catalog_kinds_b.sql) and
# inheritance trees built over time (tests/fixtures/generate/inheritance_history.sql) — the
# generated 'sql' script applied to an empty database gives the source's fingerprint; and
# with real Alembic the generated revision file upgrades an empty database to the same
# fingerprint, downgrades it to nothing but alembic_version, and upgrades it again.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_generate.XXXXXX)
chmod 755 "$work"
trap 'drop_test_databases; psql -X -q -d postgres -c "DROP ROLE IF EXISTS gen_kinds_b_owner, gen_kinds_b_role" >/dev/null 2>&1; rm -rf "$work"' EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app

# Equal fingerprints, or the diff rows (source snapshot exported, imported into the target).
same_schema() {  # same_schema SOURCE_DB TARGET_DB DESCRIPTION
  local fp_src fp_dst label="gen_src_$RANDOM"
  fp_src=$(q -d "$1" -c "SELECT squash_fingerprint()")
  fp_dst=$(q -d "$2" -c "SELECT squash_fingerprint()")
  is "$fp_dst" "$fp_src" "$3"
  if [ "$fp_dst" != "$fp_src" ]; then
    q -d "$1" -c "SELECT squash_snapshot('$label')" >/dev/null
    q -d "$1" -c "SELECT squash_snapshot_export('$label')" >"$work/$label.json"
    q -d "$1" -c "SELECT squash_snapshot_drop('$label')" >/dev/null
    snapshot_import "$2" "$work/$label.json" "$label" >/dev/null
    q -d "$2" -c "SELECT kind || ' ' || identity || ' ' || change || ': ' || detail
                  FROM squash_diff('$label')" | sed 's/^/#   /'
    q -d "$2" -c "SELECT squash_snapshot_drop('$label')" >/dev/null
  fi
}

# What a downgrade left behind: relations, types, routines, operators, casts, collations,
# schemas and event triggers that are neither the version table nor an extension's.
leftovers() {  # leftovers DB
  q -d "$1" <<'SQL'
SELECT coalesce(string_agg(x, ', ' ORDER BY x), '') FROM (
  SELECT c.oid::regclass::text AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND n.nspname !~ '^pg_(toast|temp)' AND c.relname NOT IN ('alembic_version', 'alembic_version_pkc')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT t.oid::regtype::text
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND n.nspname !~ '^pg_(toast|temp)' AND t.typname NOT IN ('alembic_version', '_alembic_version')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
    AND NOT EXISTS (SELECT FROM pg_depend d JOIN pg_depend e ON e.classid = 'pg_class'::regclass
                    AND e.objid = d.refobjid AND e.deptype = 'e'
                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'i')
  UNION ALL
  SELECT p.oid::regprocedure::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'operator ' || o.oid::regoperator::text
  FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_operator'::regclass
                    AND d.objid = o.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'cast ' || c.castsource::regtype || ' AS ' || c.casttarget::regtype
  FROM pg_cast c WHERE c.oid >= 16384
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass
                    AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
  UNION ALL
  SELECT 'collation ' || c.oid::regcollation::text
  FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'squash')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'access method ' || amname FROM pg_am WHERE oid >= 16384
  UNION ALL
  SELECT 'language ' || lanname FROM pg_language l WHERE oid >= 16384
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_language'::regclass
                    AND d.objid = l.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'transform ' || t.trftype::regtype FROM pg_transform t
  UNION ALL
  SELECT 'schema ' || nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'squash', 'public')
    AND nspname !~ '^pg_(toast|temp)'
  UNION ALL
  SELECT 'event trigger ' || evtname FROM pg_event_trigger
) s
SQL
}

roundtrip() {  # roundtrip NAME SOURCE_DB [INCLUDE_DATA_ARRAY]
  local name=$1 src=$2 data=${3:-NULL}
  # (1) The SQL script.
  q -d "$src" -c "SELECT squash_generate_migration(format => 'sql')" >"$work/$name.sql"
  ok $? "$name: sql script generated ($(wc -l <"$work/$name.sql") lines)"
  new_database "gen_${name}_sql"
  q -d "gen_${name}_sql" -c "CREATE EXTENSION pg_squash" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -d "gen_${name}_sql" -f "$work/$name.sql" >"$work/$name.sql.log" 2>&1
  ok $? "$name: the script applies to an empty database (psql ON_ERROR_STOP)" ||
    sed 's/^/#   /' "$work/$name.sql.log"
  same_schema "$src" "gen_${name}_sql" "$name: the script builds the source's fingerprint"

  # (2) The Alembic revision, with real Alembic.
  mkdir -p "$work/$name.versions"
  q -d "$src" -c "SELECT squash_generate_migration(include_data => $data)" \
    >"$work/$name.versions/000_squashed_complete.py"
  ok $? "$name: alembic revision generated"
  make_alembic_project "$work/$name.alembic" "$work/$name.versions"
  local db="gen_${name}_alembic"
  new_database "$db"
  q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null
  alembic_in "$work/$name.alembic" "$db" upgrade head >"$work/$name.up.log" 2>&1
  ok $? "$name: alembic upgrade head on an empty database" || tail -20 "$work/$name.up.log" | sed 's/^/#   /'
  same_schema "$src" "$db" "$name: alembic upgrade head builds the source's fingerprint"
  is "$(q -d "$db" -c "SELECT string_agg(version_num, ',') FROM alembic_version")" \
    "000_squashed_complete" "$name: alembic_version holds the squashed revision"
  alembic_in "$work/$name.alembic" "$db" downgrade base >"$work/$name.down.log" 2>&1
  ok $? "$name: alembic downgrade base" || tail -20 "$work/$name.down.log" | sed 's/^/#   /'
  is "$(leftovers "$db")" "" "$name: nothing but alembic_version is left after the downgrade"
  alembic_in "$work/$name.alembic" "$db" upgrade head >"$work/$name.up2.log" 2>&1
  ok $? "$name: alembic upgrade head again" || tail -20 "$work/$name.up2.log" | sed 's/^/#   /'
  same_schema "$src" "$db" "$name: the second upgrade builds the source's fingerprint"
}

# (1) The sample app at head, with its seeded reference rows.
make_alembic_project "$work/chain" "$app/versions"
new_database gen_app
alembic_in "$work/chain" gen_app upgrade head >"$work/chain.log" 2>&1
ok $? "sample app built by its revision chain (alembic upgrade head)"
q -d gen_app -c "CREATE EXTENSION pg_squash" >/dev/null
roundtrip app gen_app "'{public.annotation_sources}'"
is "$(q -d gen_app_alembic -c "SELECT count(*) FROM annotation_sources")" "10" \
  "app: the seeded reference rows came with the revision (include_data)"
is "$(q -d gen_app_alembic -c "SELECT string_agg(source_name, ',' ORDER BY id) FROM annotation_sources")" \
  "$(q -d gen_app -c "SELECT string_agg(source_name, ',' ORDER BY id) FROM annotation_sources")" \
  "app: in primary-key order, ids kept"

# (2) The special schema.
new_database gen_special
psql -X -q -v ON_ERROR_STOP=1 -d gen_special -f "$SQUASH_SRC/tests/fixtures/generate/special_schema.sql" \
  >"$work/special.log" 2>&1
ok $? "special schema created" || sed 's/^/#   /' "$work/special.log"
q -d gen_special -c "CREATE EXTENSION pg_squash" >/dev/null
roundtrip special gen_special
# The function body with %, :name, quotes and backslashes survived both paths unchanged.
body() { q -d "$1" -c "SELECT md5(prosrc) FROM pg_proc WHERE proname = 'weird_body'"; }
is "$(body gen_special_sql)" "$(body gen_special)" "special: % :name quotes backslashes intact (sql)"
is "$(body gen_special_alembic)" "$(body gen_special)" "special: % :name quotes backslashes intact (alembic)"
is "$(q -d gen_special_alembic -c "SELECT app.weird_body('v')")" "$(q -d gen_special -c "SELECT app.weird_body('v')")" \
  "special: and the function returns the same"

# (3) Aggregates (pagila's group_concat among them), operators with a shell one, casts and
# collations.
new_database gen_kinds
psql -X -q -v ON_ERROR_STOP=1 -d gen_kinds -f "$SQUASH_SRC/tests/fixtures/generate/catalog_kinds.sql" \
  >"$work/kinds.log" 2>&1
ok $? "catalog kinds schema created" || sed 's/^/#   /' "$work/kinds.log"
q -d gen_kinds -c "CREATE EXTENSION pg_squash" >/dev/null
is "$(q -d gen_kinds -c "SELECT squash_snapshot('kinds')" -c "SELECT count(*) FROM
      jsonb_array_elements(squash_snapshot_export('kinds')->'objects') o
      WHERE o->>'kind' = 'unmodelled'" | tail -1)" "0" "kinds: nothing unmodelled"
roundtrip kinds gen_kinds
is "$(q -d gen_kinds_alembic -c "SELECT public.group_concat(x ORDER BY x) FROM unnest('{b,a}'::text[]) x")" \
  "a, b" "kinds: pagila's group_concat works in the rebuilt database"
is "$(q -d gen_kinds_sql -c "SELECT oprname FROM pg_operator WHERE oprcode = 0 AND oprnamespace = 'k'::regnamespace ORDER BY 1" | tr '\n' ' ')" \
  ">>> @!@ " "kinds: both shell operators exist in the rebuilt database"

# (4) Access methods, languages, transforms, conversions, operator families and classes,
# text search objects, base and shell types, a range type with a canonical function, each
# used by something; then the same with owners and grants.
new_database gen_kinds_b
psql -X -q -v ON_ERROR_STOP=1 -d gen_kinds_b -f "$SQUASH_SRC/tests/fixtures/generate/catalog_kinds_b.sql" \
  >"$work/kinds_b.log" 2>&1
ok $? "catalog kinds (part B) schema created" || sed 's/^/#   /' "$work/kinds_b.log"
q -d gen_kinds_b -c "CREATE EXTENSION pg_squash" >/dev/null
is "$(q -d gen_kinds_b -c "SELECT squash_snapshot('kinds_b')" -c "SELECT count(*) FROM
      jsonb_array_elements(squash_snapshot_export('kinds_b')->'objects') o
      WHERE o->>'kind' = 'unmodelled'" | tail -1)" "0" "kinds_b: nothing unmodelled"
roundtrip kinds_b gen_kinds_b
is "$(q -d gen_kinds_b_alembic -c "SELECT kb.add_one(41)")" "42" \
  "kinds_b: a function in the rebuilt language runs"
is "$(q -d gen_kinds_b_alembic -c "SELECT kb.myrange(1, 3, '[]')::text")" "[1,4)" \
  "kinds_b: the rebuilt range type's canonical function runs"
tsv="SELECT to_tsvector('kb.cfg', 'The quick foxes jumped 42 times')::text"
is "$(q -d gen_kinds_b_sql -c "$tsv")" "$(q -d gen_kinds_b -c "$tsv")" \
  "kinds_b: the rebuilt text search configuration parses the same"
q -d gen_kinds_b >/dev/null <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gen_kinds_b_owner') THEN
    CREATE ROLE gen_kinds_b_owner NOLOGIN;
  END IF;
END$$;
ALTER LANGUAGE kb_pl OWNER TO gen_kinds_b_owner;
REVOKE USAGE ON LANGUAGE kb_pl FROM PUBLIC;
ALTER CONVERSION kb.l1_u8 OWNER TO gen_kinds_b_owner;
ALTER OPERATOR FAMILY kb.fam USING btree OWNER TO gen_kinds_b_owner;
ALTER OPERATOR CLASS kb.int_ops USING btree OWNER TO gen_kinds_b_owner;
ALTER TEXT SEARCH DICTIONARY kb.stop OWNER TO gen_kinds_b_owner;
ALTER TEXT SEARCH CONFIGURATION kb.cfg OWNER TO gen_kinds_b_owner;
ALTER TYPE kb.mytext OWNER TO gen_kinds_b_owner;
ALTER TYPE kb.lonely OWNER TO gen_kinds_b_owner;
SQL
q -d gen_kinds_b -c "SELECT squash_generate_migration(format => 'sql', with_owners => true)" \
  >"$work/kinds_b_owners.sql"
new_database gen_kinds_b_owners
q -d gen_kinds_b_owners -c "CREATE EXTENSION pg_squash" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d gen_kinds_b_owners -f "$work/kinds_b_owners.sql" \
  >"$work/kinds_b_owners.log" 2>&1
ok $? "kinds_b: the with_owners script applies" || sed 's/^/#   /' "$work/kinds_b_owners.log"
same_schema gen_kinds_b gen_kinds_b_owners "kinds_b: with_owners rebuilds owners and grants too"

# (5) Inheritance trees whose column orders only their history explains (columns added to
# parents after their children): the script replays that history.
new_database gen_inh
psql -X -q -v ON_ERROR_STOP=1 -d gen_inh -f "$SQUASH_SRC/tests/fixtures/generate/inheritance_history.sql" \
  >"$work/inh.log" 2>&1
ok $? "inheritance history schema created" || sed 's/^/#   /' "$work/inh.log"
q -d gen_inh -c "CREATE EXTENSION pg_squash" >/dev/null
roundtrip inh gen_inh
cols="SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
      WHERE attrelid = 'ih.d'::regclass AND attnum > 0 AND NOT attisdropped"
is "$(q -d gen_inh_alembic -c "$cols")" "$(q -d gen_inh -c "$cols")" \
  "inh: a child of two parents keeps its column order (alembic)"

done_testing
