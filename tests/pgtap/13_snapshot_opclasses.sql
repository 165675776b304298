-- Snapshots of operator families and operator classes (btree over a domain and over
-- integer, hash with loose family members, GiST with an ORDER BY operator, GIN): method,
-- input type, default flag, storage type, family, and every member (operators with their
-- strategy and sort family, support functions with their number and types) are
-- attributes, named by squash_diff old -> new; a change makes the stamp refuse.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(28);

CREATE SCHEMA oc;
CREATE ROLE tap_oc_owner;
-- btree over a domain: its own operators and comparison function.
CREATE DOMAIN oc.dint AS integer;
CREATE FUNCTION oc.lt(oc.dint, oc.dint) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1::int < $2::int';
CREATE FUNCTION oc.eq(oc.dint, oc.dint) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1::int = $2::int';
CREATE FUNCTION oc.cmp(oc.dint, oc.dint) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($1, $2)';
CREATE FUNCTION oc.cmp2(oc.dint, oc.dint) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($2, $1)';
CREATE OPERATOR oc.< (FUNCTION = oc.lt, LEFTARG = oc.dint, RIGHTARG = oc.dint);
CREATE OPERATOR oc.= (FUNCTION = oc.eq, LEFTARG = oc.dint, RIGHTARG = oc.dint);
CREATE OPERATOR CLASS oc.dint_ops DEFAULT FOR TYPE oc.dint USING btree AS
  OPERATOR 1 oc.<, OPERATOR 3 oc.=, FUNCTION 1 oc.cmp(oc.dint, oc.dint);
-- btree over integer in a family of its own, with a cross-type member the method moves
-- out of the class into the family.
CREATE OPERATOR FAMILY oc.fam USING btree;
CREATE OPERATOR CLASS oc.int_ops FOR TYPE integer USING btree FAMILY oc.fam AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  OPERATOR 1 < (integer, bigint), FUNCTION 1 btint4cmp(integer, integer);
-- hash, with members added to the family afterwards.
CREATE OPERATOR FAMILY oc.hfam USING hash;
CREATE OPERATOR CLASS oc.int_hash FOR TYPE integer USING hash FAMILY oc.hfam AS
  OPERATOR 1 =, FUNCTION 1 hashint4(integer);
ALTER OPERATOR FAMILY oc.hfam USING hash ADD OPERATOR 1 = (integer, bigint),
  FUNCTION 1 (bigint, bigint) hashint8(bigint);
-- GiST with an ordering operator and a storage type; GIN.
CREATE OPERATOR CLASS oc.pt_ops FOR TYPE point USING gist AS
  OPERATOR 1 <<, OPERATOR 5 >>, OPERATOR 15 <-> (point, point) FOR ORDER BY pg_catalog.float_ops,
  FUNCTION 1 gist_point_consistent(internal, point, smallint, oid, internal),
  FUNCTION 2 gist_box_union(internal, internal), FUNCTION 3 gist_point_compress(internal),
  FUNCTION 5 gist_box_penalty(internal, internal, internal),
  FUNCTION 6 gist_box_picksplit(internal, internal), FUNCTION 7 gist_box_same(box, box, internal),
  FUNCTION 8 gist_point_distance(internal, point, smallint, oid, internal),
  STORAGE box;
CREATE OPERATOR CLASS oc.ia_ops FOR TYPE integer[] USING gin AS
  OPERATOR 1 &&(anyarray, anyarray), OPERATOR 2 @>(anyarray, anyarray),
  FUNCTION 2 ginarrayextract(anyarray, internal, internal),
  FUNCTION 3 ginqueryarrayextract(anyarray, internal, smallint, internal, internal, internal, internal),
  FUNCTION 4 ginarrayconsistent(internal, smallint, anyarray, integer, internal, internal, internal, internal),
  STORAGE integer;
CREATE OPERATOR FAMILY oc.hfam2 USING hash;
SELECT pg_temp.nothing_unmodelled('btree, hash, GiST and GIN families and classes: none is unmodelled');

CREATE FUNCTION pg_temp.attrs(e_kind text, e_identity text) RETURNS jsonb LANGUAGE sql AS $f$
  SELECT j->'attrs' FROM jsonb_array_elements(squash_snapshot_export('oc_snap')->'objects') j
  WHERE j->>'kind' = e_kind AND j->>'identity' = e_identity
$f$;
DO $$BEGIN PERFORM squash_snapshot('oc_snap'); END$$;
SELECT is(pg_temp.attrs('operator class', 'oc.dint_ops USING btree'),
  jsonb_build_object('default', 'true', 'family', 'oc.dint_ops', 'type', 'oc.dint',
    'owner', current_user, 'operator 1 (oc.dint, oc.dint)', 'oc.<(oc.dint,oc.dint)',
    'operator 3 (oc.dint, oc.dint)', 'oc.=(oc.dint,oc.dint)',
    'function 1 (oc.dint, oc.dint)', 'oc.cmp(oc.dint,oc.dint)'),
  'a default class over a domain: its type, family, operators and support function');
