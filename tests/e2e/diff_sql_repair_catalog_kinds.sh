#!/usr/bin/env bash
# squash_diff_sql() for the kinds issue #15 added, as diff_sql_repair.sh does for the others:
# a database that differs from snapshot 'base' (tests/fixtures/repair/catalog_kinds.sql) by
# one attribute of one object, or by one object added or removed, runs the script with psql,
# and its fingerprint is the snapshot's again. Most of these kinds belong to the whole
# database, so the snapshot does too; a failed case builds the fixture again from nothing
# (catalog_kinds_drop.sql). Subscriptions are created with connect = false (no publisher).
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/repair_harness.bash"
source "$(dirname "$0")/lib/repair_coverage.bash"
work=$(mktemp -d /tmp/e2e_repair_kinds.XXXXXX)
chmod 755 "$work"
db=e2e_repair_kinds
roles="rk_owner rk_other rk_super"
drop_roles() {  # once the test database is gone, nothing of them is left
  for r in $roles; do q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
fixture=$SQUASH_SRC/tests/fixtures/repair/catalog_kinds.sql
undo=$SQUASH_SRC/tests/fixtures/repair/catalog_kinds_drop.sql
# The database goes with its subscriptions, which DROP DATABASE refuses to take along.
trap 'psql -X -q -d $db -f "$undo" >/dev/null 2>&1; drop_test_databases; drop_roles; rm -rf "$work"' EXIT

for r in $roles; do
  attrs=NOLOGIN; [ $r = rk_super ] && attrs="NOLOGIN SUPERUSER"
  q -d postgres -c "DO \$\$BEGIN CREATE ROLE $r $attrs; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" >/dev/null
done
new_database $db
q -d $db -c "CREATE EXTENSION pg_squash; GRANT CREATE ON DATABASE $db TO rk_owner" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = error" -f "$fixture" >"$work/base.log" 2>&1
ok $? "the fixture builds" || sed 's/^/#   /' "$work/base.log"
scope=NULL
fp_base=$(q -d $db -c "SELECT squash_snapshot('base', $scope)")
reset_base() {
  psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$undo" >"$work/reset.log" 2>&1 &&
    psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = error" -f "$fixture" >>"$work/reset.log" 2>&1
  is "$(fingerprint)" "$fp_base" "(the fixture is built again)" || sed 's/^/#   /' "$work/reset.log"
}

# ---- schemas and extensions (the whole database's) --------------------------------------
repair_case schema_added "CREATE SCHEMA rk2"
repair_case schema_removed "DROP SCHEMA rk_empty"
repair_case schema_owner "ALTER SCHEMA rk_empty OWNER TO rk_owner"
repair_case schema_acl "REVOKE USAGE ON SCHEMA rk_empty FROM rk_other"
repair_case schema_comment "COMMENT ON SCHEMA rk_empty IS 'still nothing'"
repair_case extension_added "CREATE EXTENSION citext SCHEMA rk_empty"
repair_case extension_removed "DROP EXTENSION hstore"
repair_case extension_version "DROP EXTENSION hstore; CREATE EXTENSION hstore SCHEMA rk VERSION '1.7'"
repair_case extension_schema "ALTER EXTENSION hstore SET SCHEMA rk_empty"
# ---- languages and transforms (CREATE OR REPLACE LANGUAGE keeps owner and grants) ---------
lang="LANGUAGE rk_pl HANDLER rk.h INLINE rk.inl VALIDATOR rk.val"
repair_case language_trusted "CREATE OR REPLACE $lang"
repair_case language_handler "CREATE OR REPLACE TRUSTED ${lang/rk.h /rk.h2 }"
repair_case language_inline "CREATE OR REPLACE TRUSTED ${lang/ INLINE rk.inl/}"
repair_case language_validator "CREATE OR REPLACE TRUSTED ${lang/ VALIDATOR rk.val/}"
repair_case language_owner "ALTER LANGUAGE rk_pl OWNER TO rk_super"
repair_case language_acl "REVOKE USAGE ON LANGUAGE rk_pl FROM rk_other"
repair_case language_comment "COMMENT ON LANGUAGE rk_pl IS NULL"
repair_case language_added "CREATE LANGUAGE rk_pl2 HANDLER rk.h"
repair_case language_removed "DROP LANGUAGE rk_pl CASCADE"
tf="TRANSFORM FOR integer LANGUAGE rk_pl"
repair_case transform_from_sql \
  "CREATE OR REPLACE $tf (FROM SQL WITH FUNCTION rk.from_sql2(internal), TO SQL WITH FUNCTION rk.to_int(internal))"
repair_case transform_to_sql "CREATE OR REPLACE $tf (FROM SQL WITH FUNCTION rk.from_sql(internal))"
repair_case transform_comment "COMMENT ON $tf IS 'ints'"
repair_case transform_added "CREATE TRANSFORM FOR bigint LANGUAGE rk_pl (FROM SQL WITH FUNCTION rk.from_sql(internal))"
repair_case transform_removed "DROP $tf"
# ---- access methods (a handler serves one type: the type never changes alone) ------------
repair_case access_method_handler "DROP ACCESS METHOD rk_tab; CREATE ACCESS METHOD rk_tab TYPE TABLE HANDLER rk.tam"
repair_case access_method_type_and_handler "DROP ACCESS METHOD rk_tab; CREATE ACCESS METHOD rk_tab TYPE INDEX HANDLER bthandler"
repair_case access_method_comment "COMMENT ON ACCESS METHOD rk_idx IS 'btree again'"
repair_case access_method_added "CREATE ACCESS METHOD rk_am2 TYPE INDEX HANDLER hashhandler"
repair_case access_method_removed "DROP ACCESS METHOD rk_idx CASCADE"
# ---- casts (an INOUT cast has no function: method and function change together) ----------
repair_case cast_function "DROP CAST (rk.pt AS text); CREATE CAST (rk.pt AS text) WITH FUNCTION rk.pt_text2(rk.pt) AS ASSIGNMENT"
repair_case cast_method "DROP CAST (rk.pt AS text); CREATE CAST (rk.pt AS text) WITH INOUT AS ASSIGNMENT"
repair_case cast_context "DROP CAST (rk.pt AS integer); CREATE CAST (rk.pt AS integer) WITH INOUT AS IMPLICIT"
repair_case cast_comment "COMMENT ON CAST (rk.pt AS integer) IS 'text first'"
repair_case cast_added "CREATE CAST (rk.pt AS bigint) WITH INOUT"
repair_case cast_removed "DROP CAST (rk.pt AS integer)"
# ---- collations and conversions --------------------------------------------------------
repair_case collation_locale "DROP COLLATION rk.coll; CREATE COLLATION rk.coll (provider = icu, locale = 'und-u-ks-level1', deterministic = false)"
repair_case collation_deterministic "DROP COLLATION rk.coll; CREATE COLLATION rk.coll (provider = icu, locale = 'und-u-ks-level2')"
repair_case collation_lc_collate "DROP COLLATION rk.lcoll; CREATE COLLATION rk.lcoll (provider = libc, lc_collate = 'POSIX', lc_ctype = 'C')"
repair_case collation_lc_ctype "DROP COLLATION rk.lcoll; CREATE COLLATION rk.lcoll (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX')"
repair_case collation_provider "DROP COLLATION rk.lcoll; CREATE COLLATION rk.lcoll (provider = icu, locale = 'und')"
repair_case collation_owner "ALTER COLLATION rk.coll OWNER TO rk_owner"
repair_case collation_added "CREATE COLLATION rk.coll2 (provider = icu, locale = 'de')"
repair_case collation_removed "DROP COLLATION rk.lcoll"
repair_case collation_comment "COMMENT ON COLLATION rk.coll IS 'case-insensitive'"
repair_case conversion_function "DROP CONVERSION rk.conv; CREATE CONVERSION rk.conv FOR 'LATIN1' TO 'UTF8' FROM rk.l1_u8"
repair_case conversion_default "DROP CONVERSION rk.conv; CREATE DEFAULT CONVERSION rk.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8"
repair_case conversion_encodings "DROP CONVERSION rk.conv; CREATE CONVERSION rk.conv FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1"
repair_case conversion_owner "ALTER CONVERSION rk.conv OWNER TO rk_owner"
repair_case conversion_comment "COMMENT ON CONVERSION rk.conv IS 'latin'"
repair_case conversion_added "CREATE CONVERSION rk.conv2 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1"
repair_case conversion_removed "DROP CONVERSION rk.conv"
# ---- aggregates: each option of CREATE AGGREGATE --------------------------------------
total="SFUNC = rk.sum_step, STYPE = bigint, INITCOND = '0', FINALFUNC = rk.sum_final, COMBINEFUNC = int8pl, PARALLEL = SAFE, MSFUNC = rk.sum_step, MINVFUNC = rk.sum_inv, MSTYPE = bigint, MINITCOND = '0', MFINALFUNC = rk.sum_final"
# (GRANT: the default privileges of the fixture would give a new aggregate another ACL.)
agg() { echo "DROP AGGREGATE rk.total(integer); CREATE AGGREGATE rk.total($1) ($2); GRANT EXECUTE ON FUNCTION rk.total(integer) TO PUBLIC"; }
moving="MSFUNC = rk.sum_step, MINVFUNC = rk.sum_inv, MSTYPE = bigint, MINITCOND = '0', MFINALFUNC = rk.sum_final"
minit="MINITCOND = '0'"
repair_case aggregate_arguments "$(agg "n integer" "$total")"
repair_case aggregate_parallel "$(agg integer "${total/PARALLEL = SAFE/PARALLEL = RESTRICTED}")"
repair_case aggregate_sfunc "$(agg integer "${total/SFUNC = rk.sum_step,/SFUNC = rk.sum_inv,}")"
repair_case aggregate_sspace "$(agg integer "$total, SSPACE = 64")"
repair_case aggregate_initcond "$(agg integer "${total/"${minit#M}"/INITCOND = 1}")"
repair_case aggregate_finalfunc "$(agg integer "${total/FINALFUNC = rk.sum_final,/}")"
repair_case aggregate_finalfunc_extra "$(agg integer "${total/FINALFUNC = rk.sum_final,/FINALFUNC = rk.sum_final_x,}, FINALFUNC_EXTRA")"
repair_case aggregate_finalfunc_modify "$(agg integer "$total, FINALFUNC_MODIFY = READ_WRITE")"
repair_case aggregate_combinefunc "$(agg integer "${total/COMBINEFUNC = int8pl,/}")"
repair_case aggregate_msfunc "$(agg integer "${total/, "$moving"/}")"
repair_case aggregate_minvfunc "$(agg integer "${total/MINVFUNC = rk.sum_inv/MINVFUNC = rk.sum_step}")"
repair_case aggregate_msspace "$(agg integer "$total, MSSPACE = 64")"
repair_case aggregate_minitcond "$(agg integer "${total/"$minit"/MINITCOND = '2'}")"
repair_case aggregate_mfinalfunc "$(agg integer "${total/, MFINALFUNC = rk.sum_final/}")"
repair_case aggregate_mfinalfunc_extra "$(agg integer "${total/MFINALFUNC = rk.sum_final/MFINALFUNC = rk.sum_final_x}, MFINALFUNC_EXTRA")"
repair_case aggregate_mfinalfunc_modify "$(agg integer "$total, MFINALFUNC_MODIFY = READ_WRITE")"
repair_case aggregate_sortop "DROP AGGREGATE rk.biggest(integer); CREATE AGGREGATE rk.biggest(integer) (SFUNC = int4larger, STYPE = integer)"
repair_case aggregate_kind "DROP AGGREGATE rk.biggest(integer); CREATE AGGREGATE rk.biggest(ORDER BY integer) (SFUNC = int4larger, STYPE = integer)"
repair_case aggregate_stype \
  "DROP AGGREGATE rk.biggest(integer); CREATE AGGREGATE rk.biggest(integer) (SFUNC = int4_avg_accum, STYPE = bigint[], INITCOND = '{0,0}')"
repair_case aggregate_serialfunc_deserialfunc \
  "DROP AGGREGATE rk.avg_n(numeric); CREATE AGGREGATE rk.avg_n(numeric) (SFUNC = numeric_avg_accum, STYPE = internal,
     FINALFUNC = numeric_avg, COMBINEFUNC = numeric_avg_combine)"  # only both together
