-- Snapshots of operators, shell operators included: every option of CREATE OPERATOR is an
-- attribute, named by squash_diff old -> new, and a change makes the stamp refuse.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(19);

CREATE SCHEMA op;
CREATE ROLE tap_op_owner;
CREATE FUNCTION op.eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE FUNCTION op.ne(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 <> $2';
CREATE FUNCTION op.lt(text, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT length($1) < $2';
CREATE FUNCTION op.lt2(text, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT length($1) <= $2';
CREATE FUNCTION op.gt(integer, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > length($2)';
CREATE FUNCTION op.neg(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT -$1';
CREATE OPERATOR op.=== (FUNCTION = op.eq, LEFTARG = integer, RIGHTARG = integer,
  COMMUTATOR = OPERATOR(op.===), NEGATOR = OPERATOR(op.!==), RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR op.!== (FUNCTION = op.ne, LEFTARG = integer, RIGHTARG = integer,
  COMMUTATOR = OPERATOR(op.!==), NEGATOR = OPERATOR(op.===));
CREATE OPERATOR op.<<< (FUNCTION = op.lt, LEFTARG = text, RIGHTARG = integer,
  RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR op.~~~ (FUNCTION = op.neg, RIGHTARG = integer);
-- A shell operator no operator names any more.
CREATE OPERATOR op.@@@ (FUNCTION = op.lt, LEFTARG = text, RIGHTARG = integer,
  NEGATOR = OPERATOR(op.@!@));
DROP OPERATOR op.@@@ (text, integer);
SELECT pg_temp.nothing_unmodelled('operators, a prefix and a shell operator: none is unmodelled');

CREATE FUNCTION pg_temp.op_detail(e_identity text) RETURNS text LANGUAGE sql AS $f$
  SELECT j->>'attrs' FROM jsonb_array_elements(squash_snapshot_export('op_snap')->'objects') j
  WHERE j->>'kind' = 'operator' AND j->>'identity' = e_identity
$f$;
DO $$BEGIN PERFORM squash_snapshot('op_snap'); END$$;
SELECT is(pg_temp.op_detail('op.@!@(text, integer)'), '{"owner": "' || current_user || '", "shell": "true"}',
  'a shell operator: its name, argument types and owner');
SELECT matches(pg_temp.op_detail('op.===(integer, integer)'),
  '"negator": "op.!==\(integer,integer\)".*"commutator": "op.===\(integer,integer\)"',
  'commutator and negator by name and argument types');
SELECT matches(pg_temp.op_detail('op.~~~(NONE, integer)'), '"function": "op.neg\(integer\)"',
  'a prefix operator: NONE on the left');

SELECT pg_temp.change_is($$ALTER OPERATOR op.<<< (text, integer) SET (RESTRICT = scalargtsel)$$,
  'operator', 'op.<<<(text, integer)', 'changed',
  'restrict: scalarltsel(internal,oid,internal,integer) → scalargtsel(internal,oid,internal,integer)',
  'restrict');
SELECT pg_temp.change_is($$ALTER OPERATOR op.<<< (text, integer) SET (JOIN = scalargtjoinsel)$$,
  'operator', 'op.<<<(text, integer)', 'changed', 'join: scalarltjoinsel(', 'join');
SELECT pg_temp.change_is($$DROP OPERATOR op.<<< (text, integer);
    CREATE OPERATOR op.<<< (FUNCTION = op.lt2, LEFTARG = text, RIGHTARG = integer,
      RESTRICT = scalargtsel, JOIN = scalargtjoinsel)$$,
  'operator', 'op.<<<(text, integer)', 'changed',
  'function: op.lt(text,integer) → op.lt2(text,integer)', 'function');
SELECT pg_temp.changes_are($$DROP OPERATOR op.<<< (text, integer);
    CREATE OPERATOR op.<<< (FUNCTION = op.lt2, LEFTARG = text, RIGHTARG = integer,
      RESTRICT = scalargtsel, JOIN = scalargtjoinsel, COMMUTATOR = OPERATOR(op.>>>))$$,
  ARRAY['operator | op.<<<(text, integer) | changed', 'operator | op.>>>(integer, text) | added'],
  'a commutator, and the shell operator it names');
SELECT pg_temp.change_is($$CREATE OPERATOR op.>>> (FUNCTION = op.gt, LEFTARG = integer,
    RIGHTARG = text, COMMUTATOR = OPERATOR(op.<<<))$$,
  'operator', 'op.>>>(integer, text)', 'changed', 'shell: true → (none)', 'a shell defined');
SELECT pg_temp.changes_are($$DROP OPERATOR op.<<< (text, integer);
    CREATE OPERATOR op.<<< (FUNCTION = op.lt2, LEFTARG = text, RIGHTARG = integer,
      RESTRICT = scalargtsel, JOIN = scalargtjoinsel, COMMUTATOR = OPERATOR(op.>>>),
      NEGATOR = OPERATOR(op.>>=))$$,
  ARRAY['operator | op.<<<(text, integer) | changed', 'operator | op.>>=(text, integer) | added'],
  'a negator');
SELECT pg_temp.change_is($$DROP OPERATOR op.=== (integer, integer);
    CREATE OPERATOR op.=== (FUNCTION = op.eq, LEFTARG = integer, RIGHTARG = integer,
      COMMUTATOR = OPERATOR(op.===), NEGATOR = OPERATOR(op.!==), RESTRICT = eqsel,
      JOIN = eqjoinsel, HASHES)$$,
  'operator', 'op.===(integer, integer)', 'changed', 'hashes: (none) → true', 'HASHES');
SELECT pg_temp.change_is($$DROP OPERATOR op.=== (integer, integer);
    CREATE OPERATOR op.=== (FUNCTION = op.eq, LEFTARG = integer, RIGHTARG = integer,
      COMMUTATOR = OPERATOR(op.===), NEGATOR = OPERATOR(op.!==), RESTRICT = eqsel,
      JOIN = eqjoinsel, HASHES, MERGES)$$,
  'operator', 'op.===(integer, integer)', 'changed', 'merges: (none) → true', 'MERGES');
SELECT pg_temp.change_is($$DROP OPERATOR op.=== (integer, integer);
    CREATE OPERATOR op.=== (FUNCTION = op.eq, LEFTARG = integer, RIGHTARG = integer,
      NEGATOR = OPERATOR(op.!==), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES)$$,
  'operator', 'op.===(integer, integer)', 'changed',
  'commutator: op.===(integer,integer) → (none)', 'commutator removed');
SELECT pg_temp.change_is('ALTER OPERATOR op.~~~ (NONE, integer) OWNER TO tap_op_owner',
  'operator', 'op.~~~(NONE, integer)', 'changed', 'owner: ', 'owner');
SELECT pg_temp.change_is($$COMMENT ON OPERATOR op.~~~ (NONE, integer) IS 'negates'$$,
  'operator', 'op.~~~(NONE, integer)', 'changed', 'comment: (none) → negates', 'comment');
SELECT pg_temp.change_is($$COMMENT ON OPERATOR op.@!@ (text, integer) IS 'shell'$$,
  'operator', 'op.@!@(text, integer)', 'changed', 'comment: (none) → shell', 'a shell''s comment');
SELECT pg_temp.changes_are('DROP OPERATOR op.@!@ (text, integer)',
  ARRAY['operator | op.@!@(text, integer) | removed'], 'a dropped shell operator');
SELECT pg_temp.stamp_refuses($$ALTER OPERATOR op.<<< (text, integer) SET (RESTRICT = eqsel)$$,
  'operator op.<<<(text, integer) changed: restrict: ', 'the stamp refuses a changed operator');
SELECT pg_temp.no_change('SET search_path = op, public',
  'search_path does not change how operators and their references are named');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