SELECT is(pg_temp.attrs('operator family', 'oc.dint_ops USING btree'),
  jsonb_build_object('owner', current_user), 'the family CREATE OPERATOR CLASS made, without members');
SELECT is(pg_temp.attrs('operator family', 'oc.fam USING btree'),
  jsonb_build_object('owner', current_user, 'operator 1 (integer, bigint)', '<(integer,bigint)'),
  'a cross-type operator written in the class is the family''s');
SELECT is(pg_temp.attrs('operator family', 'oc.hfam USING hash') - 'owner',
  jsonb_build_object('operator 1 (integer, bigint)', '=(integer,bigint)',
    'function 1 (bigint, bigint)', 'hashint8(bigint)'),
  'members added with ALTER OPERATOR FAMILY ... ADD');
SELECT is(pg_temp.attrs('operator family', 'oc.pt_ops USING gist')->>'operator 15 (point, point)',
  '<->(point,point) FOR ORDER BY pg_catalog.float_ops',
  'an ordering operator names its sort family (GiST makes it the family''s)');
SELECT is(pg_temp.attrs('operator class', 'oc.pt_ops USING gist') - 'owner',
  '{"type": "point", "family": "oc.pt_ops", "default": "false", "storage": "box",
    "function 1 (point, point)": "gist_point_consistent(internal,point,smallint,oid,internal)",
    "function 2 (point, point)": "gist_box_union(internal,internal)",
    "function 5 (point, point)": "gist_box_penalty(internal,internal,internal)",
    "function 6 (point, point)": "gist_box_picksplit(internal,internal)",
    "function 7 (point, point)": "gist_box_same(box,box,internal)"}'::jsonb,
  'the class keeps the members its method requires');
SELECT is(pg_temp.attrs('operator class', 'oc.ia_ops USING gin')->>'storage', 'integer',
  'the storage type');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(squash_snapshot_export('oc_snap')->'objects') j
  WHERE j->>'kind' IN ('operator class', 'operator family') AND j->>'identity' NOT LIKE 'oc.%'), 0,
  'no built-in family or class is in the snapshot');

-- Changes to a class.
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.dint_ops USING btree CASCADE;
    CREATE OPERATOR CLASS oc.dint_ops DEFAULT FOR TYPE oc.dint USING btree FAMILY oc.dint_ops AS
      OPERATOR 1 oc.<, OPERATOR 3 oc.=, FUNCTION 1 oc.cmp2(oc.dint, oc.dint)$$,
  'operator class', 'oc.dint_ops USING btree', 'changed',
  'function 1 (oc.dint, oc.dint): oc.cmp(oc.dint,oc.dint) → oc.cmp2(oc.dint,oc.dint)', 'a support function');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.dint_ops USING btree CASCADE;
    CREATE OPERATOR CLASS oc.dint_ops DEFAULT FOR TYPE oc.dint USING btree FAMILY oc.dint_ops AS
      OPERATOR 1 oc.<, OPERATOR 4 oc.=, FUNCTION 1 oc.cmp2(oc.dint, oc.dint)$$,
  'operator class', 'oc.dint_ops USING btree', 'changed',
  'operator 3 (oc.dint, oc.dint): oc.=(oc.dint,oc.dint) → (none)', 'an operator''s strategy number');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.dint_ops USING btree CASCADE;
    CREATE OPERATOR CLASS oc.dint_ops FOR TYPE oc.dint USING btree FAMILY oc.dint_ops AS
      OPERATOR 1 oc.<, OPERATOR 4 oc.=, FUNCTION 1 oc.cmp2(oc.dint, oc.dint)$$,
  'operator class', 'oc.dint_ops USING btree', 'changed', 'default: true → false', 'the default flag');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.int_ops USING btree CASCADE;
    CREATE OPERATOR CLASS oc.int_ops FOR TYPE integer USING btree FAMILY oc.fam AS
      OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
      FUNCTION 1 btint4cmp(integer, integer), FUNCTION 2 btint4sortsupport(internal)$$,
  'operator family', 'oc.fam USING btree', 'changed',
  'function 2 (integer, integer): (none) → btint4sortsupport(internal)',
  'an optional support function written in the class: btree makes it the family''s');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.int_hash USING hash CASCADE;
    CREATE OPERATOR CLASS oc.int_hash FOR TYPE integer USING hash FAMILY oc.hfam2 AS
      OPERATOR 1 =, FUNCTION 1 hashint4(integer)$$,
  'operator class', 'oc.int_hash USING hash', 'changed', 'family: oc.hfam → oc.hfam2', 'the family');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.int_hash USING hash CASCADE;
    CREATE OPERATOR CLASS oc.int_hash FOR TYPE bigint USING hash FAMILY oc.hfam2 AS
      OPERATOR 1 =, FUNCTION 1 hashint8(bigint)$$,
  'operator class', 'oc.int_hash USING hash', 'changed', 'type: integer → bigint', 'the input type');