repair_case aggregate_owner "ALTER AGGREGATE rk.total(integer) OWNER TO rk_owner"
repair_case aggregate_acl "REVOKE EXECUTE ON FUNCTION rk.total(integer) FROM PUBLIC"
repair_case aggregate_removed "DROP AGGREGATE rk.biggest(integer)"
repair_case aggregate_added "CREATE AGGREGATE rk.smallest(integer) (SFUNC = int4smaller, STYPE = integer)"
repair_case aggregate_comment "COMMENT ON AGGREGATE rk.total(integer) IS 'a sum'"
# ---- operators (ALTER OPERATOR sets RESTRICT and JOIN; the rest is CREATE OPERATOR's) -----
op="FUNCTION = rk.eq, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = OPERATOR(rk.===), NEGATOR = OPERATOR(rk.!==), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES"
oper() { echo "DROP OPERATOR rk.=== (integer, integer); CREATE OPERATOR rk.=== ($1)"; }
repair_case operator_function "$(oper "${op/rk.eq/rk.ne}")"
repair_case operator_commutator "$(oper "${op/COMMUTATOR = OPERATOR(rk.===), /}")"
repair_case operator_negator "$(oper "${op/NEGATOR = OPERATOR(rk.!==), /}")"
repair_case operator_restrict "ALTER OPERATOR rk.=== (integer, integer) SET (RESTRICT = NONE)"
repair_case operator_join "ALTER OPERATOR rk.=== (integer, integer) SET (JOIN = NONE)"
repair_case operator_hashes "$(oper "${op/, HASHES/}")"
repair_case operator_merges "$(oper "${op/, MERGES/}")"
repair_case operator_shell_filled "CREATE OPERATOR rk.@! (FUNCTION = rk.ne, LEFTARG = integer, RIGHTARG = integer)"
repair_case operator_owner "ALTER OPERATOR rk.!== (integer, integer) OWNER TO rk_owner"
repair_case operator_comment "COMMENT ON OPERATOR rk.!== (integer, integer) IS 'not equal'"
repair_case operator_added "CREATE OPERATOR rk.<<< (FUNCTION = int4lt, LEFTARG = integer, RIGHTARG = integer)"
repair_case operator_removed "DROP OPERATOR rk.@@ (integer, integer)"
# ---- operator families and classes ----------------------------------------------------
ops="OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(integer, integer)"
repair_case opfamily_operator "ALTER OPERATOR FAMILY rk.fam USING btree DROP OPERATOR 1 (integer, bigint)"
repair_case opfamily_function "ALTER OPERATOR FAMILY rk.fam USING btree DROP FUNCTION 1 (integer, bigint)"
repair_case opfamily_owner "ALTER OPERATOR FAMILY rk.fam USING btree OWNER TO rk_owner"
repair_case opfamily_comment "COMMENT ON OPERATOR FAMILY rk.fam USING btree IS 'ints'"
repair_case opfamily_added "CREATE OPERATOR FAMILY rk.fam2 USING hash"
repair_case opfamily_removed "DROP OPERATOR FAMILY rk.fam_spare USING hash"
repair_case opclass_default "DROP OPERATOR CLASS rk.i4 USING rk_idx; CREATE OPERATOR CLASS rk.i4 FOR TYPE integer USING rk_idx FAMILY rk.i4 AS $ops"
repair_case opclass_operator "DROP OPERATOR CLASS rk.i4 USING rk_idx; CREATE OPERATOR CLASS rk.i4 DEFAULT FOR TYPE integer USING rk_idx FAMILY rk.i4 AS ${ops/OPERATOR 2 <=, /}"
repair_case opclass_function \
  "DROP OPERATOR CLASS rk.i4 USING rk_idx; CREATE OPERATOR CLASS rk.i4 DEFAULT FOR TYPE integer USING rk_idx FAMILY rk.i4 AS $ops, FUNCTION 4 btequalimage(oid)"
