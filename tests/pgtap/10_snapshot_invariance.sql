-- What a fingerprint must not depend on: OIDs, creation order, dropped-column gaps,
-- search_path and other session settings, the role that takes it. And what it reads
-- must agree with the server's own deparsers, expression cache or not.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(23);

-- One schema, built twice in different ways.
CREATE FUNCTION pg_temp.build(variant int) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  IF variant = 2 THEN
    -- Other objects first (every OID shifts), unqualified names under another search_path,
    -- columns added and dropped on the way, objects created in another order.
    CREATE TABLE public.junk (a int, b int); DROP TABLE public.junk;
    CREATE SCHEMA inv;
    SET LOCAL search_path = inv, public;
    CREATE TYPE status AS ENUM ('active', 'inactive');
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY, tmp int, customer_id bigint,
      state status DEFAULT 'active', placed timestamptz DEFAULT '2020-01-01 00:00+00',
      total numeric(12,2) DEFAULT 0 CHECK (total >= 0));
    ALTER TABLE orders DROP COLUMN tmp;
    CREATE TABLE customers (x int, id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'n',
      CONSTRAINT name_len CHECK (length(name) < 100));
    ALTER TABLE customers DROP COLUMN x;
    ALTER TABLE orders ADD PRIMARY KEY (id);
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id)
      REFERENCES customers ON DELETE SET NULL;
    CREATE INDEX orders_open ON orders (placed) WHERE state = 'active';
    CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE VIEW open_orders AS SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.state = 'active';
    COMMENT ON TABLE orders IS 'orders';
  ELSE
    CREATE SCHEMA inv;
    CREATE TYPE inv.status AS ENUM ('active', 'inactive');
    CREATE TABLE inv.customers (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'n',
      CONSTRAINT name_len CHECK (length(name) < 100));
    CREATE TABLE inv.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      customer_id bigint REFERENCES inv.customers ON DELETE SET NULL,
      state inv.status DEFAULT 'active', placed timestamptz DEFAULT '2020-01-01 00:00+00',
      total numeric(12,2) DEFAULT 0 CHECK (total >= 0));
    COMMENT ON TABLE inv.orders IS 'orders';
    CREATE INDEX orders_open ON inv.orders (placed) WHERE state = 'active';
    CREATE VIEW inv.open_orders AS SELECT o.id, c.name FROM inv.orders o
      JOIN inv.customers c ON c.id = o.customer_id WHERE o.state = 'active';
    CREATE FUNCTION inv.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TRIGGER orders_touch BEFORE UPDATE ON inv.orders FOR EACH ROW EXECUTE FUNCTION inv.touch();
  END IF;
END $f$;

SELECT pg_temp.build(1);
SELECT lives_ok($$SELECT squash_snapshot('tap_one')$$, 'the schema built one way');
SELECT pg_temp.no_change('SELECT 1', 'twice in a row: no difference');
DROP SCHEMA inv CASCADE;
SELECT pg_temp.build(2);
RESET search_path;
SELECT lives_ok($$SELECT squash_snapshot('tap_two')$$, 'the schema built another way');
SELECT is_empty($$SELECT * FROM squash_diff('tap_one', 'tap_two')$$,
  'OIDs, creation order, dropped columns and search_path leave no difference');
SELECT is((SELECT fingerprint FROM squash.snapshots WHERE label = 'tap_one'),
          (SELECT fingerprint FROM squash.snapshots WHERE label = 'tap_two'),
          'and the fingerprints are equal');

-- Session settings.
SELECT squash_fingerprint() AS plain \gset
SET search_path = inv, public;
SET TimeZone = 'Pacific/Kiritimati';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'iso_8601';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
SET quote_all_identifiers = on;
SELECT is(squash_fingerprint(), :'plain',
  'search_path, TimeZone, DateStyle, quote_all_identifiers... change nothing');
RESET ALL;
SET client_min_messages = warning;

-- The role: a non-superuser member of squash_admin sees exactly the same.
CREATE ROLE tap_admin LOGIN IN ROLE squash_admin;
SET ROLE tap_admin;
SELECT is(squash_fingerprint(), :'plain', 'a squash_admin member sees the same');
RESET ROLE;
REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC;
SET ROLE tap_admin;
SELECT throws_ok($$SELECT squash_fingerprint()$$, '42501',
  'pg_squash: role tap_admin cannot read every catalog a snapshot needs',
  'an unreadable catalog is an error, never a smaller snapshot');
RESET ROLE;
GRANT SELECT ON pg_catalog.pg_policy TO PUBLIC;

-- Scope.
SELECT isnt(squash_fingerprint(ARRAY['inv']), :'plain', 'one schema is less than all');
SELECT squash_fingerprint(ARRAY['inv']) AS inv \gset
CREATE SCHEMA other;
CREATE TABLE other.x (a int);
SELECT is(squash_fingerprint(ARRAY['inv']), :'inv',
  'a change elsewhere does not touch a scoped fingerprint');
SELECT isnt(squash_fingerprint(), :'plain', 'but the whole one');
SELECT throws_ok($$SELECT squash_fingerprint(ARRAY['no_such_schema'])$$, '3F000',
  'pg_squash: schema no_such_schema does not exist', 'an unknown schema is an error');
