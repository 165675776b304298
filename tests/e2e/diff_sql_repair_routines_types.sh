#!/usr/bin/env bash
# squash_diff_sql() for functions, procedures and types, as diff_sql_repair.sh does for
# tables: a database that differs from snapshot 'base' (tests/fixtures/repair/routines_types.sql)
# by one attribute of one routine or type, or by one added or removed, runs the script with
# psql, and its fingerprint is the snapshot's again. Most options go both ways (set, then
# taken away). What loses data is refused without allow_destructive, naming it.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/repair_harness.bash"
source "$(dirname "$0")/lib/repair_coverage.bash"
work=$(mktemp -d /tmp/e2e_repair_rt.XXXXXX)
chmod 755 "$work"
roles="rf_owner rf_other"
drop_roles() {  # once the test database is gone, nothing of them is left
  for r in $roles; do q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_test_databases; drop_roles; rm -rf "$work"' EXIT
db=e2e_repair_rt
fixture=$SQUASH_SRC/tests/fixtures/repair/routines_types.sql

for r in $roles; do
  q -d postgres -c "DO \$\$BEGIN CREATE ROLE $r NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" >/dev/null
done
new_database $db
q -d $db -c "CREATE EXTENSION pg_squash" >/dev/null
build() { psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = error" -f "$fixture"; }
build >"$work/base.log" 2>&1
ok $? "the fixture builds" || sed 's/^/#   /' "$work/base.log"
scope="'{rf}'"
fp_base=$(q -d $db -c "SELECT squash_snapshot('base', $scope)")
reset_base() {
  q -d $db -c "DROP SCHEMA rf CASCADE" >/dev/null 2>&1
  build >"$work/reset.log" 2>&1
  is "$(fingerprint)" "$fp_base" "(the fixture is built again)" || sed 's/^/#   /' "$work/reset.log"
}

# ---- functions: ALTER FUNCTION where it can, CREATE OR REPLACE for body and language -------
fn="FUNCTION rf.f(integer)"
opts="FUNCTION rf.opts(integer, integer)"
repair_case function_body "CREATE OR REPLACE FUNCTION rf.f(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + x'"
repair_case function_volatility "ALTER $fn VOLATILE"
repair_case function_volatility_back "ALTER $opts IMMUTABLE"
repair_case function_strict "ALTER $fn STRICT"
repair_case function_strict_back "ALTER $opts CALLED ON NULL INPUT"
repair_case function_leakproof "ALTER $fn LEAKPROOF"
repair_case function_security_definer "ALTER $fn SECURITY DEFINER"
repair_case function_parallel "ALTER $fn PARALLEL RESTRICTED"
repair_case function_parallel_back "ALTER $opts PARALLEL UNSAFE"
repair_case function_cost "ALTER $fn COST 7"
repair_case function_cost_back "ALTER $opts COST 100"
repair_case function_rows "ALTER FUNCTION rf.series(integer) ROWS 50"
repair_case function_rows_back "ALTER FUNCTION rf.series(integer) ROWS 1000"
repair_case function_config "ALTER $fn SET work_mem = '4MB'"
repair_case function_config_changed "ALTER $opts SET work_mem = '16MB'"
repair_case function_config_back "ALTER $opts RESET ALL"
repair_case function_support "ALTER FUNCTION rf.f(integer) SUPPORT textlike_support"
repair_case function_support_back \
  "CREATE OR REPLACE FUNCTION rf.like_it(text, text) RETURNS boolean LANGUAGE internal IMMUTABLE STRICT AS 'textlike'"
# Both are written in plpgsql's library; the file is named another way (no $libdir).
repair_case function_library \
  "CREATE OR REPLACE FUNCTION rf.val(oid) RETURNS void LANGUAGE c STRICT AS 'plpgsql', 'plpgsql_validator'"
# The same body in another language (not checked, as the script does not check it either).
repair_case function_language \
  "SET check_function_bodies = off; CREATE OR REPLACE FUNCTION rf.one() RETURNS integer LANGUAGE plpgsql AS 'SELECT 1'"
repair_case function_window \
  "DROP FUNCTION rf.rn(); CREATE FUNCTION rf.rn() RETURNS bigint LANGUAGE internal AS 'window_row_number'"
repair_case function_owner "ALTER $fn OWNER TO rf_owner"
repair_case function_acl "REVOKE EXECUTE ON $fn FROM rf_other"
repair_case function_acl_public "REVOKE EXECUTE ON $fn FROM PUBLIC"
repair_case function_comment "COMMENT ON $fn IS NULL"
repair_case function_added "CREATE FUNCTION rf.triple(integer) RETURNS integer LANGUAGE sql AS 'SELECT \$1 * 3'"
repair_case function_removed "DROP $fn CASCADE"
# Arguments and result type: dropped and created, with the view, the default and the trigger
# that use them dropped first and created again after.
repair_case function_arguments_default \
  "CREATE OR REPLACE FUNCTION rf.opts(a integer, b integer DEFAULT 3) RETURNS integer LANGUAGE plpgsql
     STABLE STRICT PARALLEL SAFE COST 50 SET work_mem = '8MB' SET search_path = pg_catalog, rf
     AS \$\$BEGIN RETURN a + b; END\$\$"
repair_case function_arguments_names_under_view \
  "DROP VIEW rf.v; DROP $fn; CREATE FUNCTION rf.f(y integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT y * 2';
   GRANT EXECUTE ON $fn TO rf_other; COMMENT ON $fn IS 'twice';
   CREATE VIEW rf.v AS SELECT id, rf.f(n) AS doubled, rf.opts(n) AS plus FROM rf.t"
repair_case function_returns_under_default \
  "ALTER TABLE rf.t ALTER COLUMN tag DROP DEFAULT; DROP FUNCTION rf.tag() CASCADE;
   CREATE FUNCTION rf.tag() RETURNS varchar LANGUAGE sql STABLE AS \$\$SELECT 'tag'::varchar\$\$;
   ALTER TABLE rf.t ALTER COLUMN tag SET DEFAULT rf.tag()"
repair_case function_arguments_under_trigger \
  "DROP TRIGGER t_positive ON rf.t; DROP FUNCTION rf.positive(integer);
   CREATE FUNCTION rf.positive(w integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT w > 0';
   CREATE TRIGGER t_positive BEFORE UPDATE ON rf.t FOR EACH ROW WHEN (rf.positive(NEW.n)) EXECUTE FUNCTION rf.touch()"
repair_case function_trigger_function_removed "DROP FUNCTION rf.touch() CASCADE"
repair_case function_trigger_function_language \
  "DROP FUNCTION rf.touch() CASCADE; CREATE FUNCTION rf.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS
     \$\$BEGIN NEW.tag := rf.tag(); RETURN NEW; END\$\$;
   CREATE TRIGGER t_touch BEFORE INSERT ON rf.t FOR EACH ROW EXECUTE FUNCTION rf.touch()"
# ---- procedures (CREATE and ALTER PROCEDURE take SECURITY, SET and the body only) ----------
pr="PROCEDURE rf.p(integer)"
repair_case procedure_body "CREATE OR REPLACE PROCEDURE rf.p(x integer) LANGUAGE plpgsql AS \$\$BEGIN PERFORM x + 1; END\$\$"
repair_case procedure_language \
  "SET check_function_bodies = off; CREATE OR REPLACE PROCEDURE rf.ps() LANGUAGE plpgsql SECURITY DEFINER SET work_mem = '8MB' AS 'SELECT 1'"
repair_case procedure_security_definer "ALTER $pr SECURITY DEFINER"
repair_case procedure_security_definer_back "ALTER PROCEDURE rf.ps() SECURITY INVOKER"
repair_case procedure_config "ALTER $pr SET work_mem = '4MB'"
repair_case procedure_config_back "ALTER PROCEDURE rf.ps() RESET work_mem"
repair_case procedure_library \
  "CREATE OR REPLACE PROCEDURE rf.pc(oid) LANGUAGE c AS 'plpgsql', 'plpgsql_validator'"
repair_case procedure_arguments "DROP $pr; CREATE PROCEDURE rf.p(y integer) LANGUAGE plpgsql AS \$\$BEGIN PERFORM x; END\$\$;
  GRANT EXECUTE ON $pr TO rf_other; COMMENT ON $pr IS 'does nothing'"
repair_case procedure_owner "ALTER $pr OWNER TO rf_owner"
repair_case procedure_acl "REVOKE EXECUTE ON $pr FROM rf_other"
repair_case procedure_comment "COMMENT ON $pr IS 'nothing at all'"
repair_case procedure_added "CREATE PROCEDURE rf.p2() LANGUAGE sql AS 'SELECT 2'"
repair_case procedure_removed "DROP $pr"
# ---- base types: ALTER TYPE ... SET for what it takes, otherwise dropped and created --------
myint_funcs="CREATE FUNCTION rf.myint_in(cstring) RETURNS rf.myint AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION rf.myint_out(rf.myint) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION rf.myint_in2(cstring) RETURNS rf.myint AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION rf.myint_out2(rf.myint) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;"
myint_opts="INPUT = rf.myint_in, OUTPUT = rf.myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4"
myint() {  # myint OPTIONS: rf.myint made again with those options
  echo "DROP TYPE rf.myint CASCADE; CREATE TYPE rf.myint; $myint_funcs CREATE TYPE rf.myint ($1);
    CREATE FUNCTION rf.myint_sum(rf.myint, rf.myint) RETURNS integer LANGUAGE sql IMMUTABLE
      AS 'SELECT \$1::text::integer + \$2::text::integer'"
}
mytext_opts="INPUT = rf.mytext_in, OUTPUT = rf.mytext_out, RECEIVE = rf.mytext_recv, SEND = rf.mytext_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended, CATEGORY = 'S'"
mytext() {
  echo "DROP TYPE rf.mytext CASCADE; CREATE TYPE rf.mytext;
    CREATE FUNCTION rf.mytext_in(cstring) RETURNS rf.mytext AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION rf.mytext_out(rf.mytext) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION rf.mytext_recv(internal) RETURNS rf.mytext AS 'textrecv' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION rf.mytext_send(rf.mytext) RETURNS bytea AS 'textsend' LANGUAGE internal IMMUTABLE STRICT;
    CREATE TYPE rf.mytext ($1); COMMENT ON TYPE rf.mytext IS 'text again'"
}
pt_opts="INPUT = rf.pt_in, OUTPUT = rf.pt_out, INTERNALLENGTH = 16, ALIGNMENT = double, ELEMENT = float8, SUBSCRIPT = rf.sub"
pt() {
  echo "DROP TYPE rf.pt CASCADE; CREATE TYPE rf.pt;
    CREATE FUNCTION rf.pt_in(cstring) RETURNS rf.pt AS 'point_in' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION rf.pt_out(rf.pt) RETURNS cstring AS 'point_out' LANGUAGE internal IMMUTABLE STRICT;
    CREATE TYPE rf.pt ($1)"
}
recreated() { echo "base type rf.$1 dropped and created again"; }
repair_case base_type_receive_send "ALTER TYPE rf.mytext SET (RECEIVE = NONE, SEND = NONE)"
repair_case base_type_typmod_in "ALTER TYPE rf.myint SET (TYPMOD_IN = varchartypmodin)"
repair_case base_type_typmod_out "ALTER TYPE rf.myint SET (TYPMOD_OUT = varchartypmodout)"
repair_case base_type_analyze "ALTER TYPE rf.myint SET (ANALYZE = ts_typanalyze)"
repair_case base_type_subscript "ALTER TYPE rf.myint SET (SUBSCRIPT = rf.sub)"
repair_case base_type_subscript_back "ALTER TYPE rf.pt SET (SUBSCRIPT = NONE)"
repair_case base_type_storage "ALTER TYPE rf.mytext SET (STORAGE = main)"
repair_case base_type_owner "ALTER TYPE rf.myint OWNER TO rf_owner"
repair_case base_type_acl "REVOKE USAGE ON TYPE rf.myint FROM PUBLIC"
repair_case base_type_comment "COMMENT ON TYPE rf.mytext IS NULL"
repair_case base_type_input "$(myint "${myint_opts/rf.myint_in/rf.myint_in2}")" "$(recreated myint)"
repair_case base_type_output "$(myint "${myint_opts/rf.myint_out/rf.myint_out2}")" "$(recreated myint)"
repair_case base_type_passedbyvalue "$(myint "${myint_opts/, PASSEDBYVALUE/}")" "$(recreated myint)"
repair_case base_type_default "$(myint "$myint_opts, DEFAULT = '0'")" "$(recreated myint)"
repair_case base_type_preferred "$(myint "$myint_opts, PREFERRED = true")" "$(recreated myint)"
repair_case base_type_delimiter "$(myint "$myint_opts, DELIMITER = ';'")" "$(recreated myint)"
repair_case base_type_category "$(mytext "${mytext_opts/\'S\'/\'U\'}")" "$(recreated mytext)"
repair_case base_type_collatable "$(mytext "$mytext_opts, COLLATABLE = true")" "$(recreated mytext)"
repair_case base_type_alignment "$(mytext "$mytext_opts, ALIGNMENT = double")" "$(recreated mytext)"
repair_case base_type_internallength "$(pt "${pt_opts/= 16/= 24}")" "$(recreated pt)"
repair_case base_type_element "$(pt "${pt_opts/float8/bigint}")" "$(recreated pt)"
repair_case base_type_added "CREATE TYPE rf.pt2; CREATE FUNCTION rf.pt2_in(cstring) RETURNS rf.pt2 AS 'point_in' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION rf.pt2_out(rf.pt2) RETURNS cstring AS 'point_out' LANGUAGE internal IMMUTABLE STRICT;
  CREATE TYPE rf.pt2 (INPUT = rf.pt2_in, OUTPUT = rf.pt2_out, INTERNALLENGTH = 16)"
repair_case base_type_removed "DROP TYPE rf.pt CASCADE"
# ---- shell types -------------------------------------------------------------------------
repair_case shell_type_added "CREATE TYPE rf.alone"
repair_case shell_type_removed "DROP TYPE rf.lonely"
repair_case shell_type_owner "ALTER TYPE rf.lonely OWNER TO rf_owner"
repair_case shell_type_comment "COMMENT ON TYPE rf.lonely IS 'alone'"
# ---- composite types: ALTER TYPE ... ADD, DROP and ALTER ATTRIBUTE -------------------------
repair_case composite_attribute_added "ALTER TYPE rf.pair DROP ATTRIBUTE c"
repair_case composite_attribute_dropped "ALTER TYPE rf.pair ADD ATTRIBUTE d date" \
  "attribute d of composite type rf.pair dropped"
repair_case composite_attribute_type "ALTER TYPE rf.duo ALTER ATTRIBUTE x TYPE bigint"
repair_case composite_attribute_collation "ALTER TYPE rf.duo ALTER ATTRIBUTE y TYPE text COLLATE \"POSIX\""
repair_case composite_attribute_order \
  "DROP FUNCTION rf.first(rf.duo); DROP TYPE rf.duo; CREATE TYPE rf.duo AS (y text COLLATE \"C\", x integer);
   CREATE FUNCTION rf.first(rf.duo) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT \$1.x'"
repair_case composite_owner "ALTER TYPE rf.pair OWNER TO rf_owner"
repair_case composite_acl "REVOKE USAGE ON TYPE rf.pair FROM rf_other"
repair_case composite_comment "COMMENT ON TYPE rf.pair IS 'pairs'"
repair_case composite_added "CREATE TYPE rf.trio AS (a integer, b integer, c integer)"
repair_case composite_removed "DROP TYPE rf.duo CASCADE"
# ---- domains: ALTER DOMAIN, or dropped and created with what uses it ------------------------
repair_case domain_default "ALTER DOMAIN rf.code SET DEFAULT 'y'"
repair_case domain_default_lost "ALTER DOMAIN rf.code DROP DEFAULT"
repair_case domain_not_null "ALTER DOMAIN rf.code DROP NOT NULL"
repair_case domain_constraint "ALTER DOMAIN rf.code DROP CONSTRAINT code_len"
repair_case domain_constraint_added "ALTER DOMAIN rf.pos ADD CONSTRAINT pos_small CHECK (VALUE < 100)"
repair_case domain_owner "ALTER DOMAIN rf.code OWNER TO rf_owner"
repair_case domain_acl "REVOKE USAGE ON DOMAIN rf.code FROM PUBLIC"
repair_case domain_comment "COMMENT ON DOMAIN rf.code IS 'codes'"
domain() { echo "DROP FUNCTION rf.code_of(rf.code); DROP DOMAIN rf.code; CREATE DOMAIN rf.code AS $1;
  CREATE FUNCTION rf.code_of(rf.code) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT \$1::text'; COMMENT ON DOMAIN rf.code IS 'short'"; }
rest="DEFAULT 'x' NOT NULL CONSTRAINT code_len CHECK (length(VALUE) < 10)"
repair_case domain_type "$(domain "varchar(20) COLLATE \"C\" $rest")"
repair_case domain_collation "$(domain "varchar(10) COLLATE \"POSIX\" $rest")"
repair_case domain_added "CREATE DOMAIN rf.neg AS integer CHECK (VALUE < 0)"
repair_case domain_removed "DROP DOMAIN rf.pos"
# ---- enums -------------------------------------------------------------------------------
repair_case enum_labels_added "ALTER TYPE rf.mood ADD VALUE 'extreme'"
repair_case enum_labels_missing "DROP TYPE rf.level; CREATE TYPE rf.level AS ENUM ('b')"
repair_case enum_owner "ALTER TYPE rf.mood OWNER TO rf_owner"
repair_case enum_acl "REVOKE USAGE ON TYPE rf.mood FROM PUBLIC"
repair_case enum_comment "COMMENT ON TYPE rf.mood IS NULL"
repair_case enum_added "CREATE TYPE rf.color AS ENUM ('red')"
repair_case enum_removed "DROP TYPE rf.level"

# ---- every (kind, attribute) pair of this file's kinds has a case ------------------------
[ -n "${REPAIR_ONLY:-}" ] || check_coverage diff_sql_repair_routines_types "$work/pairs"

done_testing