repair_case opclass_family "CREATE OPERATOR FAMILY rk.fam2 USING btree; DROP OPERATOR CLASS rk.ops USING btree; CREATE OPERATOR CLASS rk.ops FOR TYPE integer USING btree FAMILY rk.fam2 AS $ops" 
repair_case opclass_type \
  "DROP OPERATOR CLASS rk.ops USING btree; CREATE OPERATOR CLASS rk.ops FOR TYPE bigint USING btree FAMILY rk.fam AS OPERATOR 1 <, FUNCTION 1 btint8cmp(bigint, bigint)"
poly="CREATE OPERATOR CLASS rk.poly FOR TYPE polygon USING gist AS OPERATOR 3 && (polygon, polygon), OPERATOR 7 @> (polygon, polygon),
  FUNCTION 1 gist_poly_consistent(internal, polygon, smallint, oid, internal), FUNCTION 2 gist_box_union(internal, internal),
  FUNCTION 3 gist_poly_compress(internal), FUNCTION 5 gist_box_penalty(internal, internal, internal),
  FUNCTION 6 gist_box_picksplit(internal, internal), FUNCTION 7 gist_box_same(box, box, internal)"
# (GiST keeps a class's operators in its family when the class goes: the family goes too.)
repair_case opclass_storage "DROP OPERATOR FAMILY rk.poly USING gist; $poly"
repair_case opclass_owner "ALTER OPERATOR CLASS rk.ops USING btree OWNER TO rk_owner"
repair_case opclass_comment "COMMENT ON OPERATOR CLASS rk.ops USING btree IS 'ints'"
repair_case opclass_removed "DROP OPERATOR CLASS rk.ops USING btree"
repair_case opclass_added "CREATE OPERATOR CLASS rk.ops8 FOR TYPE bigint USING btree AS OPERATOR 1 <, FUNCTION 1 btint8cmp(bigint, bigint)"
# ---- text search ------------------------------------------------------------------------
prs="START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline"
cfg="CREATE TEXT SEARCH CONFIGURATION rk.cfg (PARSER = rk.prs);
     ALTER TEXT SEARCH CONFIGURATION rk.cfg ADD MAPPING FOR word, asciiword WITH rk.dict, simple"
