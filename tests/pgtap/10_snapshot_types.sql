-- Snapshots of sequences, enums, domains and composite types.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(27);

CREATE SCHEMA app;
CREATE ROLE tap_type_owner;

-- Sequences: options are schema, the position is data.
CREATE SEQUENCE app.s;
CREATE TABLE app.t (id int, n serial);
SELECT pg_temp.change_is('ALTER SEQUENCE app.s INCREMENT BY 10',
  'sequence', 'app.s', 'changed', 'increment: 1 → 10', 'INCREMENT');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s START WITH 100',
  'sequence', 'app.s', 'changed', 'start: 1 → 100', 'START');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s MINVALUE 0',
  'sequence', 'app.s', 'changed', 'min: 1 → 0', 'MINVALUE');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s MAXVALUE 5000',
  'sequence', 'app.s', 'changed', 'max: 9223372036854775807 → 5000', 'MAXVALUE');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s CACHE 20',
  'sequence', 'app.s', 'changed', 'cache: 1 → 20', 'CACHE');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s CYCLE',
  'sequence', 'app.s', 'changed', 'cycle: false → true', 'CYCLE');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s AS integer',
  'sequence', 'app.s', 'changed', 'type: bigint → integer', 'AS type');
SELECT pg_temp.change_is('ALTER SEQUENCE app.s OWNED BY app.t.id',
  'sequence', 'app.s', 'changed', 'owned_by: (none) → app.t.id', 'OWNED BY');
SELECT pg_temp.no_change($$SELECT nextval('app.s'), setval('app.t_n_seq', 99)$$,
  'last_value is data');
SELECT pg_temp.no_change('ALTER SEQUENCE app.s RESTART WITH 7', 'RESTART is data');

-- Enums: labels in order.
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
SELECT pg_temp.change_is($$ALTER TYPE app.mood ADD VALUE 'happy'$$,
  'enum', 'app.mood', 'changed', $$labels: 'sad', 'ok' → 'sad', 'ok', 'happy'$$, 'a new label');
SELECT pg_temp.change_is($$ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok'$$,
  'enum', 'app.mood', 'changed', $$→ 'sad', 'meh', 'ok', 'happy'$$, 'label order');
SELECT pg_temp.change_is($$ALTER TYPE app.mood RENAME VALUE 'meh' TO 'so-so'$$,
  'enum', 'app.mood', 'changed', $$'so-so'$$, 'a renamed label');
SELECT pg_temp.change_is($$COMMENT ON TYPE app.mood IS 'feelings'$$,
  'enum', 'app.mood', 'changed', 'comment: (none) → feelings', 'type comment');
SELECT pg_temp.change_is('ALTER TYPE app.mood OWNER TO tap_type_owner',
  'enum', 'app.mood', 'changed', 'owner: ', 'type owner');

-- Domains.
CREATE DOMAIN app.posint AS integer CONSTRAINT posint_check CHECK (VALUE > 0);
SELECT pg_temp.change_is('ALTER DOMAIN app.posint SET DEFAULT 1',
  'domain', 'app.posint', 'changed', 'default: (none) → 1', 'domain default');
SELECT pg_temp.change_is('ALTER DOMAIN app.posint SET NOT NULL',
  'domain', 'app.posint', 'changed', 'not_null: false → true', 'domain NOT NULL');
SELECT pg_temp.change_is('ALTER DOMAIN app.posint ADD CONSTRAINT posint_max CHECK (VALUE < 1000)',
  'domain', 'app.posint', 'changed', 'constraint posint_max: (none) → CHECK ((VALUE < 1000))',
  'a domain constraint');
SELECT pg_temp.change_is('ALTER DOMAIN app.posint DROP CONSTRAINT posint_max; ALTER DOMAIN app.posint ADD CONSTRAINT posint_max CHECK (VALUE < 1000) NOT VALID',
  'domain', 'app.posint', 'changed', 'CHECK ((VALUE < 1000)) → CHECK ((VALUE < 1000)) NOT VALID',
  'a NOT VALID domain constraint');
SELECT pg_temp.change_is('ALTER DOMAIN app.posint RENAME CONSTRAINT posint_check TO posint_positive',
  'domain', 'app.posint', 'changed', 'constraint posint_positive: (none) → CHECK ((VALUE > 0))',
  'a renamed domain constraint');
SELECT pg_temp.change_is('CREATE DOMAIN app.code AS varchar(10) COLLATE "C"',
  'domain', 'app.code', 'added', 'collation pg_catalog."C"', 'a domain with a collation');
SELECT pg_temp.change_is('DROP DOMAIN app.code; CREATE DOMAIN app.code AS varchar(12) COLLATE "C"',
  'domain', 'app.code', 'changed', 'type: character varying(10) → character varying(12)',
  'a domain''s base type');

-- Composite types.
CREATE TYPE app.pair AS (a integer, b text);
SELECT pg_temp.change_is('ALTER TYPE app.pair ADD ATTRIBUTE c numeric(5,2)',
  'composite type', 'app.pair', 'changed', 'attributes: a integer, b text → a integer, b text, c numeric(5,2)',
  'a new attribute');
SELECT pg_temp.change_is('ALTER TYPE app.pair ALTER ATTRIBUTE a TYPE bigint',
  'composite type', 'app.pair', 'changed', 'a bigint', 'an attribute type');
SELECT pg_temp.change_is('ALTER TYPE app.pair DROP ATTRIBUTE b',
  'composite type', 'app.pair', 'changed', '→ a bigint, c numeric(5,2)', 'a dropped attribute');
SELECT pg_temp.no_change('DROP TYPE app.pair; CREATE TYPE app.pair AS (a bigint, c numeric(5,2))',
  'dropped attributes leave no trace');
SELECT pg_temp.changes_are('CREATE TABLE app.rowtype (x int)',
  ARRAY['table | app.rowtype | added', 'column | app.rowtype.x | added',
        'column order | app.rowtype | added'],
  'row and array types are not objects of their own');

SELECT * FROM finish();
ROLLBACK;