SELECT throws_ok($$SELECT squash_fingerprint(ARRAY['pg_catalog'])$$, '3F000',
  'pg_squash: schema pg_catalog is not a user schema', 'so is a system schema');

-- Agreement with the server's deparsers, on many tables sharing expressions (the cache).
DO $$
BEGIN
  FOR i IN 1..30 LOOP
    EXECUTE format('CREATE TABLE other.c%s (%s, CHECK (b > a), CHECK (c <> %L))', i,
      CASE WHEN i % 2 = 0 THEN 'a int, b int DEFAULT 1, c text DEFAULT ''x'''
           ELSE 'c text DEFAULT ''x'', b int DEFAULT 1, "A b" int, a int' END, 'v' || (i % 3));
    EXECUTE format('CREATE INDEX ON other.c%s (lower(c), (a + b)) WHERE a > %s', i, i % 2);
  END LOOP;
END $$;
SELECT lives_ok($$SELECT squash_snapshot('tap_many')$$, 'a snapshot of many similar tables');
CREATE TEMP TABLE snap AS
  SELECT o->>'kind' AS kind, o->>'identity' AS identity, a.k, a.v
    FROM jsonb_array_elements(squash_snapshot_export('tap_many')->'objects') o,
         jsonb_each_text(o->'attrs') a(k, v);
SELECT is_empty($$
  SELECT s.identity, s.v, pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN snap s ON s.kind = 'column' AND s.k = 'default'
     AND s.identity = quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname)
   WHERE s.v IS DISTINCT FROM pg_get_expr(d.adbin, d.adrelid)$$,
  'every default reads as pg_get_expr prints it');
SELECT is((SELECT count(*)::int FROM snap WHERE kind = 'column' AND k = 'default'),
          (SELECT count(*)::int FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('inv', 'other') AND c.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = d.adrelid
                              AND a.attnum = d.adnum AND a.attgenerated <> '')),
          'and every default is there');
SELECT is_empty($$
  SELECT s.identity, s.v, pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN snap s ON s.kind = 'constraint' AND s.k = 'definition'
     AND s.identity = quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(co.conname)
   WHERE s.v IS DISTINCT FROM pg_get_constraintdef(co.oid)$$,
  'every constraint reads as pg_get_constraintdef prints it');
SELECT is_empty($$
  SELECT s.identity, s.v
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    JOIN snap s ON s.kind = 'index' AND s.k = 'predicate'
     AND s.identity = quote_ident(n.nspname) || '.' || quote_ident(ic.relname)
   WHERE s.v IS DISTINCT FROM pg_get_expr(i.indpred, i.indrelid)$$,
  'every index predicate reads as pg_get_expr prints it');
SELECT is_empty($$
  SELECT s.identity, s.v, pg_get_indexdef(ic.oid)
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    JOIN snap s ON s.kind = 'index' AND s.k = 'columns'
     AND s.identity = quote_ident(n.nspname) || '.' || quote_ident(ic.relname)
   WHERE strpos(pg_get_indexdef(ic.oid), '(' || s.v || ')') = 0$$,
  'every index''s columns read as pg_get_indexdef prints them');

-- View definitions come from a parallel worker when one can start (it shares this
-- transaction, so it sees the uncommitted views below), else from the reader itself:
-- the same texts, the same fingerprint either way. This database is small enough to be
-- read without the worker by default (pg_squash.view_worker_min_relations): forced here.
DO $$
BEGIN
  FOR i IN 1..12 LOOP
    EXECUTE format('CREATE VIEW other.v%s AS SELECT a, b + %s AS b2 FROM other.c%s WHERE c <> %L',
                   i, i, i * 2, 'q' || i);
  END LOOP;
END $$;
CREATE MATERIALIZED VIEW other.mv AS SELECT count(*) AS n FROM other.v1 JOIN other.v2 USING (a);
SET LOCAL pg_squash.view_worker_min_relations = 0;
SELECT squash_snapshot('tap_views_parallel') AS fp_parallel \gset
SET LOCAL max_parallel_workers = 0;
SELECT is(squash_snapshot('tap_views_serial'), :'fp_parallel',
          'the same fingerprint without a parallel worker (max_parallel_workers = 0)');
RESET max_parallel_workers;
RESET pg_squash.view_worker_min_relations;
SELECT is(squash_fingerprint(), :'fp_parallel',
          'the same fingerprint without a worker for a small pg_class (the default)');
SELECT is(squash_snapshot_export('tap_views_serial')->'objects',
          squash_snapshot_export('tap_views_parallel')->'objects',
          'and the same objects, view definitions included');
RESET max_parallel_workers;
CREATE FUNCTION pg_temp.viewdef_unqualified_path(regclass) RETURNS text LANGUAGE sql
  SET search_path = '' AS $$ SELECT pg_catalog.pg_get_viewdef($1) $$;
SET LOCAL search_path = other, public;
SELECT is_empty($$
  SELECT o->>'identity'
    FROM jsonb_array_elements(squash_snapshot_export('tap_views_parallel')->'objects') o
   WHERE o->>'kind' IN ('view', 'materialized view')
     AND o->'attrs'->>'definition' IS DISTINCT FROM
         rtrim(btrim(pg_temp.viewdef_unqualified_path((o->>'identity')::regclass), E' \n'), ';')$$,
  'every view definition reads as pg_get_viewdef prints it with an empty search_path');

SELECT * FROM finish();
ROLLBACK;