parser() { echo "DROP TEXT SEARCH PARSER rk.prs CASCADE; CREATE TEXT SEARCH PARSER rk.prs ($1); $cfg"; }
repair_case ts_parser_start "$(parser "${prs/prsd_start/rk.pstart}")"
repair_case ts_parser_gettoken "$(parser "${prs/prsd_nexttoken/rk.ptoken}")"
repair_case ts_parser_end "$(parser "${prs/prsd_end/rk.pend}")"
repair_case ts_parser_lextypes "$(parser "${prs/prsd_lextype/rk.plex}")"
repair_case ts_parser_headline "$(parser "${prs/, HEADLINE = prsd_headline/}")"
repair_case ts_parser_comment "COMMENT ON TEXT SEARCH PARSER rk.prs IS 'default'"
repair_case ts_parser_added "CREATE TEXT SEARCH PARSER rk.prs2 ($prs)"
repair_case ts_parser_removed "DROP TEXT SEARCH PARSER rk.prs CASCADE"
tmpl() { echo "DROP TEXT SEARCH TEMPLATE rk.tmpl CASCADE; CREATE TEXT SEARCH TEMPLATE rk.tmpl ($1);
  CREATE TEXT SEARCH DICTIONARY rk.dict (TEMPLATE = rk.tmpl, STOPWORDS = english); $cfg"; }
repair_case ts_template_init "$(tmpl "INIT = rk.tinit, LEXIZE = dsimple_lexize")"
repair_case ts_template_lexize "$(tmpl "INIT = dsimple_init, LEXIZE = rk.tlex")"
repair_case ts_template_comment "COMMENT ON TEXT SEARCH TEMPLATE rk.tmpl IS 'simple'"
repair_case ts_template_added "CREATE TEXT SEARCH TEMPLATE rk.tmpl2 (LEXIZE = dsimple_lexize)"
repair_case ts_template_removed "DROP TEXT SEARCH TEMPLATE rk.tmpl CASCADE"
repair_case ts_dictionary_options "ALTER TEXT SEARCH DICTIONARY rk.dict (ACCEPT = false)"
repair_case ts_dictionary_template \
  "DROP TEXT SEARCH DICTIONARY rk.dict CASCADE; CREATE TEXT SEARCH DICTIONARY rk.dict (TEMPLATE = simple, STOPWORDS = english); $cfg"
repair_case ts_dictionary_owner "ALTER TEXT SEARCH DICTIONARY rk.dict OWNER TO rk_owner"
repair_case ts_dictionary_comment "COMMENT ON TEXT SEARCH DICTIONARY rk.dict IS 'stop'"
repair_case ts_dictionary_added "CREATE TEXT SEARCH DICTIONARY rk.dict2 (TEMPLATE = simple)"
repair_case ts_dictionary_removed "DROP TEXT SEARCH DICTIONARY rk.dict CASCADE"
repair_case ts_config_parser \
  "DROP TEXT SEARCH CONFIGURATION rk.cfg; CREATE TEXT SEARCH CONFIGURATION rk.cfg (PARSER = default);
   ALTER TEXT SEARCH CONFIGURATION rk.cfg ADD MAPPING FOR word, asciiword WITH rk.dict, simple"
repair_case ts_config_mapping_changed "ALTER TEXT SEARCH CONFIGURATION rk.cfg ALTER MAPPING FOR word WITH simple"
repair_case ts_config_mapping_added "ALTER TEXT SEARCH CONFIGURATION rk.cfg ADD MAPPING FOR email WITH simple"
repair_case ts_config_owner "ALTER TEXT SEARCH CONFIGURATION rk.cfg OWNER TO rk_owner"
repair_case ts_config_comment "COMMENT ON TEXT SEARCH CONFIGURATION rk.cfg IS 'words'"
repair_case ts_config_removed "DROP TEXT SEARCH CONFIGURATION rk.cfg"
repair_case ts_config_added "CREATE TEXT SEARCH CONFIGURATION rk.cfg2 (PARSER = default)"
# ---- range types ------------------------------------------------------------------------
frange="SUBTYPE = float8, SUBTYPE_DIFF = rk.f8diff, MULTIRANGE_TYPE_NAME = rk.fmrange"
range() { echo "DROP TYPE rk.$1; CREATE TYPE rk.$1 AS RANGE ($2)"; }
repair_case range_subtype "$(range frange "SUBTYPE = float4, SUBTYPE_DIFF = rk.f4diff, MULTIRANGE_TYPE_NAME = rk.fmrange")"
repair_case range_subtype_diff "$(range frange "${frange/, SUBTYPE_DIFF = rk.f8diff/}")"
repair_case range_multirange_name "$(range frange "${frange/rk.fmrange/rk.float_ranges}")"
repair_case range_collation "$(range trange "SUBTYPE = text, COLLATION = \"POSIX\"")"
repair_case range_subtype_opclass "$(range trange "SUBTYPE = text, COLLATION = \"C\", SUBTYPE_OPCLASS = text_pattern_ops")"
repair_case range_owner "ALTER TYPE rk.frange OWNER TO rk_owner"
repair_case range_acl "REVOKE USAGE ON TYPE rk.frange FROM PUBLIC"
repair_case range_comment "COMMENT ON TYPE rk.frange IS 'floats'"
repair_case range_added "CREATE TYPE rk.irange AS RANGE (SUBTYPE = integer)"
repair_case range_removed "DROP TYPE rk.trange"
# ---- rules and extended statistics ------------------------------------------------------
repair_case rule_definition "CREATE OR REPLACE RULE t_audit AS ON UPDATE TO rk.t DO ALSO INSERT INTO rk.audit (a) VALUES (OLD.a)"
repair_case rule_event "DROP RULE t_audit ON rk.t; CREATE RULE t_audit AS ON DELETE TO rk.t DO ALSO INSERT INTO rk.audit (a) VALUES (OLD.a)"
repair_case rule_instead "CREATE OR REPLACE RULE t_audit AS ON UPDATE TO rk.t DO INSTEAD INSERT INTO rk.audit (a) VALUES (NEW.a)"
repair_case rule_enabled "ALTER TABLE rk.t DISABLE RULE t_audit"
repair_case rule_comment "COMMENT ON RULE t_audit ON rk.t IS 'audit'"
repair_case rule_removed "DROP RULE t_audit ON rk.t"
repair_case rule_added "CREATE RULE t_quiet AS ON DELETE TO rk.audit DO INSTEAD NOTHING"
repair_case statistics_columns "DROP STATISTICS rk.t_st; CREATE STATISTICS rk.t_st (dependencies) ON a, c FROM rk.t; ALTER STATISTICS rk.t_st SET STATISTICS 50"
repair_case statistics_kinds "DROP STATISTICS rk.t_st; CREATE STATISTICS rk.t_st (ndistinct) ON a, b FROM rk.t; ALTER STATISTICS rk.t_st SET STATISTICS 50"
repair_case statistics_table \
  "ALTER TABLE rk.audit ADD COLUMN b text; DROP STATISTICS rk.t_st; CREATE STATISTICS rk.t_st (dependencies) ON a, b FROM rk.audit;
   ALTER STATISTICS rk.t_st SET STATISTICS 50" "rk.audit.b"
