-- squash_generate_migration() and foreign data, rules, statistics, publications,
-- subscriptions and default privileges: written in dependency order (default privileges
-- after everything else), secrets read from settings at upgrade time, dropped by the
-- downgrade, and the script rebuilds the same whole-database fingerprint here, in this
-- transaction. Real Alembic, with_owners and pg_dump are in
-- tests/e2e/generate_foreign_replication.sh.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = error;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(14);

CREATE ROLE tap_gf_reader;
CREATE SCHEMA gf;
CREATE FOREIGN DATA WRAPPER gf_w OPTIONS (debug 'on');
CREATE SERVER gf_s FOREIGN DATA WRAPPER gf_w OPTIONS (host 'remote');
CREATE USER MAPPING FOR tap_gf_reader SERVER gf_s OPTIONS (user 'r', password 'pw1');
CREATE FOREIGN TABLE gf.ft (id int NOT NULL, v text OPTIONS (col 'V'), CHECK (id > 0))
  SERVER gf_s OPTIONS (tab 'x');
CREATE TABLE gf.t (a int PRIMARY KEY, b text);
CREATE TABLE gf.audit (a int, at timestamptz DEFAULT now());
CREATE RULE t_audit AS ON UPDATE TO gf.t DO ALSO INSERT INTO gf.audit (a) VALUES (NEW.a);
CREATE STATISTICS gf.t_st (dependencies) ON a, b FROM gf.t;
CREATE PUBLICATION gf_pub FOR TABLE gf.t (a) WHERE (a > 10);
CREATE SUBSCRIPTION gf_sub CONNECTION 'host=pub dbname=x' PUBLICATION p
  WITH (connect = false, slot_name = NONE, binary = true);
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA gf GRANT SELECT ON TABLES TO tap_gf_reader;

CREATE TEMP TABLE gen AS SELECT squash_generate_migration(format => 'sql') AS sql,
  squash_generate_migration() AS py, squash_fingerprint() AS fp;
CREATE FUNCTION pg_temp.before(a text, b text) RETURNS boolean LANGUAGE sql AS
  $$SELECT strpos(sql, a) > 0 AND strpos(sql, b) > 0 AND strpos(sql, a) < strpos(sql, b) FROM gen$$;

SELECT ok(pg_temp.before('CREATE FOREIGN DATA WRAPPER gf_w', 'CREATE SERVER gf_s'), 'the server after its wrapper');
SELECT ok(pg_temp.before('CREATE SERVER gf_s', 'CREATE FOREIGN TABLE gf.ft'), 'the foreign table after its server');
SELECT ok(pg_temp.before('CREATE FOREIGN TABLE gf.ft', 'ALTER TABLE gf.ft ADD CONSTRAINT ft_id_check'),
  'its CHECK after it');
SELECT ok(pg_temp.before('CREATE TABLE gf.audit', 'CREATE RULE t_audit'), 'the rule after the table its action writes');
SELECT ok(pg_temp.before('CREATE TABLE gf.t', 'CREATE STATISTICS gf.t_st (dependencies) ON a, b FROM gf.t'),
  'the statistics after their table');
SELECT ok(pg_temp.before('CREATE PUBLICATION gf_pub', 'ALTER PUBLICATION gf_pub ADD TABLE ONLY gf.t (a) WHERE ((a > 10))'),
  'the publication with its column list and row filter');
SELECT ok((SELECT strpos(sql, 'ALTER DEFAULT PRIVILEGES') > strpos(sql, 'CREATE SUBSCRIPTION gf_sub')
              AND strpos(sql, 'ALTER DEFAULT PRIVILEGES') > strpos(sql, 'CREATE RULE') FROM gen),
  'default privileges after every object');
SELECT matches((SELECT sql FROM gen), 'CREATE SUBSCRIPTION gf_sub CONNECTION ''dbname=x host=pub'' PUBLICATION p WITH \(connect = false, slot_name = NONE',
  'the subscription is created without connecting');
SELECT unalike((SELECT sql || py FROM gen), '%pw1%', 'no password in the revision');
SELECT matches((SELECT sql FROM gen), 'current_setting\(''pg_squash_secret\.um\.tap_gf_reader\.gf_s\.password'', true\)',
  'the password is read from its setting at upgrade time');
SELECT matches((SELECT py FROM gen),
  'def downgrade\(\):.*ALTER DEFAULT PRIVILEGES FOR ROLE [^ ]+ GRANT EXECUTE ON FUNCTIONS TO PUBLIC.*DROP SUBSCRIPTION gf_sub.*DROP FOREIGN TABLE gf\.ft.*DROP USER MAPPING FOR tap_gf_reader SERVER gf_s.*DROP SERVER gf_s.*DROP FOREIGN DATA WRAPPER gf_w',
  'the downgrade drops them, dependents first, and grants the built-in default back');

-- Rebuild here: remove it all, run the script with the secret set, compare.
ALTER SUBSCRIPTION gf_sub DISABLE;
DROP SUBSCRIPTION gf_sub;
DROP PUBLICATION gf_pub;
DROP SCHEMA gf CASCADE;
DROP FOREIGN DATA WRAPPER gf_w CASCADE;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
SELECT throws_like($t$DO $d$BEGIN EXECUTE (SELECT sql FROM gen); END$d$$t$,
  '%pg_squash_secret.um.tap_gf_reader.gf_s.password must hold%', 'without the setting the script stops, naming it');
SET LOCAL pg_squash_secret.um.tap_gf_reader.gf_s.password = 'from_setting';
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint(), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');
SELECT is((SELECT umoptions::text FROM pg_user_mapping WHERE umuser = 'tap_gf_reader'::regrole),
  '{user=r,password=from_setting}', 'with the password given at upgrade time');

SELECT * FROM finish();
ROLLBACK;
