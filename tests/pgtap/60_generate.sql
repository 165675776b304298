-- squash_generate_migration(): arguments, determinism, the Alembic header, objects it
-- cannot express (refused unless allow_partial), scope, seed rows, privileges.
-- The round trips (apply, fingerprint, real Alembic) are in tests/e2e/generate_roundtrip.sh.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(48);

CREATE SCHEMA gen_app;
CREATE TYPE gen_app.state AS ENUM ('new', 'done');
CREATE TABLE gen_app.parent (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x',
  state gen_app.state NOT NULL DEFAULT 'new');
CREATE TABLE gen_app.child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id integer REFERENCES gen_app.parent ON DELETE CASCADE, note text);
CREATE VIEW gen_app.parent_names AS SELECT id, name FROM gen_app.parent;
CREATE FUNCTION gen_app.pct(x numeric) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN RETURN x || '% :name ''q'' \'; END$$;
INSERT INTO gen_app.parent VALUES (2, 'b', 'done'), (1, 'a''s', 'new');
INSERT INTO gen_app.child (parent_id, note) VALUES (1, E'back\\slash'), (2, NULL);

SELECT has_function('squash_generate_migration',
  ARRAY['text', 'text', 'text', 'text[]', 'text[]', 'boolean', 'boolean', 'boolean'],
  'squash_generate_migration(revision, format, down_revision, schemas, include_data, allow_partial, with_owners, create_roles) exists');
SELECT ok(NOT has_function_privilege('public',
  'squash_generate_migration(text, text, text, text[], text[], boolean, boolean, boolean)', 'EXECUTE'),
  'PUBLIC may not run it');
SELECT ok(has_function_privilege('squash_admin',
  'squash_generate_migration(text, text, text, text[], text[], boolean, boolean, boolean)', 'EXECUTE'),
  'squash_admin may');

-- Deterministic: the same schema gives the same bytes.
SELECT is(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
          squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
          'two sql scripts are byte-identical');
SELECT is(squash_generate_migration(schemas => '{gen_app}', include_data => '{gen_app.parent}'),
          squash_generate_migration(schemas => '{gen_app}', include_data => '{gen_app.parent}'),
          'two alembic files (with seed rows) are byte-identical');
SELECT is(md5(squash_generate_migration(format => 'sql')), md5(squash_generate_migration(format => 'sql')),
          'two whole-database scripts are byte-identical');
SELECT doesnt_match(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
              '\d{4}-\d\d-\d\d \d\d:\d\d', 'no timestamps in the output');

-- Revision ids and formats are checked first.
SELECT throws_ok($$SELECT squash_generate_migration(NULL)$$, '22023',
  'pg_squash: invalid revision id: it is NULL', 'NULL revision rejected');
SELECT throws_ok($$SELECT squash_generate_migration('')$$, '22023',
  'pg_squash: invalid revision id: it is empty', 'empty revision rejected');
SELECT throws_ok($$SELECT squash_generate_migration('abc def')$$, '22023',
  'pg_squash: invalid revision id: it contains whitespace or a control character',
  'revision with a space rejected');
SELECT throws_ok($$SELECT squash_generate_migration(E'abc\ndef')$$, '22023', NULL,
  'revision with a newline rejected');
SELECT throws_ok($$SELECT squash_generate_migration(repeat('a', 33))$$, '22023',
  'pg_squash: invalid revision id: it is 33 characters long; version_num holds 32',
  'revision longer than 32 characters rejected');
SELECT throws_ok($$SELECT squash_generate_migration('ok', down_revision => 'a b')$$, '22023',
  NULL, 'an invalid down_revision is rejected too');
SELECT throws_ok($$SELECT squash_generate_migration(format => 'xml')$$, '22023',
  'pg_squash: unknown format ''xml''', 'an unknown format is rejected');
SELECT throws_ok($$SELECT squash_generate_migration(format => NULL)$$, '22023',
  'pg_squash: unknown format NULL', 'a NULL format is rejected');

-- The Alembic file: header fields, imports, helpers.
CREATE TEMP TABLE gen_out AS
  SELECT squash_generate_migration(schemas => '{gen_app}') AS plain,
         squash_generate_migration('000_base', 'alembic', 'a1b2c3d4e5f6', '{gen_app}') AS stacked;