repair_case statistics_target "ALTER STATISTICS rk.t_st SET STATISTICS -1"
repair_case statistics_owner "ALTER STATISTICS rk.t_st OWNER TO rk_owner"
repair_case statistics_comment "COMMENT ON STATISTICS rk.t_st IS 'a and b'"
repair_case statistics_removed "DROP STATISTICS rk.t_st"
repair_case statistics_added "CREATE STATISTICS rk.t_st2 ON a, c FROM rk.t"
# ---- foreign-data wrappers, servers, user mappings, foreign tables --------------------------
repair_case fdw_handler "ALTER FOREIGN DATA WRAPPER rk_w2 HANDLER rk.fdwh"
repair_case fdw_validator "ALTER FOREIGN DATA WRAPPER rk_w2 VALIDATOR postgresql_fdw_validator"
repair_case fdw_options "ALTER FOREIGN DATA WRAPPER rk_w OPTIONS (SET debug 'off')"
repair_case fdw_secret_options "ALTER FOREIGN DATA WRAPPER rk_w OPTIONS (ADD password 'secret')"
repair_case fdw_owner "ALTER FOREIGN DATA WRAPPER rk_w OWNER TO rk_super"
repair_case fdw_acl "GRANT USAGE ON FOREIGN DATA WRAPPER rk_w TO rk_other"
repair_case fdw_comment "COMMENT ON FOREIGN DATA WRAPPER rk_w IS 'wraps'"
repair_case fdw_added "CREATE FOREIGN DATA WRAPPER rk_w3"
repair_case fdw_removed "DROP FOREIGN DATA WRAPPER rk_w2"
repair_case server_type "DROP SERVER rk_s CASCADE; CREATE SERVER rk_s TYPE 'other' VERSION '1' FOREIGN DATA WRAPPER rk_w OPTIONS (host 'remote');
  CREATE USER MAPPING FOR rk_other SERVER rk_s OPTIONS (user 'r');
  CREATE FOREIGN TABLE rk.ft (id integer NOT NULL, v text OPTIONS (col 'V')) SERVER rk_s OPTIONS (tab 'x');
  CREATE FOREIGN TABLE rk.fpart PARTITION OF rk.parted FOR VALUES FROM (0) TO (10) SERVER rk_s"
