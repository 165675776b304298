-- Base types and shell types: every CREATE TYPE option is an attribute, named by
-- squash_diff old -> new; a change makes the stamp refuse; the array type is no object of
-- its own; a shell type is modelled; none is unmodelled; the generator rebuilds them
-- (shell, functions, type, the table that uses it) and its downgrade drops them. Support
-- functions are built-in symbols under LANGUAGE internal: no library needed.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(32);

CREATE SCHEMA app;
-- app.mytext made again with other options: its functions stay the same.
CREATE FUNCTION pg_temp.remake_text(opts text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  DROP TYPE IF EXISTS app.mytext CASCADE;
  CREATE TYPE app.mytext;
  CREATE FUNCTION app.mytext_in(cstring, oid, integer) RETURNS app.mytext
    AS 'varcharin' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION app.mytext_out(app.mytext) RETURNS cstring
    AS 'varcharout' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION app.mytext_recv(internal, oid, integer) RETURNS app.mytext
    AS 'varcharrecv' LANGUAGE internal STABLE STRICT;
  CREATE FUNCTION app.mytext_send(app.mytext) RETURNS bytea
    AS 'varcharsend' LANGUAGE internal STABLE STRICT;
  EXECUTE 'CREATE TYPE app.mytext (INPUT = app.mytext_in, OUTPUT = app.mytext_out, '
    'INTERNALLENGTH = VARIABLE' || coalesce(', ' || opts, '') || ')';
END $f$;
CREATE FUNCTION pg_temp.remake_int(opts text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  DROP TYPE IF EXISTS app.myint CASCADE;
  CREATE TYPE app.myint;
  CREATE FUNCTION app.myint_in(cstring) RETURNS app.myint AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
  CREATE FUNCTION app.myint_out(app.myint) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;
  EXECUTE 'CREATE TYPE app.myint (INPUT = app.myint_in, OUTPUT = app.myint_out, ' || opts || ')';
END $f$;

SELECT pg_temp.changes_are($$SELECT pg_temp.remake_int('INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4')$$,
  ARRAY['base type | app.myint | added', 'function | app.myint_in(cstring) | added',
        'function | app.myint_out(app.myint) | added'],
  'a base type and its functions; its array type is no object of its own');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_int('INTERNALLENGTH = 8, PASSEDBYVALUE, ALIGNMENT = double')$$,
  'base type', 'app.myint', 'changed', 'internallength: 4 → 8', 'internallength');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_int('INTERNALLENGTH = 8, ALIGNMENT = double')$$,
  'base type', 'app.myint', 'changed', 'passedbyvalue: true → false', 'passedbyvalue');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_int('INTERNALLENGTH = 8, ALIGNMENT = int4')$$,
  'base type', 'app.myint', 'changed', 'alignment: double → int4', 'alignment');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_int('INTERNALLENGTH = 8, ALIGNMENT = int4, ELEMENT = int4')$$,
  'base type', 'app.myint', 'changed', 'element: (none) → integer',
  'element (a fixed-length type with one gets raw_array_subscript_handler too)');
SELECT pg_temp.changes_are($$SELECT pg_temp.remake_text(NULL)$$,
  ARRAY['base type | app.mytext | added', 'function | app.mytext_in(cstring, oid, integer) | added',
        'function | app.mytext_out(app.mytext) | added', 'function | app.mytext_recv(internal, oid, integer) | added',
        'function | app.mytext_send(app.mytext) | added'],
  'a variable-length base type');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (STORAGE = extended)$$,
  'base type', 'app.mytext', 'changed', 'storage: plain → extended', 'storage');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (RECEIVE = app.mytext_recv)$$,
  'base type', 'app.mytext', 'changed', 'receive: (none) → app.mytext_recv(internal,oid,integer)', 'receive');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (SEND = app.mytext_send)$$,
  'base type', 'app.mytext', 'changed', 'send: (none) → app.mytext_send(app.mytext)', 'send');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (TYPMOD_IN = varchartypmodin)$$,
  'base type', 'app.mytext', 'changed', 'typmod_in: (none) → varchartypmodin(cstring[])', 'typmod_in');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (TYPMOD_OUT = varchartypmodout)$$,
  'base type', 'app.mytext', 'changed', 'typmod_out: (none) → varchartypmodout(integer)', 'typmod_out');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (ANALYZE = ts_typanalyze)$$,
  'base type', 'app.mytext', 'changed', 'analyze: (none) → ts_typanalyze(internal)', 'analyze');
SELECT pg_temp.change_is($$ALTER TYPE app.mytext SET (SUBSCRIPT = raw_array_subscript_handler)$$,
  'base type', 'app.mytext', 'changed', 'subscript: (none) → raw_array_subscript_handler(internal)', 'subscript');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_text('CATEGORY = ''S''')$$,
  'base type', 'app.mytext', 'changed', 'category: U → S', 'category');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_text('CATEGORY = ''S'', PREFERRED = true')$$,
  'base type', 'app.mytext', 'changed', 'preferred: false → true', 'preferred');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_text('CATEGORY = ''S'', PREFERRED = true, DEFAULT = ''zippo''')$$,
  'base type', 'app.mytext', 'changed', 'default: (none) → zippo', 'default');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_text('CATEGORY = ''S'', PREFERRED = true, DEFAULT = ''zippo'', DELIMITER = '';''')$$,
  'base type', 'app.mytext', 'changed', 'delimiter: , → ;', 'delimiter');
SELECT pg_temp.change_is($$SELECT pg_temp.remake_text('CATEGORY = ''S'', PREFERRED = true, DEFAULT = ''zippo'', DELIMITER = '';'', COLLATABLE = true')$$,
  'base type', 'app.mytext', 'changed', 'collatable: false → true', 'collatable');
