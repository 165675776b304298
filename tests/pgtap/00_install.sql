-- CREATE EXTENSION builds what docs/sql.md promises; DROP EXTENSION removes it again.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(16);

DROP EXTENSION IF EXISTS pg_squash CASCADE;
SELECT lives_ok('CREATE EXTENSION pg_squash', 'CREATE EXTENSION pg_squash works');
SELECT has_schema('squash', 'state schema squash exists');
SELECT has_role('squash_admin', 'role squash_admin exists');
SELECT ok(NOT rolcanlogin, 'squash_admin is NOLOGIN') FROM pg_roles WHERE rolname = 'squash_admin';
SELECT has_function('public', 'squash_version', ARRAY[]::name[],
                    'squash_version() lands in the first schema on search_path');
SELECT is(squash_version(), (SELECT extversion FROM pg_extension WHERE extname = 'pg_squash'),
          'the loaded library matches the installed version');
SELECT ok(NOT has_schema_privilege('public', 'squash', 'USAGE'),
          'PUBLIC has no access to the state schema');
SELECT ok(has_schema_privilege('squash_admin', 'squash', 'USAGE'),
          'squash_admin may use the state schema');
SELECT ok(NOT has_function_privilege('public', 'squash.boundary_selftest(text)', 'EXECUTE'),
          'PUBLIC may not run the boundary self-test');
SELECT is(
  (SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid
     JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_squash'
    WHERE (p.proconfig IS NULL OR NOT ('search_path=pg_catalog, pg_temp' = ANY (p.proconfig)))
      -- these read the caller's search_path to place the version table, then pin it
      AND p.proname NOT IN ('squash_stamp', 'squash_unstamp')),
  0, 'every function of the extension runs with a pinned search_path');

CREATE SCHEMA other_schema;
DROP EXTENSION pg_squash;
SELECT hasnt_schema('squash', 'DROP EXTENSION removes the state schema');
SELECT hasnt_function('public', 'squash_version', ARRAY[]::name[],
                      'DROP EXTENSION removes the functions');
SELECT lives_ok('CREATE EXTENSION pg_squash SCHEMA other_schema',
                'the functions can go into another schema');
SELECT has_function('other_schema', 'squash_version', ARRAY[]::name[],
                    'squash_version() is in the chosen schema');
SELECT has_schema('squash', 'state still lives in schema squash');
DROP EXTENSION pg_squash;
SELECT lives_ok('CREATE EXTENSION pg_squash', 'install again after a drop');

SELECT * FROM finish();
ROLLBACK;
