-- Snapshots of rules (other than a view's _RETURN) and extended statistics: each
-- definitional attribute named by squash_diff old -> new, and the stamp refuses.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(23);

CREATE ROLE tap_rs_owner;
CREATE SCHEMA rs;
CREATE TABLE rs.t (a int, b text, c int);
CREATE TABLE rs.log (a int, at timestamptz DEFAULT now());
CREATE VIEW rs.v AS SELECT a, b FROM rs.t;

-- Rules.
SELECT pg_temp.change_is('CREATE RULE r1 AS ON INSERT TO rs.t WHERE NEW.a < 0 DO INSTEAD NOTHING',
  'rule', 'rs.t.r1', 'added', 'event INSERT', 'a conditional INSTEAD NOTHING rule');
SELECT pg_temp.change_is('CREATE OR REPLACE RULE r1 AS ON INSERT TO rs.t WHERE NEW.a < 10 DO INSTEAD NOTHING',
  'rule', 'rs.t.r1', 'changed', 'WHERE (new.a < 10)', 'its condition');
SELECT pg_temp.change_is('CREATE OR REPLACE RULE r1 AS ON INSERT TO rs.t WHERE NEW.a < 10 DO ALSO INSERT INTO rs.log (a) VALUES (NEW.a)',
  'rule', 'rs.t.r1', 'changed', 'instead: true → false', 'INSTEAD or ALSO');
SELECT pg_temp.change_is('CREATE OR REPLACE RULE r1 AS ON INSERT TO rs.t WHERE NEW.a < 10 DO ALSO INSERT INTO rs.log (a) VALUES (NEW.a + 1)',
  'rule', 'rs.t.r1', 'changed', '(new.a + 1)', 'its action');
SELECT pg_temp.change_is('CREATE OR REPLACE RULE r1 AS ON UPDATE TO rs.t WHERE NEW.a < 10 DO ALSO INSERT INTO rs.log (a) VALUES (NEW.a + 1)',
  'rule', 'rs.t.r1', 'changed', 'event: INSERT → UPDATE', 'its event');
SELECT pg_temp.change_is('ALTER TABLE rs.t DISABLE RULE r1',
  'rule', 'rs.t.r1', 'changed', 'enabled: origin → disabled', 'disabled');
SELECT pg_temp.change_is('ALTER TABLE rs.t ENABLE ALWAYS RULE r1',
  'rule', 'rs.t.r1', 'changed', 'enabled: disabled → always', 'enabled always');
SELECT pg_temp.change_is($$COMMENT ON RULE r1 ON rs.t IS 'audit'$$,
  'rule', 'rs.t.r1', 'changed', 'comment: (none) → audit', 'its comment');
SELECT pg_temp.change_is('CREATE RULE v_ins AS ON INSERT TO rs.v DO INSTEAD INSERT INTO rs.t (a, b) VALUES (NEW.a, NEW.b)',
  'rule', 'rs.v.v_ins', 'added', 'event INSERT', 'a rule on a view (not its _RETURN rule)');
SELECT pg_temp.stamp_refuses('CREATE OR REPLACE RULE v_ins AS ON INSERT TO rs.v DO INSTEAD NOTHING',
  'rule rs.v.v_ins changed: ', 'the stamp refuses a changed rule');

-- Extended statistics.
SELECT pg_temp.change_is('CREATE STATISTICS rs.s1 (ndistinct) ON a, b FROM rs.t',
  'statistics', 'rs.s1', 'added', 'kinds ndistinct', 'statistics on columns');
SELECT pg_temp.change_is('DROP STATISTICS rs.s1; CREATE STATISTICS rs.s1 (ndistinct, mcv) ON a, b FROM rs.t',
  'statistics', 'rs.s1', 'changed', 'kinds: ndistinct → ndistinct, mcv', 'its kinds');
SELECT pg_temp.change_is('DROP STATISTICS rs.s1; CREATE STATISTICS rs.s1 (ndistinct, mcv) ON a, c FROM rs.t',
  'statistics', 'rs.s1', 'changed', 'columns: a, b → a, c', 'its columns');
SELECT pg_temp.change_is('DROP STATISTICS rs.s1; CREATE STATISTICS rs.s1 (ndistinct, mcv) ON a, (c + 1) FROM rs.t',
  'statistics', 'rs.s1', 'changed', 'columns: a, c → a, (c + 1)', 'an expression');
SELECT pg_temp.change_is('ALTER STATISTICS rs.s1 SET STATISTICS 300',
  'statistics', 'rs.s1', 'changed', 'statistics: (none) → 300', 'its statistics target');
SELECT pg_temp.change_is('ALTER STATISTICS rs.s1 OWNER TO tap_rs_owner',
  'statistics', 'rs.s1', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is($$COMMENT ON STATISTICS rs.s1 IS 'st'$$,
  'statistics', 'rs.s1', 'changed', 'comment: (none) → st', 'its comment');
SELECT pg_temp.change_is('CREATE STATISTICS rs.s2 ON (lower(b)) FROM rs.t',
  'statistics', 'rs.s2', 'added', 'columns lower(b)', 'statistics on one expression');
CREATE TABLE rs.t2 (a int, b text);
SELECT pg_temp.change_is('DROP STATISTICS rs.s2; CREATE STATISTICS rs.s2 ON (lower(b)) FROM rs.t2',
  'statistics', 'rs.s2', 'changed', 'table: rs.t → rs.t2', 'its table');
SELECT pg_temp.stamp_refuses('ALTER STATISTICS rs.s1 SET STATISTICS 10',
  'statistics rs.s1 changed: ', 'the stamp refuses changed statistics');

SELECT pg_temp.nothing_unmodelled('rules and statistics: nothing is unmodelled');
SELECT pg_temp.no_change('SET search_path = rs, public', 'search_path changes nothing');
RESET search_path;
SELECT squash_snapshot('tap_rs_parallel') AS fp_parallel \gset
SET LOCAL max_parallel_workers = 0;
SELECT is(squash_fingerprint(), :'fp_parallel', 'the same fingerprint without a parallel worker');
RESET max_parallel_workers;

SELECT * FROM finish();
ROLLBACK;