SELECT pg_temp.change_is($$DROP OPERATOR CLASS oc.ia_ops USING gin CASCADE;
    CREATE OPERATOR CLASS oc.ia_ops FOR TYPE integer[] USING gin FAMILY oc.ia_ops AS
      FUNCTION 2 ginarrayextract(anyarray, internal, internal),
      FUNCTION 3 ginqueryarrayextract(anyarray, internal, smallint, internal, internal, internal, internal),
      STORAGE bigint$$,
  'operator class', 'oc.ia_ops USING gin', 'changed', 'storage: integer → bigint', 'the storage type');
SELECT pg_temp.change_is($$ALTER OPERATOR FAMILY oc.pt_ops USING gist DROP OPERATOR 15 (point, point);
    ALTER OPERATOR FAMILY oc.pt_ops USING gist ADD OPERATOR 15 <-> (point, point) FOR ORDER BY oc.fam$$,
  'operator family', 'oc.pt_ops USING gist', 'changed',
  'operator 15 (point, point): <->(point,point) FOR ORDER BY pg_catalog.float_ops → <->(point,point) FOR ORDER BY oc.fam',
  'the sort family of an ordering operator');
SELECT pg_temp.change_is('ALTER OPERATOR CLASS oc.int_ops USING btree OWNER TO tap_oc_owner',
  'operator class', 'oc.int_ops USING btree', 'changed', 'owner: ', 'the owner');
SELECT pg_temp.change_is($$COMMENT ON OPERATOR CLASS oc.int_ops USING btree IS 'ints'$$,
  'operator class', 'oc.int_ops USING btree', 'changed', 'comment: (none) → ints', 'a comment');

-- Changes to a family.
SELECT pg_temp.change_is($$ALTER OPERATOR FAMILY oc.fam USING btree ADD
    FUNCTION 1 (integer, bigint) btint48cmp(integer, bigint)$$,
  'operator family', 'oc.fam USING btree', 'changed',
  'function 1 (integer, bigint): (none) → btint48cmp(integer,bigint)', 'a member added');
SELECT pg_temp.change_is($$ALTER OPERATOR FAMILY oc.hfam USING hash DROP OPERATOR 1 (integer, bigint)$$,
  'operator family', 'oc.hfam USING hash', 'changed',
  'operator 1 (integer, bigint): =(integer,bigint) → (none)', 'a member dropped');
SELECT pg_temp.change_is($$ALTER OPERATOR FAMILY oc.hfam USING hash DROP FUNCTION 1 (bigint, bigint);
    ALTER OPERATOR FAMILY oc.hfam USING hash ADD FUNCTION 2 (bigint, bigint) hashint8extended(bigint, bigint)$$,
  'operator family', 'oc.hfam USING hash', 'changed',
  'function 1 (bigint, bigint): hashint8(bigint) → (none); function 2 (bigint, bigint): (none) → hashint8extended(bigint,bigint)',
  'a member''s support number');
SELECT pg_temp.change_is('ALTER OPERATOR FAMILY oc.fam USING btree OWNER TO tap_oc_owner',
  'operator family', 'oc.fam USING btree', 'changed', 'owner: ', 'a family''s owner');
SELECT pg_temp.change_is($$COMMENT ON OPERATOR FAMILY oc.fam USING btree IS 'f'$$,
  'operator family', 'oc.fam USING btree', 'changed', 'comment: (none) → f', 'a family''s comment');
SELECT pg_temp.changes_are('CREATE OPERATOR FAMILY oc.fam USING hash',
  ARRAY['operator family | oc.fam USING hash | added'], 'the same name with another method is another family');

SELECT pg_temp.stamp_refuses($$ALTER OPERATOR FAMILY oc.fam USING btree DROP OPERATOR 1 (integer, bigint)$$,
  'operator family oc.fam USING btree changed: operator 1 (integer, bigint): ',
  'the stamp refuses a changed family');
SELECT pg_temp.stamp_refuses($$DROP OPERATOR CLASS oc.int_ops USING btree CASCADE;
    CREATE OPERATOR CLASS oc.int_ops FOR TYPE integer USING btree FAMILY oc.fam AS
      OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(integer, integer)$$,
  'operator class oc.int_ops USING btree changed: ', 'the stamp refuses a changed class');
SELECT pg_temp.no_change('SET search_path = oc, public',
  'search_path does not change how families, classes and their members are named');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
