-- Snapshots of foreign-data wrappers, foreign servers, user mappings and foreign tables:
-- every definitional attribute is named by squash_diff old -> new and makes the stamp
-- refuse; a secret option's value never enters the snapshot (only its name does).
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
\ir 10_snapshot_helpers.inc
SELECT plan(45);

CREATE ROLE tap_fd_user;
CREATE ROLE tap_fd_super SUPERUSER NOLOGIN;
CREATE SCHEMA fd;

-- Wrappers.
SELECT pg_temp.change_is($$CREATE FOREIGN DATA WRAPPER fd_w OPTIONS (debug 'true')$$,
  'foreign-data wrapper', 'fd_w', 'added', 'handler NO HANDLER', 'a wrapper without handler');
SELECT pg_temp.change_is('ALTER FOREIGN DATA WRAPPER fd_w HANDLER public.postgres_fdw_handler',
  'foreign-data wrapper', 'fd_w', 'changed', 'handler: NO HANDLER → public.postgres_fdw_handler()', 'its handler');
SELECT pg_temp.change_is('ALTER FOREIGN DATA WRAPPER fd_w VALIDATOR public.postgres_fdw_validator',
  'foreign-data wrapper', 'fd_w', 'changed', 'validator: NO VALIDATOR → public.postgres_fdw_validator(text[],oid)',
  'its validator');
SELECT pg_temp.change_is($$ALTER FOREIGN DATA WRAPPER fd_w NO VALIDATOR OPTIONS (SET debug 'false')$$,
  'foreign-data wrapper', 'fd_w', 'changed', $$options: debug 'true' → debug 'false'$$, 'its options');