repair_case server_wrapper "DROP SERVER rk_s CASCADE; CREATE SERVER rk_s TYPE 'pg' VERSION '1' FOREIGN DATA WRAPPER rk_w2 OPTIONS (host 'remote');
  CREATE USER MAPPING FOR rk_other SERVER rk_s OPTIONS (user 'r');
  CREATE FOREIGN TABLE rk.ft (id integer NOT NULL, v text OPTIONS (col 'V')) SERVER rk_s OPTIONS (tab 'x');
  CREATE FOREIGN TABLE rk.fpart PARTITION OF rk.parted FOR VALUES FROM (0) TO (10) SERVER rk_s"
repair_case server_version "ALTER SERVER rk_s VERSION '2'"
repair_case server_options "ALTER SERVER rk_s OPTIONS (SET host 'elsewhere')"
repair_case server_secret_options "ALTER SERVER rk_s OPTIONS (ADD password 'secret')"
repair_case server_owner "ALTER SERVER rk_s OWNER TO rk_super"
repair_case server_acl "GRANT USAGE ON FOREIGN SERVER rk_s TO rk_other"
repair_case server_comment "COMMENT ON SERVER rk_s IS 'remote'"
repair_case server_added "CREATE SERVER rk_s3 FOREIGN DATA WRAPPER rk_w"
repair_case server_removed "DROP SERVER rk_s2"
repair_case user_mapping_options "ALTER USER MAPPING FOR rk_other SERVER rk_s OPTIONS (SET user 'q')"
repair_case user_mapping_secret_options "ALTER USER MAPPING FOR rk_other SERVER rk_s OPTIONS (ADD password 'secret')"
repair_case user_mapping_added "CREATE USER MAPPING FOR rk_owner SERVER rk_s"
repair_case user_mapping_removed "DROP USER MAPPING FOR rk_other SERVER rk_s"
repair_case foreign_table_options "ALTER FOREIGN TABLE rk.ft OPTIONS (SET tab 'y')"
repair_case foreign_table_secret_options "ALTER FOREIGN TABLE rk.ft OPTIONS (ADD password 'secret')"
repair_case foreign_table_server \
  "DROP FOREIGN TABLE rk.ft; CREATE FOREIGN TABLE rk.ft (id integer NOT NULL, v text OPTIONS (col 'V')) SERVER rk_s2 OPTIONS (tab 'x')"
