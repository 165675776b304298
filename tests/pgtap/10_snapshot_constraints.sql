-- Snapshots of constraints and indexes: each attribute, changed alone, is exactly one
-- difference naming it old → new.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(37);

CREATE SCHEMA app;
CREATE TABLE app.parent (id int PRIMARY KEY, code text NOT NULL, UNIQUE (id, code));
CREATE TABLE app.child (
  id int PRIMARY KEY,
  parent_id int,
  code text,
  amount numeric CONSTRAINT amount_ok CHECK (amount >= 0),
  CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES app.parent ON DELETE CASCADE
);

-- Foreign keys.
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT child_parent_fk,
    ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES app.parent ON DELETE SET NULL$$,
  'constraint', 'app.child.child_parent_fk', 'changed', 'on_delete: CASCADE → SET NULL',
  'ON DELETE action');
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT child_parent_fk,
    ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES app.parent
    ON DELETE SET NULL ON UPDATE RESTRICT$$,
  'constraint', 'app.child.child_parent_fk', 'changed', 'on_update: NO ACTION → RESTRICT',
  'ON UPDATE action');
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT child_parent_fk,
    ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id, code) REFERENCES app.parent (id, code)
    MATCH FULL ON DELETE SET NULL ON UPDATE RESTRICT$$,
  'constraint', 'app.child.child_parent_fk', 'changed', 'match: SIMPLE → FULL',
  'MATCH FULL (and its columns)');
SELECT pg_temp.change_is('ALTER TABLE app.child ALTER CONSTRAINT child_parent_fk DEFERRABLE',
  'constraint', 'app.child.child_parent_fk', 'changed', 'deferrable: false → true',
  'DEFERRABLE');
SELECT pg_temp.change_is('ALTER TABLE app.child ALTER CONSTRAINT child_parent_fk INITIALLY DEFERRED',
  'constraint', 'app.child.child_parent_fk', 'changed', 'deferred: false → true',
  'INITIALLY DEFERRED');
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT child_parent_fk,
    ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id, code) REFERENCES app.parent (id, code)
    MATCH FULL ON DELETE SET NULL ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED NOT VALID$$,
  'constraint', 'app.child.child_parent_fk', 'changed', 'validated: true → false', 'NOT VALID');
SELECT pg_temp.change_is('ALTER TABLE app.child VALIDATE CONSTRAINT child_parent_fk',
  'constraint', 'app.child.child_parent_fk', 'changed', 'validated: false → true', 'VALIDATE');
SELECT pg_temp.change_is($$ALTER TABLE app.child ADD CONSTRAINT fk2 FOREIGN KEY (parent_id)
    REFERENCES app.parent ON DELETE SET NULL (parent_id)$$,
  'constraint', 'app.child.fk2', 'added', 'on delete columns parent_id',
  'ON DELETE SET NULL (columns)');
SELECT lives_ok($$SELECT squash_snapshot('tap_c')$$, 'a snapshot');
SELECT is((SELECT a.v FROM jsonb_array_elements(squash_snapshot_export('tap_c')->'objects') o,
                 jsonb_each_text(o->'attrs') a(k, v)
            WHERE o->>'identity' = 'app.child.child_parent_fk' AND a.k = 'definition'),
          (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'child_parent_fk'),
          'a foreign key reads as pg_get_constraintdef prints it');

-- Checks, primary keys, unique, exclusion.
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT amount_ok,
    ADD CONSTRAINT amount_ok CHECK (amount > 0)$$,
  'constraint', 'app.child.amount_ok', 'changed', 'definition: CHECK ((amount >= (0)::numeric)) → CHECK ((amount > (0)::numeric))',
  'CHECK expression');
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT amount_ok,
    ADD CONSTRAINT amount_ok CHECK (amount > 0) NO INHERIT$$,
  'constraint', 'app.child.amount_ok', 'changed', 'noinherit: false → true', 'NO INHERIT');
SELECT pg_temp.change_is('ALTER TABLE app.child RENAME CONSTRAINT amount_ok TO amount_positive',
  'constraint', 'app.child.amount_positive', 'changed', 'renamed: amount_ok → amount_positive',
  'a renamed constraint');
SELECT pg_temp.change_is($$COMMENT ON CONSTRAINT amount_positive ON app.child IS 'positive'$$,
  'constraint', 'app.child.amount_positive', 'changed', 'comment: (none) → positive',
  'constraint comment');
SELECT pg_temp.changes_are('ALTER TABLE app.child ADD CONSTRAINT child_code_key UNIQUE (code)',
  ARRAY['constraint | app.child.child_code_key | added', 'index | app.child_code_key | added'],
  'a unique constraint and its index');
