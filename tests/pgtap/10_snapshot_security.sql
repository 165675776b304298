-- Snapshots of schemas, owners, privileges, row level security policies, extensions and
-- what is not modelled.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(23);

CREATE ROLE tap_alice;
CREATE ROLE "Tap Bob";
CREATE SCHEMA app;
CREATE TABLE app.t (id int, owner_name text);

-- Schemas.
SELECT pg_temp.change_is('CREATE SCHEMA extra',
  'schema', 'extra', 'added', 'owner ', 'a new schema');
SELECT pg_temp.change_is('GRANT USAGE ON SCHEMA app TO tap_alice',
  'schema', 'app', 'changed', 'tap_alice=U', 'schema privileges');
SELECT pg_temp.change_is('ALTER SCHEMA extra OWNER TO tap_alice',
  'schema', 'extra', 'changed', 'owner: ', 'schema owner');
SELECT pg_temp.change_is($$COMMENT ON SCHEMA extra IS 'more'$$,
  'schema', 'extra', 'changed', 'comment: (none) → more', 'schema comment');

-- Privileges: rendered per grantee, grant options marked, NULL equal to the default.
SELECT pg_temp.change_is('GRANT SELECT, INSERT ON app.t TO "Tap Bob" WITH GRANT OPTION',
  'table', 'app.t', 'changed', '"Tap Bob"=a*r*', 'grants with grant option');
SELECT pg_temp.change_is('REVOKE GRANT OPTION FOR INSERT ON app.t FROM "Tap Bob"',
  'table', 'app.t', 'changed', '→ "Tap Bob"=ar*', 'a revoked grant option');
CREATE TABLE app.u (a int);
SELECT pg_temp.no_change($$GRANT SELECT ON app.u TO "Tap Bob"; REVOKE SELECT ON app.u FROM "Tap Bob"$$,
  'an explicit default ACL equals no ACL');
SELECT pg_temp.change_is('REVOKE ALL ON app.t FROM CURRENT_USER',
  'table', 'app.t', 'changed', 'acl: ', 'an owner without rights');
SELECT pg_temp.change_is('CREATE SEQUENCE app.s; GRANT USAGE ON SEQUENCE app.s TO tap_alice',
  'sequence', 'app.s', 'added', 'tap_alice=U', 'sequence privileges');

-- Row level security.
SELECT pg_temp.change_is($$CREATE POLICY own_rows ON app.t FOR SELECT TO tap_alice
    USING (owner_name = current_user)$$,
  'policy', 'app.t.own_rows', 'added', 'command SELECT', 'a policy');
SELECT pg_temp.change_is('ALTER POLICY own_rows ON app.t TO tap_alice, "Tap Bob"',
  'policy', 'app.t.own_rows', 'changed', 'roles: tap_alice → "Tap Bob", tap_alice', 'policy roles');
SELECT pg_temp.change_is('ALTER POLICY own_rows ON app.t USING (owner_name = session_user)',
  'policy', 'app.t.own_rows', 'changed', 'using: (owner_name = CURRENT_USER) → (owner_name = SESSION_USER)',
  'policy USING');
SELECT pg_temp.change_is($$CREATE POLICY ins ON app.t AS RESTRICTIVE FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM app.t t2 WHERE t2.id = t.id))$$,
  'policy', 'app.t.ins', 'added', 'with check (EXISTS ( SELECT 1', 'a restrictive policy with a sub-query');
SELECT pg_temp.change_is($$COMMENT ON POLICY ins ON app.t IS 'guard'$$,
  'policy', 'app.t.ins', 'changed', 'comment: (none) → guard', 'policy comment');

-- Extensions: recorded with their version, their objects left out.
SELECT pg_temp.change_is('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA app',
  'extension', 'pg_trgm', 'added', 'version ', 'an extension, and none of its objects');

-- What is not modelled is reported, never skipped.
SELECT pg_temp.change_is('CREATE TEXT SEARCH CONFIGURATION app.cfg (COPY = english)',
  'text search configuration', 'app.cfg', 'added', 'mapping asciiword pg_catalog.english_stem',
  'a text search configuration is modelled');
SELECT pg_temp.change_is($$CREATE COLLATION app.coll (provider = libc, locale = 'C')$$,
  'collation', 'app.coll', 'added', 'provider libc', 'a collation is modelled');
SELECT pg_temp.change_is('CREATE RULE r AS ON UPDATE TO app.t DO INSTEAD NOTHING',
  'rule', 'app.t.r', 'added', 'event UPDATE', 'a rule is modelled');
SELECT pg_temp.change_is('CREATE STATISTICS app.st (dependencies) ON id, owner_name FROM app.t',
  'statistics', 'app.st', 'added', 'kinds dependencies', 'a statistics object is modelled');
SELECT pg_temp.changes_are($$CREATE FOREIGN DATA WRAPPER tap_fdw;
    CREATE SERVER tap_srv FOREIGN DATA WRAPPER tap_fdw;
    CREATE FOREIGN TABLE app.ft (a int) SERVER tap_srv$$,
  ARRAY['foreign-data wrapper | tap_fdw | added', 'foreign server | tap_srv | added',
        'foreign table | app.ft | added', 'column | app.ft.a | added',
        'column order | app.ft | added'],
  'foreign-data wrappers, servers and foreign tables are modelled');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO tap_alice',
  'default privileges', 'FOR ROLE ' || quote_ident(current_user) || ' IN SCHEMA app ON TABLES', 'added',
  'grants tap_alice=r', 'default privileges are modelled');
SELECT pg_temp.change_is('CREATE TYPE app.fr AS RANGE (subtype = float8)',
  'range type', 'app.fr', 'added', 'subtype double precision',
  'a range type is modelled (its constructors and multirange type come with it)');
SELECT pg_temp.change_is('CREATE TYPE app.shell_only',
  'shell type', 'app.shell_only', 'added', 'owner ', 'a shell type is modelled');

SELECT * FROM finish();
ROLLBACK;