CREATE FUNCTION app.mytext_in2(cstring) RETURNS app.mytext AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
SELECT pg_temp.change_is($$DROP TYPE app.mytext CASCADE; CREATE TYPE app.mytext;
    CREATE FUNCTION app.mytext_in(cstring, oid, integer) RETURNS app.mytext AS 'varcharin' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION app.mytext_in2(cstring) RETURNS app.mytext AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION app.mytext_out(app.mytext) RETURNS cstring AS 'varcharout' LANGUAGE internal IMMUTABLE STRICT;
    CREATE FUNCTION app.mytext_recv(internal, oid, integer) RETURNS app.mytext AS 'varcharrecv' LANGUAGE internal STABLE STRICT;
    CREATE FUNCTION app.mytext_send(app.mytext) RETURNS bytea AS 'varcharsend' LANGUAGE internal STABLE STRICT;
    CREATE TYPE app.mytext (INPUT = app.mytext_in2, OUTPUT = app.mytext_out, INTERNALLENGTH = VARIABLE,
      CATEGORY = 'S', PREFERRED = true, DEFAULT = 'zippo', DELIMITER = ';', COLLATABLE = true)$$,
  'base type', 'app.mytext', 'changed', 'input: app.mytext_in(cstring,oid,integer) → app.mytext_in2(cstring)',
  'input');
SELECT pg_temp.change_is($$COMMENT ON TYPE app.mytext IS 'words'$$,
  'base type', 'app.mytext', 'changed', 'comment: (none) → words', 'comment');
CREATE ROLE tap_base_reader NOLOGIN;
SELECT pg_temp.change_is($$GRANT USAGE ON TYPE app.mytext TO tap_base_reader$$,
  'base type', 'app.mytext', 'changed', 'acl:', 'its privileges');
SELECT pg_temp.stamp_refuses($$ALTER TYPE app.mytext SET (STORAGE = main)$$,
  'base type app.mytext changed', 'the stamp refuses a changed base type');

SELECT pg_temp.change_is('CREATE TYPE app.lonely', 'shell type', 'app.lonely', 'added',
  'owner ' || current_user, 'a shell type is modelled');
SELECT pg_temp.change_is($$COMMENT ON TYPE app.lonely IS 'alone'$$,
  'shell type', 'app.lonely', 'changed', 'comment: (none) → alone', 'a shell type''s comment');
SELECT squash_snapshot('base_check', '{app}') IS NOT NULL AS taken \gset
SELECT is((SELECT count(*) FROM jsonb_array_elements(squash_snapshot_export('base_check')->'objects') o
            WHERE o->>'kind' = 'unmodelled'), 0::bigint, 'no base or shell type is unmodelled');
SELECT is((SELECT count(*) FROM jsonb_array_elements(squash_snapshot_export('base_check')->'objects') o
            WHERE o->>'identity' LIKE 'app._my%'), 0::bigint, 'no array type of its own');

-- Generator round trip in this transaction: a table uses the types and an array of one; a
-- type made the old way (its input function first makes the shell), a domain over it and
-- an SQL function taking it (which needs the type complete, not its shell).
CREATE FUNCTION app.old_in(cstring) RETURNS app.old AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION app.old_out(app.old) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE app.old (INPUT = app.old_in, OUTPUT = app.old_out, INTERNALLENGTH = 4, PASSEDBYVALUE,
  ALIGNMENT = int4, DEFAULT = 42);
CREATE DOMAIN app.old_dom AS app.old;
CREATE FUNCTION app.same(app.old) RETURNS app.old LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE TABLE app.typed (i app.myint, t app.mytext COLLATE "C", ta app.mytext[], o app.old_dom,
  oa app.old[]);
CREATE TEMP TABLE gen AS SELECT squash_generate_migration(format => 'sql', schemas => '{app}') AS sql,
  squash_generate_migration(schemas => '{app}') AS py, squash_fingerprint('{app}') AS fp;
CREATE FUNCTION pg_temp.before(a text, b text) RETURNS boolean LANGUAGE sql AS
  $$SELECT strpos(sql, a) > 0 AND strpos(sql, b) > 0 AND strpos(sql, a) < strpos(sql, b) FROM gen$$;
SELECT unalike((SELECT sql FROM gen), '%cannot be expressed%', 'base and shell types generate without allow_partial');
SELECT ok(pg_temp.before(E'CREATE TYPE app.myint;\n', 'CREATE FUNCTION app.myint_in(cstring)')
      AND pg_temp.before('CREATE FUNCTION app.myint_out(app.myint)', 'CREATE TYPE app.myint ('),
  'the shell, then its functions, then the type');
SELECT ok(pg_temp.before('CREATE TYPE app.mytext (', 'CREATE TABLE app.typed'), 'the table after the type');
SELECT ok(pg_temp.before('CREATE TYPE app.old (', 'CREATE FUNCTION app.same(app.old)')
      AND pg_temp.before('CREATE TYPE app.old (', 'CREATE DOMAIN app.old_dom'),
  'an SQL function and a domain after the complete type');
SELECT matches((SELECT py FROM gen),
  'def downgrade\(\):.*DROP TABLE app\.typed.*DROP TYPE app\.mytext CASCADE.*DROP FUNCTION IF EXISTS app\.mytext_in2\(cstring\).*DROP TYPE IF EXISTS app\.mytext\M',
  'the downgrade drops the table, the type with CASCADE, then what CASCADE may have taken');
DROP SCHEMA app CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{app}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');

SELECT * FROM finish();
ROLLBACK;