SELECT pg_temp.changes_are($$ALTER TABLE app.child DROP CONSTRAINT child_code_key,
    ADD CONSTRAINT child_code_key UNIQUE NULLS NOT DISTINCT (code)$$,
  ARRAY['constraint | app.child.child_code_key | changed', 'index | app.child_code_key | changed'],
  'NULLS NOT DISTINCT: the constraint and its index');
SELECT pg_temp.changes_are($$ALTER TABLE app.child DROP CONSTRAINT child_pkey CASCADE,
    ADD PRIMARY KEY (id) INCLUDE (code)$$,
  ARRAY['constraint | app.child.child_pkey | changed', 'index | app.child_pkey | changed'],
  'INCLUDE columns of a primary key');
SELECT pg_temp.changes_are('ALTER TABLE app.child ADD CONSTRAINT no_overlap EXCLUDE USING btree (id WITH =) WHERE (id > 100)',
  ARRAY['constraint | app.child.no_overlap | added', 'index | app.no_overlap | added'],
  'an exclusion constraint');
SELECT pg_temp.change_is($$ALTER TABLE app.child DROP CONSTRAINT child_code_key,
    ADD CONSTRAINT child_code_key UNIQUE NULLS NOT DISTINCT (code) DEFERRABLE$$,
  'constraint', 'app.child.child_code_key', 'changed', 'deferrable: false → true',
  'a deferrable unique constraint');

-- Indexes, described from their fields.
CREATE TABLE app.t (a int, b text, c timestamptz, d int[]);
CREATE INDEX t_a ON app.t (a);
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE INDEX t_a ON app.t USING hash (a)',
  'index', 'app.t_a', 'changed', 'method: btree → hash', 'index method');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a)',
  'index', 'app.t_a', 'changed', 'unique: false → true', 'unique index');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a, b)',
  'index', 'app.t_a', 'changed', 'columns: a → a, b', 'index columns');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC, b)',
  'index', 'app.t_a', 'changed', 'columns: a, b → a DESC, b', 'descending');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, b)',
  'index', 'app.t_a', 'changed', 'columns: a DESC, b → a DESC NULLS LAST, b', 'NULLS LAST');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, b text_pattern_ops)',
  'index', 'app.t_a', 'changed', 'b text_pattern_ops', 'operator class');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, b COLLATE "C")',
  'index', 'app.t_a', 'changed', 'b COLLATE pg_catalog."C"', 'collation');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, lower(b))',
  'index', 'app.t_a', 'changed', 'lower(b)', 'expression');
SELECT pg_temp.change_is('DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, lower(b)) INCLUDE (c)',
  'index', 'app.t_a', 'changed', 'include: (none) → c', 'INCLUDE');
SELECT pg_temp.change_is($$DROP INDEX app.t_a; CREATE UNIQUE INDEX t_a ON app.t (a DESC NULLS LAST, lower(b)) INCLUDE (c) WHERE b <> ''$$,
  'index', 'app.t_a', 'changed', $$predicate: (none) → (b <> ''::text)$$, 'partial index');
SELECT pg_temp.change_is('ALTER INDEX app.t_a SET (fillfactor = 50)',
  'index', 'app.t_a', 'changed', 'options: (none) → fillfactor=50', 'storage parameters');
CREATE INDEX t_c ON app.t (c);
SELECT pg_temp.change_is('ALTER TABLE app.t CLUSTER ON t_c',
  'index', 'app.t_c', 'changed', 'clustered: (none) → true', 'CLUSTER ON');
SELECT pg_temp.change_is($$COMMENT ON INDEX app.t_a IS 'idx'$$,
  'index', 'app.t_a', 'changed', 'comment: (none) → idx', 'index comment');
SELECT pg_temp.change_is('ALTER INDEX app.t_a RENAME TO t_a2',
  'index', 'app.t_a2', 'changed', 'renamed: t_a → t_a2', 'a renamed index');
SELECT pg_temp.change_is('CREATE INDEX t_d ON app.t USING gin (d)',
  'index', 'app.t_d', 'added', 'gin', 'a new index');
SELECT pg_temp.no_change('REINDEX TABLE app.t', 'rebuilding indexes changes nothing');

-- The index text matches pg_get_indexdef's columns.
SELECT lives_ok($$SELECT squash_snapshot('tap_i')$$, 'another snapshot');
SELECT is((SELECT a.v FROM jsonb_array_elements(squash_snapshot_export('tap_i')->'objects') o,
                 jsonb_each_text(o->'attrs') a(k, v)
            WHERE o->>'identity' = 'app.t_a2' AND a.k = 'columns'),
          'a DESC NULLS LAST, lower(b)', 'key columns as pg_get_indexdef prints them');

SELECT * FROM finish();
ROLLBACK;