SELECT matches(plain, '^"""', 'starts with a docstring') FROM gen_out;
SELECT matches(plain, E'\nrevision = ''000_squashed_complete''\n', 'revision = ''000_squashed_complete''') FROM gen_out;
SELECT matches(plain, E'\ndown_revision = None\n', 'down_revision = None by default') FROM gen_out;
SELECT matches(stacked, E'\nrevision = ''000_base''\n', 'the revision given') FROM gen_out;
SELECT matches(stacked, E'\ndown_revision = ''a1b2c3d4e5f6''\n', 'down_revision as a string') FROM gen_out;
SELECT matches(plain, E'\nbranch_labels = None\n', 'branch_labels = None') FROM gen_out;
SELECT matches(plain, E'\ndepends_on = None\n', 'depends_on = None') FROM gen_out;
SELECT is((SELECT array_agg(l ORDER BY l) FROM regexp_split_to_table(plain, E'\n') l
           WHERE l ~ '^(import|from) '),
          ARRAY['from alembic import op', 'import sqlalchemy as sa  # noqa: F401 (the DDL below is raw SQL)'],
          'imports only alembic.op and sqlalchemy') FROM gen_out;
SELECT matches(plain, E'\nclass ReplaceableObject:\n', 'a ReplaceableObject helper inside the file') FROM gen_out;
SELECT matches(plain, E'\ndef create_view\\(view\\):\n.*\ndef replace_view\\(view\\):\n.*\ndef drop_view\\(view\\):\n',
               'create_view / replace_view / drop_view') FROM gen_out;
SELECT matches(plain, E'\n    create_view\\(VIEWS\\[''gen_app.parent_names''\\]\\)\n', 'upgrade creates the view through the helper') FROM gen_out;
SELECT matches(plain, E'\ndef downgrade\\(\\):\n    drop_view\\(VIEWS\\[''gen_app.parent_names''\\]\\)\n',
               'downgrade drops the view first') FROM gen_out;
SELECT matches(plain, E'_run\\(''DROP SCHEMA gen_app''\\)\n$', 'and the schema it created last') FROM gen_out;
SELECT matches(plain, 'exec_driver_sql', 'statements run without bind parameters') FROM gen_out;

-- The SQL script.
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  E'\nSET search_path = '''';\nSET check_function_bodies = off;\n', 'the script empties search_path and turns off body checks');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  E'\\$function\\$BEGIN RETURN x \\|\\| ''% :name ''''q'''' \\\\''; END\\$function\\$',
  'a function body is dollar-quoted as it is');
SELECT doesnt_match(squash_generate_migration(format => 'sql', schemas => '{gen_app}'), 'public\.',
  'schemas limits the script to those schemas');

-- Seed rows: primary-key order, identity values kept, the sequence moved past them.
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}', include_data => '{gen_app.parent}'),
  E'INSERT INTO gen_app.parent \\(id, name, state\\) VALUES \\(''1'', ''a''''s'', ''new''\\);\nINSERT INTO gen_app.parent \\(id, name, state\\) VALUES \\(''2'', ''b'', ''done''\\);',
  'seed rows in primary-key order');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}', include_data => '{gen_app.child}'),
  E'INSERT INTO gen_app.child \\(id, parent_id, note\\) OVERRIDING SYSTEM VALUE VALUES .*\nSELECT pg_catalog.setval\\(''gen_app.child_id_seq'', 2\\);',
  'identity ALWAYS rows are inserted with OVERRIDING SYSTEM VALUE, then setval');
SELECT throws_ok($$SELECT squash_generate_migration(include_data => '{gen_app.nope}')$$, '42P01', NULL,
  'include_data naming a missing table is an error');

-- Owners and grants only when asked.
SELECT doesnt_match(squash_generate_migration(format => 'sql', schemas => '{gen_app}'), 'OWNER TO',
  'no owners by default');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}', with_owners => true),
  'ALTER TABLE gen_app.parent OWNER TO ', 'owners with with_owners');
-- Grants to other roles are part of the schema: always written (rolled back with the test).
CREATE ROLE gen_reader_pgtap NOLOGIN;
GRANT SELECT ON gen_app.parent_names TO gen_reader_pgtap;
GRANT UPDATE (note) ON gen_app.child TO gen_reader_pgtap;
GRANT SELECT ON gen_app.parent TO PUBLIC;
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  'GRANT SELECT ON TABLE gen_app.parent_names TO gen_reader_pgtap;',
  'a grant to another role is written without with_owners');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  'GRANT UPDATE \(note\) ON TABLE gen_app.child TO gen_reader_pgtap;',
  'so is a column grant');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  'GRANT SELECT ON TABLE gen_app.parent TO PUBLIC;',
  'and a table grant to PUBLIC');