SELECT pg_temp.change_is('ALTER FOREIGN DATA WRAPPER fd_w OWNER TO tap_fd_super',
  'foreign-data wrapper', 'fd_w', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is('GRANT USAGE ON FOREIGN DATA WRAPPER fd_w TO tap_fd_user',
  'foreign-data wrapper', 'fd_w', 'changed', 'tap_fd_user=U', 'its grants');
SELECT pg_temp.change_is($$COMMENT ON FOREIGN DATA WRAPPER fd_w IS 'w'$$,
  'foreign-data wrapper', 'fd_w', 'changed', 'comment: (none) → w', 'its comment');

-- Servers.
SELECT pg_temp.change_is($$CREATE SERVER fd_s TYPE 'oracle' VERSION '19' FOREIGN DATA WRAPPER fd_w OPTIONS (host 'a')$$,
  'foreign server', 'fd_s', 'added', 'type oracle', 'a server');
SELECT pg_temp.change_is($$ALTER SERVER fd_s VERSION '21'$$,
  'foreign server', 'fd_s', 'changed', 'version: 19 → 21', 'its version');
SELECT pg_temp.change_is($$ALTER SERVER fd_s OPTIONS (SET host 'b', ADD port '5')$$,
  'foreign server', 'fd_s', 'changed', $$options: host 'a' → host 'b', port '5'$$, 'its options');
CREATE FOREIGN DATA WRAPPER fd_w2;
SELECT pg_temp.change_is($$DROP SERVER fd_s; CREATE SERVER fd_s TYPE 'oracle' VERSION '21' FOREIGN DATA WRAPPER fd_w2 OPTIONS (host 'b', port '5')$$,
  'foreign server', 'fd_s', 'changed', 'wrapper: fd_w → fd_w2', 'its wrapper');
SELECT pg_temp.change_is($$DROP SERVER fd_s; CREATE SERVER fd_s TYPE 'db2' VERSION '21' FOREIGN DATA WRAPPER fd_w2 OPTIONS (host 'b', port '5')$$,
  'foreign server', 'fd_s', 'changed', 'type: oracle → db2', 'its type');
SELECT pg_temp.change_is('ALTER SERVER fd_s OWNER TO tap_fd_user',
  'foreign server', 'fd_s', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is('GRANT USAGE ON FOREIGN SERVER fd_s TO tap_fd_super',
  'foreign server', 'fd_s', 'changed', 'tap_fd_super=U', 'its grants');
SELECT pg_temp.change_is($$COMMENT ON SERVER fd_s IS 's'$$,
  'foreign server', 'fd_s', 'changed', 'comment: (none) → s', 'its comment');

-- User mappings: the password's value is not in the snapshot, its name is.
SELECT pg_temp.change_is($$CREATE USER MAPPING FOR tap_fd_user SERVER fd_s OPTIONS (user 'bob', password 'hunter2')$$,
  'user mapping', 'FOR tap_fd_user SERVER fd_s', 'added', 'secret options password', 'a user mapping with a password');
SELECT pg_temp.no_change($$ALTER USER MAPPING FOR tap_fd_user SERVER fd_s OPTIONS (SET password 'other')$$,
  'a new password is no difference: its value is not schema and never stored');
SELECT pg_temp.change_is($$ALTER USER MAPPING FOR tap_fd_user SERVER fd_s OPTIONS (SET user 'carol')$$,
  'user mapping', 'FOR tap_fd_user SERVER fd_s', 'changed', $$options: "user" 'bob' → "user" 'carol'$$, 'its options');
SELECT pg_temp.change_is($$ALTER USER MAPPING FOR tap_fd_user SERVER fd_s OPTIONS (ADD sslpassword 'x')$$,
  'user mapping', 'FOR tap_fd_user SERVER fd_s', 'changed', 'secret_options: password → password, sslpassword',
  'a secret option added is named');
SELECT pg_temp.change_is('CREATE USER MAPPING FOR PUBLIC SERVER fd_s',
  'user mapping', 'FOR PUBLIC SERVER fd_s', 'added', '', 'a mapping for PUBLIC');
SELECT squash_snapshot('tap_fd_secret') AS fp_secret \gset
SELECT unalike(squash_snapshot_export('tap_fd_secret')::text, '%hunter2%',
  'no password value in the exported snapshot');
SELECT unalike(squash_snapshot_export('tap_fd_secret')::text, '%other%',
  'nor the changed one');

-- Foreign tables.
SELECT pg_temp.changes_are($$CREATE FOREIGN TABLE fd.ft (id int OPTIONS (column_name 'ID') NOT NULL, name text DEFAULT 'x')
    SERVER fd_s OPTIONS (table_name 't')$$,
  ARRAY['foreign table | fd.ft | added', 'column | fd.ft.id | added', 'column | fd.ft.name | added',
        'column order | fd.ft | added'], 'a foreign table with its columns');
SELECT pg_temp.change_is($$ALTER FOREIGN TABLE fd.ft OPTIONS (SET table_name 'u')$$,
  'foreign table', 'fd.ft', 'changed', $$options: table_name 't' → table_name 'u'$$, 'its options');
SELECT pg_temp.change_is($$ALTER FOREIGN TABLE fd.ft ALTER COLUMN id OPTIONS (SET column_name 'X')$$,
  'column', 'fd.ft.id', 'changed', $$fdw_options: column_name 'ID' → column_name 'X'$$, 'a column''s options');
SELECT pg_temp.change_is('ALTER FOREIGN TABLE fd.ft ALTER COLUMN id TYPE bigint',
  'column', 'fd.ft.id', 'changed', 'type: integer → bigint', 'a column''s type');
SELECT pg_temp.change_is($$ALTER FOREIGN TABLE fd.ft ALTER COLUMN name SET DEFAULT 'y'$$,
  'column', 'fd.ft.name', 'changed', $$default: 'x'::text → 'y'::text$$, 'a column''s default');
SELECT pg_temp.change_is('ALTER FOREIGN TABLE fd.ft ALTER COLUMN id DROP NOT NULL',
  'column', 'fd.ft.id', 'changed', 'not_null: true → false', 'NOT NULL');
SELECT pg_temp.change_is('ALTER FOREIGN TABLE fd.ft ADD CONSTRAINT ft_pos CHECK (id > 0)',
  'constraint', 'fd.ft.ft_pos', 'added', 'CHECK ((id > 0))', 'a CHECK constraint');
CREATE SERVER fd_s2 FOREIGN DATA WRAPPER fd_w2;
SELECT pg_temp.change_is($$DROP FOREIGN TABLE fd.ft; CREATE FOREIGN TABLE fd.ft (id bigint OPTIONS (column_name 'X'), name text DEFAULT 'y',
    CONSTRAINT ft_pos CHECK (id > 0)) SERVER fd_s2 OPTIONS (table_name 'u')$$,
  'foreign table', 'fd.ft', 'changed', 'server: fd_s → fd_s2', 'its server');
SELECT pg_temp.change_is('ALTER FOREIGN TABLE fd.ft OWNER TO tap_fd_user',
  'foreign table', 'fd.ft', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is('GRANT SELECT ON fd.ft TO tap_fd_super',
  'foreign table', 'fd.ft', 'changed', 'tap_fd_super=r', 'its grants');
SELECT pg_temp.change_is($$COMMENT ON FOREIGN TABLE fd.ft IS 'f'$$,
  'foreign table', 'fd.ft', 'changed', 'comment: (none) → f', 'its comment');
CREATE TABLE fd.parted (id int, region text) PARTITION BY LIST (region);
SELECT pg_temp.changes_are($$CREATE FOREIGN TABLE fd.parted_eu PARTITION OF fd.parted FOR VALUES IN ('eu') SERVER fd_s2$$,
  ARRAY['foreign table | fd.parted_eu | added', 'column | fd.parted_eu.id | added',
        'column | fd.parted_eu.region | added', 'column order | fd.parted_eu | added'],
  'a foreign partition');
CREATE TABLE fd.base (id int);
SELECT pg_temp.changes_are($$CREATE FOREIGN TABLE fd.child (extra text) INHERITS (fd.base) SERVER fd_s2$$,
  ARRAY['foreign table | fd.child | added', 'column | fd.child.id | added',
        'column | fd.child.extra | added', 'column order | fd.child | added'],
  'a foreign inheritance child');
SELECT squash_snapshot('tap_fd_tables') AS fp_tables \gset
SELECT is((SELECT o->'attrs'->>'partition_of' || ' ' || (o->'attrs'->>'partition_bound')
             FROM jsonb_array_elements(squash_snapshot_export('tap_fd_tables')->'objects') o
            WHERE o->>'identity' = 'fd.parted_eu' AND o->>'kind' = 'foreign table'),
  $$fd.parted FOR VALUES IN ('eu')$$, 'the partition''s parent and bound');
SELECT is((SELECT (o->'attrs'->>'inherits') || ' ' || (o->'attrs'->>'server')
             FROM jsonb_array_elements(squash_snapshot_export('tap_fd_tables')->'objects') o
            WHERE o->>'identity' = 'fd.child' AND o->>'kind' = 'foreign table'),
  'fd.base fd_s2', 'the child''s parent and server');
SELECT pg_temp.stamp_refuses($$ALTER FOREIGN TABLE fd.ft OPTIONS (SET table_name 'v')$$,
  'foreign table fd.ft changed: ', 'the stamp refuses a changed foreign table');
SELECT pg_temp.stamp_refuses($$ALTER SERVER fd_s OPTIONS (SET host 'c')$$,
  'foreign server fd_s changed: ', 'the stamp refuses a changed server');
SELECT pg_temp.nothing_unmodelled('foreign data: nothing is unmodelled');
SELECT pg_temp.no_change('SET search_path = fd, public', 'search_path changes nothing');
RESET search_path;
SET LOCAL pg_squash.view_worker_min_relations = 0;  -- the worker even for this small schema
SELECT squash_snapshot('tap_fd_parallel') AS fp_parallel \gset
SET LOCAL max_parallel_workers = 0;
SELECT is(squash_fingerprint(), :'fp_parallel', 'the same fingerprint without a parallel worker');
RESET max_parallel_workers;
RESET pg_squash.view_worker_min_relations;
SELECT is(squash_fingerprint(), :'fp_parallel', 'and without one for a small pg_class (the default)');
SELECT is(squash_snapshot_import(squash_snapshot_export('tap_fd_parallel'), 'tap_fd_imported'),
  :'fp_parallel', 'the JSON export imports with the same fingerprint');
SELECT squash_snapshot('tap_fd_scoped', '{fd}') AS fp_scoped \gset
SELECT is((SELECT string_agg(DISTINCT o->>'kind', ', ' ORDER BY o->>'kind')
             FROM jsonb_array_elements(squash_snapshot_export('tap_fd_scoped')->'objects') o
            WHERE o->>'kind' IN ('foreign table', 'foreign server', 'foreign-data wrapper', 'user mapping')),
  'foreign table', 'a snapshot of some schemas holds their foreign tables, not the database''s wrappers, servers and mappings');

SELECT * FROM finish();
ROLLBACK;