repair_case foreign_table_inherits "ALTER FOREIGN TABLE rk.ft INHERIT rk.ft_parent"
repair_case foreign_table_partition_bound \
  "ALTER TABLE rk.parted DETACH PARTITION rk.fpart; ALTER TABLE rk.parted ATTACH PARTITION rk.fpart FOR VALUES FROM (0) TO (20)"
repair_case foreign_table_detached "ALTER TABLE rk.parted DETACH PARTITION rk.fpart"
repair_case foreign_table_owner "ALTER FOREIGN TABLE rk.ft OWNER TO rk_owner"
repair_case foreign_table_acl "GRANT SELECT ON rk.ft TO rk_other"
repair_case foreign_table_comment "COMMENT ON FOREIGN TABLE rk.ft IS 'remote rows'"
repair_case foreign_table_added "CREATE FOREIGN TABLE rk.ft2 (id integer) SERVER rk_s"
repair_case foreign_table_removed "DROP FOREIGN TABLE rk.ft"
# ---- publications and subscriptions -----------------------------------------------------
repair_case publication_publish "ALTER PUBLICATION rk_pub SET (publish = 'insert')"
repair_case publication_via_root "ALTER PUBLICATION rk_pub SET (publish_via_partition_root = true)"
repair_case publication_table_changed "ALTER PUBLICATION rk_pub SET TABLE rk.t (a) WHERE (a > 10)"
repair_case publication_table_added "ALTER PUBLICATION rk_pub ADD TABLE rk.audit"
repair_case publication_schemas "ALTER PUBLICATION rk_pub2 DROP TABLES IN SCHEMA rk"
repair_case publication_all_tables "DROP PUBLICATION rk_pub2; CREATE PUBLICATION rk_pub2 FOR ALL TABLES"
repair_case publication_owner "ALTER PUBLICATION rk_pub OWNER TO rk_owner"
repair_case publication_comment "COMMENT ON PUBLICATION rk_pub IS 'inserts'"
repair_case publication_added "CREATE PUBLICATION rk_pub3"
repair_case publication_removed "DROP PUBLICATION rk_pub"
repair_case subscription_conninfo "ALTER SUBSCRIPTION rk_sub CONNECTION 'host=other dbname=x'"
repair_case subscription_conninfo_secrets "ALTER SUBSCRIPTION rk_sub CONNECTION 'host=pub dbname=x password=secret'"
repair_case subscription_publications "ALTER SUBSCRIPTION rk_sub SET PUBLICATION p, q WITH (refresh = false)"
repair_case subscription_binary "ALTER SUBSCRIPTION rk_sub SET (binary = false)"
repair_case subscription_streaming "ALTER SUBSCRIPTION rk_sub SET (streaming = on)"
repair_case subscription_slot_name "ALTER SUBSCRIPTION rk_sub SET (slot_name = 'rk_slot')"
repair_case subscription_synchronous_commit "ALTER SUBSCRIPTION rk_sub SET (synchronous_commit = 'local')"
repair_case subscription_disable_on_error "ALTER SUBSCRIPTION rk_sub SET (disable_on_error = true)"
repair_case subscription_two_phase \
  "ALTER SUBSCRIPTION rk_sub SET (slot_name = NONE); DROP SUBSCRIPTION rk_sub;
   CREATE SUBSCRIPTION rk_sub CONNECTION 'host=pub dbname=x' PUBLICATION p WITH (connect = false, slot_name = NONE, binary = true, two_phase = true)"
