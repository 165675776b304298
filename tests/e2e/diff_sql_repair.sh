#!/usr/bin/env bash
# squash_diff_sql(): for each kind of difference, a database that differs from snapshot
# 'base' (tests/fixtures/repair/base.sql) by exactly that runs the script with psql, and its
# fingerprint is then the snapshot's again. Destructive repairs are refused, each listed,
# without allow_destructive and run with it. squash_diff_json names each attribute.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/repair_harness.bash"
source "$(dirname "$0")/lib/repair_coverage.bash"
work=$(mktemp -d /tmp/e2e_repair.XXXXXX)
chmod 755 "$work"
drop_roles() {  # once the test database is gone, nothing of them is left
  for r in repair_reader repair_owner repair_other; do q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_test_databases; drop_roles; rm -rf "$work"' EXIT
db=e2e_repair
base=$SQUASH_SRC/tests/fixtures/repair/base.sql

for r in repair_reader repair_owner repair_other; do
  q -d postgres -c "DO \$\$BEGIN CREATE ROLE $r NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" >/dev/null
done
new_database $db
q -d $db -c "CREATE EXTENSION pg_squash" >/dev/null
# The database's own objects the fixture names (outside schema rp, so not in the snapshot).
q -d $db -c "CREATE ACCESS METHOD rp_heap TYPE TABLE HANDLER heap_tableam_handler;
  CREATE FOREIGN DATA WRAPPER rp_fdw; CREATE SERVER rp_srv FOREIGN DATA WRAPPER rp_fdw" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$base" >"$work/base.log" 2>&1
ok $? "the base schema builds" || sed 's/^/#   /' "$work/base.log"
scope="'{rp}'"
fp_base=$(q -d $db -c "SELECT squash_snapshot('base', $scope)")
reset_base() {  # back to the base schema after a failed case
  q -d $db -c "DROP SCHEMA rp CASCADE" >/dev/null 2>&1
  psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$base" >/dev/null 2>&1
}

# ---- tables ---------------------------------------------------------------------------
repair_case table_comment "COMMENT ON TABLE rp.parent IS 'changed'"
repair_case table_comment_removed "COMMENT ON TABLE rp.parent IS NULL"
repair_case table_rls "ALTER TABLE rp.child DISABLE ROW LEVEL SECURITY"
repair_case table_rls_forced "ALTER TABLE rp.child FORCE ROW LEVEL SECURITY"
repair_case table_replica_identity "ALTER TABLE rp.log REPLICA IDENTITY FULL"
repair_case table_options "ALTER TABLE rp.log SET (fillfactor = 70)"
repair_case table_unlogged "ALTER TABLE rp.log SET UNLOGGED"
repair_case table_owner "ALTER TABLE rp.log OWNER TO repair_other"
repair_case table_grant_revoked "REVOKE SELECT ON rp.parent FROM repair_reader"
repair_case table_grant_added "GRANT INSERT ON rp.parent TO repair_other"
repair_case table_added "CREATE TABLE rp.extra (id int)" "table rp.extra dropped"
repair_case table_removed "DROP TABLE rp.log"
# ---- columns --------------------------------------------------------------------------
repair_case column_default "ALTER TABLE rp.parent ALTER COLUMN name SET DEFAULT 'other'"
repair_case column_default_lost "ALTER TABLE rp.child ALTER COLUMN amount DROP DEFAULT"
repair_case column_default_added "ALTER TABLE rp.parent ALTER COLUMN score SET DEFAULT 7"
repair_case column_not_null_lost "ALTER TABLE rp.parent ALTER COLUMN name DROP NOT NULL"
repair_case column_not_null_added "ALTER TABLE rp.child ALTER COLUMN amount SET NOT NULL"
repair_case column_type_widen \
  "DROP VIEW rp.parent_scores; DROP VIEW rp.parent_names;
   ALTER TABLE rp.parent ALTER COLUMN name TYPE varchar(50);
   CREATE VIEW rp.parent_names AS SELECT id, name, score FROM rp.parent;
   CREATE VIEW rp.parent_scores AS SELECT id, score * 2 AS doubled FROM rp.parent_names;
   GRANT SELECT ON rp.parent_names TO repair_reader"
repair_case column_type_narrow "ALTER TABLE rp.log ALTER COLUMN id TYPE bigint" \
  "column rp.log.id type bigint -> integer"
repair_case column_collation "ALTER TABLE rp.parent ALTER COLUMN note TYPE text COLLATE \"POSIX\""
repair_case column_statistics "ALTER TABLE rp.child ALTER COLUMN label SET STATISTICS 500"
repair_case column_storage "ALTER TABLE rp.child ALTER COLUMN label SET STORAGE MAIN"
repair_case column_comment "COMMENT ON COLUMN rp.parent.name IS 'a name'"
repair_case column_grant "REVOKE SELECT (label) ON rp.child FROM repair_reader"
repair_case column_added "ALTER TABLE rp.child ADD COLUMN extra text" "column rp.child.extra dropped"
repair_case column_removed_last "ALTER TABLE rp.child DROP COLUMN amount CASCADE"
repair_case column_identity_lost "ALTER TABLE rp.child ALTER COLUMN id DROP IDENTITY" 
repair_case column_order \
  "DROP TABLE rp.log; CREATE TABLE rp.log (message text, id serial PRIMARY KEY, at timestamptz DEFAULT now(), tag text DEFAULT rp.default_tag());
   ALTER TABLE rp.log OWNER TO repair_owner; ALTER SEQUENCE rp.log_id_seq OWNER TO repair_owner" \
  "table rp.log rebuilt \\(column order\\)"
# ---- constraints ----------------------------------------------------------------------
repair_case fk_on_delete \
  "ALTER TABLE rp.child DROP CONSTRAINT child_parent_id_fkey;
   ALTER TABLE rp.child ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES rp.parent"
repair_case check_lost "ALTER TABLE rp.parent DROP CONSTRAINT ck_parent_score"
repair_case check_changed \
  "ALTER TABLE rp.parent DROP CONSTRAINT ck_parent_score; ALTER TABLE rp.parent ADD CONSTRAINT ck_parent_score CHECK (score > -1)"
repair_case unique_to_index \
  "ALTER TABLE rp.parent DROP CONSTRAINT uq_parent_name; CREATE UNIQUE INDEX uq_parent_name ON rp.parent (name)"
repair_case constraint_renamed "ALTER TABLE rp.parent RENAME CONSTRAINT ck_parent_score TO ck_score"
repair_case constraint_comment "COMMENT ON CONSTRAINT ck_parent_score ON rp.parent IS 'positive'"
repair_case pk_changed \
  "ALTER TABLE rp.child DROP CONSTRAINT child_parent_id_fkey; ALTER TABLE rp.parent DROP CONSTRAINT parent_pkey;
   ALTER TABLE rp.parent ADD CONSTRAINT parent_pkey PRIMARY KEY (id) WITH (fillfactor = 80);
   ALTER TABLE rp.child ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES rp.parent ON DELETE CASCADE"
# ---- indexes --------------------------------------------------------------------------
repair_case index_renamed "ALTER INDEX rp.ix_child_parent RENAME TO child_parent_idx"
repair_case index_lost "DROP INDEX rp.ix_child_label"
repair_case index_added "CREATE INDEX ix_extra ON rp.child (amount)"
repair_case index_predicate \
  "DROP INDEX rp.ix_child_label; CREATE INDEX ix_child_label ON rp.child (lower(label)) WHERE label <> ''"
repair_case partitioned_index_changed "DROP INDEX rp.ix_events_kind; CREATE INDEX ix_events_kind ON rp.events (kind, id)"
repair_case partitioned_index_lost "DROP INDEX rp.ix_events_kind"
repair_case partitioned_key_changed \
  "ALTER TABLE rp.events DROP CONSTRAINT events_pkey; ALTER TABLE rp.events ADD CONSTRAINT events_pkey PRIMARY KEY (at, id)"
repair_case partition_comment "COMMENT ON TABLE rp.events_2025 IS 'this year'"
repair_case index_comment "COMMENT ON INDEX rp.ix_child_parent IS 'fk lookups'"
# ---- views ----------------------------------------------------------------------------
repair_case view_changed "CREATE OR REPLACE VIEW rp.parent_scores AS SELECT id, score * 3 AS doubled FROM rp.parent_names"
repair_case view_under_changed \
  "DROP VIEW rp.parent_scores; CREATE OR REPLACE VIEW rp.parent_names AS SELECT id, name, score + 0 AS score FROM rp.parent;
   CREATE VIEW rp.parent_scores AS SELECT id, score * 2 AS doubled FROM rp.parent_names"
repair_case view_lost "DROP VIEW rp.parent_scores"
repair_case view_grant "REVOKE SELECT ON rp.parent_names FROM repair_reader"
repair_case matview_changed \
  "DROP MATERIALIZED VIEW rp.child_totals; CREATE MATERIALIZED VIEW rp.child_totals AS
     SELECT parent_id, sum(amount) + 0 AS total FROM rp.child GROUP BY parent_id;
   CREATE UNIQUE INDEX ix_child_totals ON rp.child_totals (parent_id);
   GRANT SELECT ON rp.child_totals TO repair_reader"
# ---- functions, types, sequences ------------------------------------------------------
repair_case function_body "CREATE OR REPLACE FUNCTION rp.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + x'"
repair_case function_volatility "ALTER FUNCTION rp.double(integer) VOLATILE"
repair_case function_grant "REVOKE EXECUTE ON FUNCTION rp.double(integer) FROM repair_reader"
repair_case function_owner "ALTER FUNCTION rp.double(integer) OWNER TO repair_other"
repair_case function_comment "COMMENT ON FUNCTION rp.double(integer) IS 'twice'"
repair_case function_lost "DROP FUNCTION rp.double(integer) CASCADE"
repair_case function_added "CREATE FUNCTION rp.triple(integer) RETURNS integer LANGUAGE sql AS 'SELECT \$1 * 3'"
repair_case function_result_type_under_default \
  "ALTER TABLE rp.log ALTER COLUMN tag DROP DEFAULT; DROP FUNCTION rp.default_tag();
   CREATE FUNCTION rp.default_tag() RETURNS varchar LANGUAGE sql STABLE AS \$\$SELECT 'tag'::varchar\$\$;
   ALTER TABLE rp.log ALTER COLUMN tag SET DEFAULT rp.default_tag()"
repair_case function_args_under_view \
  "DROP VIEW rp.doubled; DROP FUNCTION rp.double(integer);
   CREATE FUNCTION rp.double(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
   CREATE VIEW rp.doubled AS SELECT id, rp.double(score) AS d FROM rp.parent"
repair_case function_result_under_view \
  "DROP VIEW rp.doubled; DROP FUNCTION rp.double(integer);
   CREATE FUNCTION rp.double(x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT x * 2::bigint';
   GRANT EXECUTE ON FUNCTION rp.double(integer) TO repair_reader;
   CREATE VIEW rp.doubled AS SELECT id, rp.double(score) AS d FROM rp.parent"
repair_case aggregate_changed \
  "DROP AGGREGATE rp.concat_all(text); CREATE AGGREGATE rp.concat_all(text) (SFUNC = textcat, STYPE = text, INITCOND = '-')"
repair_case aggregate_comment "COMMENT ON AGGREGATE rp.concat_all(text) IS 'all of it'"
repair_case operator_lost "DROP OPERATOR rp.=== (integer, integer)"
repair_case operator_changed \
  "DROP OPERATOR rp.=== (integer, integer); CREATE OPERATOR rp.=== (FUNCTION = int4eq, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = OPERATOR(rp.===))"
repair_case collation_lost "DROP COLLATION rp.ci"
repair_case collation_comment "COMMENT ON COLLATION rp.ci IS 'case-insensitive'"
repair_case text_search_mapping "ALTER TEXT SEARCH CONFIGURATION rp.cfg DROP MAPPING FOR asciiword"
repair_case text_search_lost "DROP TEXT SEARCH CONFIGURATION rp.cfg"
repair_case enum_label_missing "DROP TYPE rp.level; CREATE TYPE rp.level AS ENUM ('b', 'd')"
repair_case enum_labels_added_around "DROP TYPE rp.level; CREATE TYPE rp.level AS ENUM ('c')"
repair_case enum_comment "COMMENT ON TYPE rp.mood IS 'feelings'"
repair_case enum_labels_added_and_used \
  "DROP TABLE rp.ticket; DROP TYPE rp.stage; CREATE TYPE rp.stage AS ENUM ('new');
   CREATE TABLE rp.ticket (id integer PRIMARY KEY, stage rp.stage DEFAULT 'new')"
repair_case domain_default "ALTER DOMAIN rp.code SET DEFAULT 'y'"
repair_case domain_not_null "ALTER DOMAIN rp.code SET NOT NULL"
repair_case domain_check_changed \
  "ALTER DOMAIN rp.code DROP CONSTRAINT code_len; ALTER DOMAIN rp.code ADD CONSTRAINT code_len CHECK (length(VALUE) < 20)"
repair_case domain_check_added "ALTER DOMAIN rp.code ADD CONSTRAINT code_nonempty CHECK (VALUE <> '')"
repair_case domain_owner "ALTER DOMAIN rp.code OWNER TO repair_other"
repair_case enum_label_extra "ALTER TYPE rp.mood ADD VALUE 'extreme'"
repair_case enum_owner "ALTER TYPE rp.mood OWNER TO repair_other"
repair_case composite_comment "COMMENT ON TYPE rp.pair IS 'two things'"
repair_case base_type_set "ALTER TYPE rp.myint SET (RECEIVE = NONE, SEND = NONE)"
repair_case base_type_storage "ALTER TYPE rp.mytext SET (STORAGE = main)"
repair_case base_type_comment "COMMENT ON TYPE rp.myint IS 'int4 again'"
repair_case base_type_recreated \
  "DROP TYPE rp.mytext CASCADE; CREATE TYPE rp.mytext;
   CREATE FUNCTION rp.mytext_in(cstring) RETURNS rp.mytext AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
   CREATE FUNCTION rp.mytext_out(rp.mytext) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
   CREATE TYPE rp.mytext (INPUT = rp.mytext_in, OUTPUT = rp.mytext_out, INTERNALLENGTH = VARIABLE,
     STORAGE = extended, CATEGORY = 'U')" "base type rp.mytext dropped and created again"
repair_case shell_type_lost "DROP TYPE rp.lonely"
repair_case shell_type_comment "COMMENT ON TYPE rp.lonely IS 'alone'"
repair_case view_column_grant "GRANT SELECT (name) ON rp.parent_names TO repair_other"
repair_case view_column_default "ALTER VIEW rp.parent_names ALTER COLUMN score SET DEFAULT 0"
repair_case view_column_comment "COMMENT ON COLUMN rp.parent_names.name IS 'shown'"
repair_case view_owner "ALTER VIEW rp.parent_names OWNER TO repair_other"
repair_case view_comment "COMMENT ON VIEW rp.parent_scores IS 'twice'"
repair_case matview_owner "ALTER MATERIALIZED VIEW rp.child_totals OWNER TO repair_other"
repair_case sequence_owner "ALTER SEQUENCE rp.free_seq OWNER TO repair_other"
repair_case sequence_comment "COMMENT ON SEQUENCE rp.free_seq IS 'free'"
repair_case schema_owner "ALTER SCHEMA rp OWNER TO repair_other"
repair_case trigger_comment "COMMENT ON TRIGGER trg_parent_touch ON rp.parent IS 'touch'"
repair_case policy_comment "COMMENT ON POLICY child_read ON rp.child IS 'readers'"
repair_case aggregate_added "CREATE AGGREGATE rp.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')"
repair_case sequence_increment "ALTER SEQUENCE rp.free_seq INCREMENT BY 1"
repair_case sequence_grant "REVOKE USAGE ON SEQUENCE rp.free_seq FROM repair_reader"
repair_case sequence_lost "DROP SEQUENCE rp.free_seq"
repair_case sequence_added "CREATE SEQUENCE rp.extra_seq" "sequence rp.extra_seq dropped"
# ---- triggers, policies, schema -------------------------------------------------------
repair_case trigger_disabled "ALTER TABLE rp.parent DISABLE TRIGGER trg_parent_touch"
repair_case trigger_lost "DROP TRIGGER trg_parent_touch ON rp.parent"
repair_case trigger_changed \
  "DROP TRIGGER trg_parent_touch ON rp.parent;
   CREATE TRIGGER trg_parent_touch BEFORE INSERT OR UPDATE ON rp.parent FOR EACH ROW EXECUTE FUNCTION rp.touch()"
repair_case policy_using "ALTER POLICY child_read ON rp.child USING (amount > 0)"
repair_case policy_roles "ALTER POLICY child_read ON rp.child TO repair_reader, repair_other"
repair_case policy_lost "DROP POLICY child_read ON rp.child"
repair_case policy_command \
  "DROP POLICY child_read ON rp.child; CREATE POLICY child_read ON rp.child FOR ALL TO repair_reader USING (amount >= 0)"
repair_case schema_comment "COMMENT ON SCHEMA rp IS NULL"
repair_case schema_grant "REVOKE USAGE ON SCHEMA rp FROM repair_reader"

# ---- table-side attributes, each alone, both ways where PostgreSQL has both (issue #16) ---
repair_case column_compression "ALTER TABLE rp.opts ALTER COLUMN body SET COMPRESSION lz4"
repair_case column_compression_default "ALTER TABLE rp.opts ALTER COLUMN body SET COMPRESSION default"
repair_case column_options "ALTER TABLE rp.opts ALTER COLUMN ratio SET (n_distinct = 20)"
repair_case column_options_reset "ALTER TABLE rp.opts ALTER COLUMN ratio RESET (n_distinct)"
repair_case column_options_added "ALTER TABLE rp.opts ALTER COLUMN body SET (n_distinct = -1)"
repair_case column_generated_dropped "ALTER TABLE rp.opts ALTER COLUMN total DROP EXPRESSION" \
  "table rp.opts rebuilt"
repair_case column_generated_added \
  "ALTER TABLE rp.opts DROP COLUMN plain; ALTER TABLE rp.opts ADD COLUMN plain integer GENERATED ALWAYS AS (id + 1) STORED"
repair_case column_fdw_options "ALTER FOREIGN TABLE rp.remote ALTER COLUMN v OPTIONS (SET col 'W')"
repair_case column_fdw_options_dropped "ALTER FOREIGN TABLE rp.remote ALTER COLUMN v OPTIONS (DROP col)"
repair_case column_fdw_options_added "ALTER FOREIGN TABLE rp.remote ALTER COLUMN id OPTIONS (ADD col 'I')"
repair_case table_access_method "ALTER TABLE rp.log SET ACCESS METHOD rp_heap"
repair_case table_access_method_heap "ALTER TABLE rp.heaped SET ACCESS METHOD heap"
repair_case table_of_type "ALTER TABLE rp.typed NOT OF"
repair_case table_of_type_added "ALTER TABLE rp.untyped OF rp.pair"
repair_case table_inherits_lost "ALTER TABLE rp.stamped_child NO INHERIT rp.stamped" "table rp.stamped_child rebuilt"
repair_case table_inherits_lost_in_place "ALTER TABLE rp.adopted NO INHERIT rp.stamped"
repair_case table_inherits_added "ALTER TABLE rp.orphan INHERIT rp.stamped"
repair_case table_partition_detached "ALTER TABLE rp.events DETACH PARTITION rp.events_2025"
repair_case table_partition_attached "ALTER TABLE rp.events ATTACH PARTITION rp.loose FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')"
repair_case table_partition_bound \
  "ALTER TABLE rp.events DETACH PARTITION rp.events_2025; ALTER TABLE rp.events ATTACH PARTITION rp.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')"
repair_case table_partition_key "DROP TABLE rp.bucket; CREATE TABLE rp.bucket (id integer, k integer) PARTITION BY HASH (id)" \
  "table rp.bucket rebuilt"
repair_case table_partition_key_lost "DROP TABLE rp.bucket; CREATE TABLE rp.bucket (id integer, k integer)" \
  "table rp.bucket rebuilt"
# constraints
fk="FOREIGN KEY (parent_id) REFERENCES rp.counted"
relink() { echo "ALTER TABLE rp.link DROP CONSTRAINT $1; ALTER TABLE rp.link ADD CONSTRAINT $1 $2"; }
repair_case constraint_deferrable "ALTER TABLE rp.child ALTER CONSTRAINT child_parent_id_fkey DEFERRABLE"
repair_case constraint_not_deferrable "ALTER TABLE rp.link ALTER CONSTRAINT link_parent_late NOT DEFERRABLE"
repair_case constraint_deferred "ALTER TABLE rp.link ALTER CONSTRAINT link_parent_late INITIALLY DEFERRED"
repair_case constraint_unique_deferrable "$(relink link_key "UNIQUE (id) DEFERRABLE INITIALLY DEFERRED")"
repair_case constraint_match "$(relink link_parent_late "$fk MATCH FULL DEFERRABLE")"
repair_case constraint_on_update "$(relink link_parent_late "$fk ON UPDATE CASCADE DEFERRABLE")"
repair_case constraint_on_delete_columns "$(relink link_parent "$fk ON DELETE SET NULL")"
repair_case constraint_references "$(relink link_parent_late "FOREIGN KEY (parent_id) REFERENCES rp.parent DEFERRABLE")"
repair_case constraint_type "$(relink link_key "PRIMARY KEY (id)")"
repair_case constraint_validated "$(relink ck_link_tag "CHECK (tag > 0)")"
repair_case constraint_not_validated "$(echo "ALTER TABLE rp.parent DROP CONSTRAINT ck_parent_score; ALTER TABLE rp.parent ADD CONSTRAINT ck_parent_score CHECK (score >= 0) NOT VALID")"
repair_case constraint_noinherit "$(relink ck_link_tag "CHECK (tag > 0) NO INHERIT NOT VALID")"
repair_case constraint_local "ALTER TABLE rp.stamped_child ADD CONSTRAINT ck_stamped CHECK (at IS NOT NULL)"
repair_case constraint_local_lost \
  "ALTER TABLE rp.stamped DROP CONSTRAINT ck_stamped; ALTER TABLE rp.adopted DROP CONSTRAINT ck_stamped;
   ALTER TABLE rp.stamped ADD CONSTRAINT ck_stamped CHECK (at IS NOT NULL)"
# indexes
reindex() { echo "DROP INDEX rp.$1; CREATE $2"; }
repair_case index_clustered "ALTER TABLE rp.child CLUSTER ON ix_child_parent"
repair_case index_not_clustered "ALTER TABLE rp.log SET WITHOUT CLUSTER"
repair_case index_include "$(reindex ix_link_tag "INDEX ix_link_tag ON rp.link (tag)")"
repair_case index_include_added "$(reindex ix_child_parent "INDEX ix_child_parent ON rp.child (parent_id) INCLUDE (label)")"
repair_case index_method "$(reindex ix_link_hash "INDEX ix_link_hash ON rp.link (tag)")"
repair_case index_nulls_not_distinct "$(reindex ix_link_id "UNIQUE INDEX ix_link_id ON rp.link (id)")"
repair_case index_nulls_not_distinct_added "$(reindex ix_link_pair "UNIQUE INDEX ix_link_pair ON rp.link (tag, id) NULLS NOT DISTINCT")"
repair_case index_unique "$(reindex ix_link_pair "INDEX ix_link_pair ON rp.link (tag, id)")"
repair_case index_unique_added "$(reindex ix_link_tag "UNIQUE INDEX ix_link_tag ON rp.link (tag) INCLUDE (id)")"
repair_case index_table "$(reindex ix_child_parent "INDEX ix_child_parent ON rp.link (parent_id)")"
repair_case index_replica_identity "ALTER TABLE rp.counted REPLICA IDENTITY DEFAULT"
repair_case index_replica_identity_moved "ALTER TABLE rp.counted REPLICA IDENTITY USING INDEX counted_pkey"
# views and materialized views
repair_case view_added "CREATE VIEW rp.extra_view AS SELECT 1 AS one"
repair_case view_check_option "ALTER VIEW rp.checked SET (check_option = cascaded)"
repair_case view_check_option_reset "ALTER VIEW rp.checked RESET (check_option)"
repair_case view_check_option_added "ALTER VIEW rp.parent_names SET (check_option = local)"
repair_case view_security_barrier "ALTER VIEW rp.checked SET (security_barrier = false)"
repair_case view_security_barrier_added "ALTER VIEW rp.parent_names SET (security_barrier)"
repair_case view_security_invoker "ALTER VIEW rp.checked RESET (security_invoker)"
repair_case view_security_invoker_added "ALTER VIEW rp.parent_names SET (security_invoker = true)"
repair_case matview_added "CREATE MATERIALIZED VIEW rp.extra_totals AS SELECT 1 AS one"
repair_case matview_access_method "ALTER MATERIALIZED VIEW rp.heaped_totals SET ACCESS METHOD heap"
repair_case matview_access_method_added "ALTER MATERIALIZED VIEW rp.child_totals SET ACCESS METHOD rp_heap"
repair_case matview_options "ALTER MATERIALIZED VIEW rp.heaped_totals SET (fillfactor = 60)"
repair_case matview_options_reset "ALTER MATERIALIZED VIEW rp.heaped_totals RESET (fillfactor)"
repair_case matview_options_added "ALTER MATERIALIZED VIEW rp.child_totals SET (autovacuum_enabled = false)"
repair_case matview_comment "COMMENT ON MATERIALIZED VIEW rp.heaped_totals IS NULL"
repair_case matview_comment_added "COMMENT ON MATERIALIZED VIEW rp.child_totals IS 'per parent'"
# sequences
repair_case sequence_cache "ALTER SEQUENCE rp.small_seq CACHE 1"
repair_case sequence_cache_added "ALTER SEQUENCE rp.free_seq CACHE 10"
repair_case sequence_cycle "ALTER SEQUENCE rp.small_seq NO CYCLE"
repair_case sequence_cycle_added "ALTER SEQUENCE rp.free_seq CYCLE"
repair_case sequence_max "ALTER SEQUENCE rp.small_seq MAXVALUE 2000"
repair_case sequence_min "ALTER SEQUENCE rp.small_seq MINVALUE 5"
repair_case sequence_start "ALTER SEQUENCE rp.small_seq START 30"
repair_case sequence_type "ALTER SEQUENCE rp.small_seq AS bigint"
repair_case sequence_type_narrowed "ALTER SEQUENCE rp.free_seq AS integer"
repair_case sequence_owned_by "ALTER SEQUENCE rp.free_seq OWNED BY rp.parent.score"
repair_case sequence_owned_by_lost "ALTER SEQUENCE rp.log_id_seq OWNED BY NONE"
# triggers and policies
repair_case trigger_added "CREATE TRIGGER trg_child_touch BEFORE UPDATE ON rp.opts FOR EACH ROW EXECUTE FUNCTION rp.touch()"
repair_case policy_added "CREATE POLICY child_more ON rp.child FOR INSERT WITH CHECK (amount > 0)"
repair_case policy_permissive "DROP POLICY child_read ON rp.child; CREATE POLICY child_read ON rp.child AS RESTRICTIVE FOR SELECT TO repair_reader USING (amount >= 0)"
repair_case policy_restrictive "DROP POLICY child_write ON rp.child; CREATE POLICY child_write ON rp.child FOR UPDATE TO repair_owner USING (true) WITH CHECK (amount >= 0)"
repair_case policy_with_check "ALTER POLICY child_write ON rp.child WITH CHECK (amount > 0)"
repair_case policy_with_check_lost "DROP POLICY child_write ON rp.child; CREATE POLICY child_write ON rp.child AS RESTRICTIVE FOR UPDATE TO repair_owner USING (true)"
repair_case policy_with_check_added "ALTER POLICY child_fix ON rp.child WITH CHECK (amount < 50)"

# ---- drop order across objects --------------------------------------------------------
# A column the base lacks goes before the type (or extension type) it uses.
repair_case column_of_dropped_enum \
  "CREATE TYPE rp.extra AS ENUM ('x'); ALTER TABLE rp.parent ADD COLUMN extra rp.extra" "parent.extra"
repair_case column_of_dropped_extension_type \
  "CREATE EXTENSION citext SCHEMA rp; CREATE EXTENSION hstore SCHEMA rp; ALTER TABLE rp.parent ADD COLUMN h rp.hstore" \
  "parent.h"
# A dropped table's column default on a dropped sequence does not hold the drops up.
repair_case inherited_serial_dropped "CREATE TABLE rp.sp (id serial); CREATE TABLE rp.sp_child () INHERITS (rp.sp)" \
  "rp.sp"
# A column leaves a dropped collation before it goes.
repair_case column_off_dropped_collation \
  "CREATE COLLATION rp.de (provider = icu, locale = 'de-DE'); ALTER TABLE rp.parent ALTER COLUMN note TYPE text COLLATE rp.de"
# The foreign key of a dropped table goes before the key it references.
repair_case fk_to_dropped_key \
  "ALTER TABLE rp.parent ADD CONSTRAINT uq_parent_score UNIQUE (score); CREATE TABLE rp.refs (s integer REFERENCES rp.parent (score))" \
  "rp.refs"
# A partitioned table's ADD and DROP COLUMN reach its partitions.
repair_case partition_column_dropped "ALTER TABLE rp.events ADD COLUMN extra text" "events.extra"
repair_case partition_column_added "ALTER TABLE rp.events DROP COLUMN kind"
# The child is rebuilt; its column that the parent's DROP COLUMN takes is not copied.
repair_case inherited_column_moved \
  "ALTER TABLE rp.stamped_child DROP COLUMN e; ALTER TABLE rp.stamped ADD COLUMN e integer" \
  "stamped_child"

# ---- what a script cannot do yet is refused, named -----------------------------------------
q -d $db -c "ALTER TABLE rp.parent ALTER COLUMN code TYPE text; DROP DOMAIN rp.code;
  CREATE DOMAIN rp.code AS varchar(20) DEFAULT 'x' CONSTRAINT code_len CHECK (length(VALUE) < 10);
  ALTER TABLE rp.parent ALTER COLUMN code TYPE rp.code" >/dev/null
out=$(q -d $db -c "SELECT squash_diff_sql('base', allow_destructive => true)" 2>&1)
like "$out" "cannot be repaired by a script yet: column rp.parent.code uses rp.code" \
  "a domain whose base type changed under a column is refused, naming the column"
reset_base
is "$(fingerprint)" "$fp_base" "(back to the base schema)"

# ---- the machine-readable diff --------------------------------------------------------
q -d $db -c "ALTER TABLE rp.parent ALTER COLUMN name SET DEFAULT 'other'; ALTER INDEX rp.ix_child_parent RENAME TO child_parent_idx" >/dev/null
is "$(q -d $db -c "SELECT (c->>'kind') || '|' || (c->>'identity') || '|' || (c->>'change') || '|' ||
       COALESCE(c->>'from', '') || '|' || COALESCE((SELECT string_agg((a->>'attribute') || '=' ||
       COALESCE(a->>'old', 'null') || '>' || COALESCE(a->>'new', 'null'), ',')
       FROM jsonb_array_elements(c->'attributes') a), '')
     FROM jsonb_array_elements(squash_diff_json('base')->'changes') c")" \
  "index|rp.child_parent_idx|renamed|rp.ix_child_parent|
column|rp.parent.name|changed||default='unnamed'::character varying>'other'::character varying" \
  "squash_diff_json names kind, identity, change, attribute, old and new value (renames with from)"
is "$(q -d $db -c "SELECT (squash_diff_json('base')->>'source_fingerprint') = '$fp_base',
                          jsonb_array_length(squash_diff_json('base')->'changes') = (SELECT count(*) FROM squash_diff('base'))")" \
  "t|t" "it carries the fingerprints and one element per squash_diff row"
repair_case json_pair "SELECT 1"  # the two drifts above, repaired together

# ---- locks and the transaction --------------------------------------------------------
q -d $db -c "ALTER TABLE rp.parent ALTER COLUMN name SET DEFAULT 'other'; CREATE INDEX ix_extra ON rp.child (amount)" >/dev/null
script=$(q -d $db -c "SELECT squash_diff_sql('base')")
like "$script" $'\nBEGIN;\nSET LOCAL lock_timeout = \'10s\';' "the script is one transaction with a lock_timeout"
like "$script" $'\nCOMMIT;\n?$' "and ends with COMMIT"
like "$script" $'-- Locks taken:\n--   ACCESS EXCLUSIVE on rp.child\n--   ACCESS EXCLUSIVE on rp.parent\n' \
  "its header names the locks on each table"
repair_case locks_pair "SELECT 1"
is "$(q -d $db -c "SELECT squash_diff_sql('base')" | grep -cv '^\(--.*\|\|BEGIN;\|COMMIT;\|SET LOCAL .*\)$')" "0" \
  "no statement when nothing differs"

# ---- several destructive statements, each listed --------------------------------------
q -d $db -c "CREATE TABLE rp.extra (id int); ALTER TABLE rp.child ADD COLUMN extra text; ALTER TABLE rp.log ALTER COLUMN id TYPE bigint" >/dev/null
out=$(q -d $db -c "SELECT squash_diff_sql('base')" 2>&1)
like "$out" "3 destructive statement" "three destructive statements refused together"
for what in "table rp.extra dropped" "column rp.child.extra dropped" "column rp.log.id type bigint -> integer"; do
  like "$out" "$what" "  listed: $what"
done
repair_case destructive_three "SELECT 1" "3 destructive"

# ---- every (kind, attribute) pair of this file's kinds has a case ------------------------
[ -n "${REPAIR_ONLY:-}" ] || check_coverage diff_sql_repair "$work/pairs"

done_testing
