-- Snapshots of aggregates: every option of CREATE AGGREGATE is an attribute, named by
-- squash_diff old -> new, and a change makes the stamp refuse.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(34);

CREATE SCHEMA agg;
CREATE ROLE tap_agg_owner;
CREATE FUNCTION agg.isum(s bigint, x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s + x';
CREATE FUNCTION agg.isum2(s bigint, x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s + x + 0';
CREATE FUNCTION agg.isub(s bigint, x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s - x';
CREATE FUNCTION agg.isub2(s bigint, x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s - x - 0';
CREATE FUNCTION agg.icomb(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION agg.icomb2(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT b + a';
CREATE FUNCTION agg.ifin(s bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s';
CREATE FUNCTION agg.ifin_x(s bigint, x integer) RETURNS bigint LANGUAGE sql AS 'SELECT s';
CREATE FUNCTION agg.nsum(s numeric, x integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT s + x';
CREATE FUNCTION agg.nsub(s numeric, x integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT s - x';
CREATE FUNCTION agg.f3(s float8, a float8, b float8) RETURNS float8 LANGUAGE sql AS 'SELECT s';
CREATE FUNCTION agg.nfin(s numeric) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT s::bigint';

-- The aggregate under test, redefined from its base options with some replaced or removed.
CREATE FUNCTION pg_temp.sum_def(changes jsonb DEFAULT '{}') RETURNS text LANGUAGE sql AS $f$
  SELECT 'CREATE OR REPLACE AGGREGATE agg.s(integer) (' || string_agg(
           CASE WHEN e.value = 'true' THEN e.key ELSE e.key || ' = ' || (e.value #>> '{}') END,
           ', ' ORDER BY e.key) || ')'
  FROM jsonb_each('{"SFUNC": "agg.isum", "STYPE": "bigint", "FINALFUNC": "agg.ifin",
      "COMBINEFUNC": "agg.icomb", "INITCOND": "''0''", "MSFUNC": "agg.isum",
      "MINVFUNC": "agg.isub", "MSTYPE": "bigint", "MINITCOND": "''0''",
      "MFINALFUNC": "agg.ifin", "PARALLEL": "SAFE"}'::jsonb || changes) e
  WHERE e.value <> 'null'
$f$;
CREATE FUNCTION pg_temp.reset() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN EXECUTE pg_temp.sum_def(); END $f$;
CREATE FUNCTION pg_temp.sum_change(changes jsonb, e_detail text, description text)
RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM pg_temp.reset();
  RETURN pg_temp.change_is(pg_temp.sum_def(changes), 'aggregate', 'agg.s(integer)', 'changed',
                           e_detail, description);
END $f$;

SELECT pg_temp.reset();
CREATE AGGREGATE agg.mx(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);
CREATE AGGREGATE agg.cat(text) (SFUNC = textcat, STYPE = text);
CREATE AGGREGATE agg.bavg(bigint) (SFUNC = int8_avg_accum, STYPE = internal, SSPACE = 48,
  FINALFUNC = numeric_poly_avg, COMBINEFUNC = int8_avg_combine,
  SERIALFUNC = int8_avg_serialize, DESERIALFUNC = int8_avg_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE agg.pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition,
  STYPE = internal, FINALFUNC = percentile_cont_float8_final);
CREATE AGGREGATE agg.rk(VARIADIC "any" ORDER BY VARIADIC "any") (
  SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final,
  FINALFUNC_EXTRA, HYPOTHETICAL);
SELECT pg_temp.nothing_unmodelled('aggregates of every kind: none is unmodelled');

SELECT pg_temp.sum_change('{"SFUNC": "agg.isum2"}',
  'sfunc: agg.isum(bigint,integer) → agg.isum2(bigint,integer)', 'sfunc');
SELECT pg_temp.sum_change('{"INITCOND": "''1''"}', 'initcond: 0 → 1', 'initcond');
SELECT pg_temp.sum_change('{"INITCOND": null}', 'initcond: 0 → (none)', 'initcond removed');
SELECT pg_temp.sum_change('{"SSPACE": "100"}', 'sspace: (none) → 100', 'sspace');
SELECT pg_temp.sum_change('{"FINALFUNC": null}', 'finalfunc: agg.ifin(bigint) → (none)', 'finalfunc');
SELECT pg_temp.sum_change('{"FINALFUNC": "agg.ifin_x", "FINALFUNC_EXTRA": true}',
  'finalfunc_extra: (none) → true', 'finalfunc_extra');
SELECT pg_temp.sum_change('{"FINALFUNC_MODIFY": "SHAREABLE"}',
  'finalfunc_modify: read_only → shareable', 'finalfunc_modify');
SELECT pg_temp.sum_change('{"COMBINEFUNC": "agg.icomb2"}',
  'combinefunc: agg.icomb(bigint,bigint) → agg.icomb2(bigint,bigint)', 'combinefunc');
SELECT pg_temp.sum_change('{"MSFUNC": "agg.isum2"}',
  'msfunc: agg.isum(bigint,integer) → agg.isum2(bigint,integer)', 'msfunc');
SELECT pg_temp.sum_change('{"MINVFUNC": "agg.isub2"}',
  'minvfunc: agg.isub(bigint,integer) → agg.isub2(bigint,integer)', 'minvfunc');
SELECT pg_temp.sum_change('{"MSTYPE": "numeric", "MSFUNC": "agg.nsum", "MINVFUNC": "agg.nsub",
    "MFINALFUNC": "agg.nfin"}', 'mstype: bigint → numeric', 'mstype');
SELECT pg_temp.sum_change('{"MSSPACE": "64"}', 'msspace: (none) → 64', 'msspace');
SELECT pg_temp.sum_change('{"MINITCOND": "''5''"}', 'minitcond: 0 → 5', 'minitcond');
SELECT pg_temp.sum_change('{"MFINALFUNC": null}', 'mfinalfunc: agg.ifin(bigint) → (none)',
  'mfinalfunc');
SELECT pg_temp.sum_change('{"MFINALFUNC": "agg.ifin_x", "MFINALFUNC_EXTRA": true}',
  'mfinalfunc_extra: (none) → true', 'mfinalfunc_extra');
SELECT pg_temp.sum_change('{"MFINALFUNC_MODIFY": "SHAREABLE"}',
  'mfinalfunc_modify: read_only → shareable', 'mfinalfunc_modify');
SELECT pg_temp.sum_change('{"MSFUNC": null, "MINVFUNC": null, "MSTYPE": null, "MINITCOND": null,
    "MFINALFUNC": null}', 'msfunc: agg.isum(bigint,integer) → (none)', 'no moving aggregate');
SELECT pg_temp.sum_change('{"PARALLEL": "RESTRICTED"}', 'parallel: safe → restricted', 'parallel');
SELECT pg_temp.reset();
SELECT pg_temp.change_is('ALTER AGGREGATE agg.s(integer) OWNER TO tap_agg_owner',
  'aggregate', 'agg.s(integer)', 'changed', 'owner: ', 'owner');
SELECT pg_temp.change_is('REVOKE EXECUTE ON FUNCTION agg.s(integer) FROM PUBLIC',
  'aggregate', 'agg.s(integer)', 'changed', 'acl: PUBLIC=X', 'EXECUTE privilege');
SELECT pg_temp.change_is($$COMMENT ON AGGREGATE agg.s(integer) IS 'sums'$$,
  'aggregate', 'agg.s(integer)', 'changed', 'comment: (none) → sums', 'comment');

SELECT pg_temp.change_is($$CREATE OR REPLACE AGGREGATE agg.mx(integer)
    (SFUNC = int4larger, STYPE = integer, SORTOP = <)$$,
  'aggregate', 'agg.mx(integer)', 'changed', 'sortop: >(integer,integer) → <(integer,integer)',
  'sortop');
SELECT pg_temp.change_is($$DROP AGGREGATE agg.cat(text);
    CREATE AGGREGATE agg.cat(text) (SFUNC = array_append, STYPE = text[])$$,
  'aggregate', 'agg.cat(text)', 'changed', 'stype: text → text[]', 'stype');
SELECT pg_temp.change_is($$CREATE OR REPLACE AGGREGATE agg.cat(x text)
    (SFUNC = array_append, STYPE = text[])$$,
  'aggregate', 'agg.cat(text)', 'changed', 'arguments: text → x text', 'argument names');
SELECT pg_temp.change_is($$CREATE OR REPLACE AGGREGATE agg.bavg(bigint) (SFUNC = int8_avg_accum,
    STYPE = internal, SSPACE = 48, FINALFUNC = numeric_poly_avg, COMBINEFUNC = int8_avg_combine,
    PARALLEL = SAFE)$$,
  'aggregate', 'agg.bavg(bigint)', 'changed', 'serialfunc: int8_avg_serialize(internal) → (none)',
  'serialfunc');
SELECT pg_temp.change_is($$CREATE OR REPLACE AGGREGATE agg.bavg(bigint) (SFUNC = int8_avg_accum,
    STYPE = internal, SSPACE = 48, FINALFUNC = numeric_poly_avg, COMBINEFUNC = int8_avg_combine,
    SERIALFUNC = int8_avg_serialize, DESERIALFUNC = int8_avg_deserialize, PARALLEL = SAFE)$$,
  'aggregate', 'agg.bavg(bigint)', 'changed',
  'deserialfunc: (none) → int8_avg_deserialize(bytea,internal)', 'deserialfunc');
SELECT pg_temp.change_is($$DROP AGGREGATE agg.pct(float8 ORDER BY float8);
    CREATE AGGREGATE agg.pct(float8, float8) (SFUNC = agg.f3, STYPE = float8)$$,
  'aggregate', 'agg.pct(double precision, double precision)', 'changed',
  'kind: ordered-set → normal', 'kind: ordered-set');
SELECT pg_temp.change_is($$DROP AGGREGATE agg.rk(VARIADIC "any" ORDER BY VARIADIC "any");
    CREATE AGGREGATE agg.rk(VARIADIC "any" ORDER BY VARIADIC "any") (
      SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final,
      FINALFUNC_EXTRA)$$,
  'aggregate', 'agg.rk("any")', 'changed', 'kind: hypothetical-set → ordered-set',
  'kind: hypothetical-set');
SELECT pg_temp.change_is($$CREATE AGGREGATE agg.pct2(float8 ORDER BY float8) (
    SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_cont_float8_final)$$,
  'aggregate', 'agg.pct2(double precision, double precision)', 'added',
  'arguments double precision ORDER BY double precision', 'an ordered-set aggregate''s arguments');
SELECT pg_temp.changes_are('DROP AGGREGATE agg.mx(integer)',
  ARRAY['aggregate | agg.mx(integer) | removed'], 'a dropped aggregate');

SELECT pg_temp.reset();
SELECT pg_temp.stamp_refuses(pg_temp.sum_def('{"INITCOND": "''7''"}'),
  'aggregate agg.s(integer) changed: initcond: 0 → 7', 'the stamp refuses a changed aggregate');
SELECT pg_temp.no_change(pg_temp.sum_def('{"INITCOND": "''7''"}'),
  'redefining it the same way is no change');

-- An extension's aggregates and operators stay out: only the extension is new.
SELECT pg_temp.changes_are('CREATE EXTENSION intarray SCHEMA agg',
  ARRAY['extension | intarray | added'], 'an extension''s aggregates and operators stay out');

SELECT * FROM finish();
ROLLBACK;