repair_case subscription_owner "ALTER SUBSCRIPTION rk_sub OWNER TO rk_super"
repair_case subscription_comment "COMMENT ON SUBSCRIPTION rk_sub IS 'from pub'"
repair_case subscription_added "CREATE SUBSCRIPTION rk_sub2 CONNECTION 'host=pub dbname=y' PUBLICATION p WITH (connect = false, slot_name = NONE)"
repair_case subscription_removed "DROP SUBSCRIPTION rk_sub"
# ---- event triggers and default privileges ----------------------------------------------
evt="CREATE EVENT TRIGGER rk_evt ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION rk.on_ddl()"
repair_case event_trigger_event "DROP EVENT TRIGGER rk_evt; ${evt/ddl_command_end/ddl_command_start}"
when=" WHEN TAG IN ('CREATE TABLE')"
repair_case event_trigger_tags "DROP EVENT TRIGGER rk_evt; ${evt/"$when"/}"
repair_case event_trigger_function \
  "CREATE FUNCTION rk.on_ddl2() RETURNS event_trigger LANGUAGE plpgsql AS \$\$BEGIN END\$\$; DROP EVENT TRIGGER rk_evt; ${evt/on_ddl/on_ddl2}"
repair_case event_trigger_enabled "ALTER EVENT TRIGGER rk_evt DISABLE"
repair_case event_trigger_owner "ALTER EVENT TRIGGER rk_evt OWNER TO rk_super"
repair_case event_trigger_comment "COMMENT ON EVENT TRIGGER rk_evt IS 'ddl'"
repair_case event_trigger_added "CREATE EVENT TRIGGER rk_evt2 ON sql_drop EXECUTE FUNCTION rk.on_ddl()"
repair_case event_trigger_removed "DROP EVENT TRIGGER rk_evt"
repair_case default_privileges_grants "ALTER DEFAULT PRIVILEGES IN SCHEMA rk GRANT INSERT ON TABLES TO rk_other"
repair_case default_privileges_revokes "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM postgres"
repair_case default_privileges_added "ALTER DEFAULT PRIVILEGES IN SCHEMA rk GRANT USAGE ON SEQUENCES TO rk_other"
repair_case default_privileges_removed "ALTER DEFAULT PRIVILEGES IN SCHEMA rk REVOKE SELECT ON TABLES FROM rk_other"

# ---- every (kind, attribute) pair of this file's kinds has a case ------------------------
[ -n "${REPAIR_ONLY:-}" ] || check_coverage diff_sql_repair_catalog_kinds "$work/pairs"

done_testing