-- The keys and checks of one table that follow each other are one ALTER TABLE; a foreign
-- key, added after every key, is a statement of its own.
CREATE SCHEMA gen_batch;
CREATE TABLE gen_batch.t (id integer, score integer, CONSTRAINT t_pkey PRIMARY KEY (id),
  CONSTRAINT t_score_check CHECK (score > 0));
CREATE TABLE gen_batch.u (id integer PRIMARY KEY, t_id integer REFERENCES gen_batch.t);
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_batch}'),
  E'\nALTER TABLE gen_batch\\.t ADD CONSTRAINT t_pkey PRIMARY KEY \\(id\\),\n    ADD CONSTRAINT t_score_check CHECK \\(\\(score > 0\\)\\);\n',
  'a table''s key and check are one ALTER TABLE');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_batch}'),
  E'\nALTER TABLE gen_batch\\.u ADD CONSTRAINT u_pkey PRIMARY KEY \\(id\\);\n(.*\n)*ALTER TABLE gen_batch\\.u ADD CONSTRAINT u_t_id_fkey FOREIGN KEY \\(t_id\\) REFERENCES gen_batch\\.t\\(id\\);\n',
  'the foreign key comes later, on its own');
SELECT matches(squash_generate_migration(schemas => '{gen_batch}'),
  E'    _run\\(r''''''ALTER TABLE gen_batch\\.t ADD CONSTRAINT t_pkey PRIMARY KEY \\(id\\),\n    ADD CONSTRAINT t_score_check',
  'the alembic file runs the joined statement as one');

-- A range type with a canonical function (from a built-in symbol): made on a shell type,
-- then the function, then the range type.
CREATE TYPE gen_app.canon_range;
CREATE FUNCTION gen_app.canon(gen_app.canon_range) RETURNS gen_app.canon_range
  AS 'int4range_canonical' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE gen_app.canon_range AS RANGE (SUBTYPE = integer, CANONICAL = gen_app.canon);
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}'),
  E'CREATE TYPE gen_app\\.canon_range;\n.*CREATE FUNCTION gen_app\\.canon\\(gen_app\\.canon_range\\) RETURNS gen_app\\.canon_range.*CREATE TYPE gen_app\\.canon_range AS RANGE \\(SUBTYPE = integer, [^\n]*CANONICAL = gen_app\\.canon,',
  'a range type with a canonical function: shell, function, range type');

-- What cannot be expressed is refused unless allow_partial, and then listed at the top.
-- A foreign table with a secret in its options (the value never enters the snapshot).
CREATE FOREIGN DATA WRAPPER gen_fdw_pgtap;
CREATE SERVER gen_srv_pgtap FOREIGN DATA WRAPPER gen_fdw_pgtap;
CREATE FOREIGN TABLE gen_app.secretive (a int) SERVER gen_srv_pgtap OPTIONS (password 'x');
SELECT throws_ok($$SELECT squash_generate_migration(schemas => '{gen_app}')$$, '0A000',
  'pg_squash: 1 object(s) cannot be expressed in the squashed revision: foreign table gen_app.secretive (an option with a secret value)',
  'an object the generator cannot write is refused, named');
SELECT lives_ok($$SELECT squash_generate_migration(schemas => '{gen_app}', allow_partial => true)$$,
  'allow_partial => true generates anyway');
SELECT matches(squash_generate_migration(format => 'sql', schemas => '{gen_app}', allow_partial => true),
  E'^-- pg_squash[^\n]*\n(--[^\n]*\n)*-- WARNING: 1 object\\(s\\) cannot be expressed and are NOT created by this script:\n--   foreign table gen_app\\.secretive \\(an option with a secret value\\)\n',
  'the sql script lists it as a warning at its top');
SELECT matches(squash_generate_migration(schemas => '{gen_app}', allow_partial => true),
  E'\n# WARNING: 1 object\\(s\\) cannot be expressed and are NOT created by this revision:\n#   foreign table gen_app\\.secretive \\(an option with a secret value\\)\n',
  'so does the alembic file');

SELECT * FROM finish();
ROLLBACK;
