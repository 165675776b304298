-- Snapshots of publications and subscriptions (whole-database snapshots only): every option
-- named by squash_diff old -> new, the stamp refuses; a subscription's connection string is
-- kept without its secrets. The subscriptions never connect (connect = false).
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = error;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(29);

CREATE ROLE tap_rp_owner SUPERUSER NOLOGIN;
CREATE SCHEMA rp;
CREATE SCHEMA rp2;
CREATE TABLE rp.t (a int PRIMARY KEY, b text, c int);
CREATE TABLE rp.u (a int PRIMARY KEY);

-- Publications.
SELECT pg_temp.change_is('CREATE PUBLICATION tap_pub FOR TABLE rp.t',
  'publication', 'tap_pub', 'added', 'table rp.t', 'a publication of a table');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub ADD TABLE rp.u',
  'publication', 'tap_pub', 'changed', 'table rp.u: (none) → ', 'a table added');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub SET TABLE rp.t (a, b), rp.u',
  'publication', 'tap_pub', 'changed', 'table rp.t: "" → (a, b)', 'a column list');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub SET TABLE rp.t (a, b) WHERE (c > 1), rp.u',
  'publication', 'tap_pub', 'changed', 'table rp.t: (a, b) → (a, b) WHERE (c > 1)', 'a row filter');
SELECT pg_temp.change_is($$ALTER PUBLICATION tap_pub SET (publish = 'insert, delete')$$,
  'publication', 'tap_pub', 'changed', 'publish: insert, update, delete, truncate → insert, delete', 'publish');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub SET (publish_via_partition_root = true)',
  'publication', 'tap_pub', 'changed', 'via_partition_root: false → true', 'publish_via_partition_root');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub OWNER TO tap_rp_owner',
  'publication', 'tap_pub', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is($$COMMENT ON PUBLICATION tap_pub IS 'p'$$,
  'publication', 'tap_pub', 'changed', 'comment: (none) → p', 'its comment');
SELECT pg_temp.change_is('CREATE PUBLICATION tap_pub_schema FOR TABLES IN SCHEMA rp',
  'publication', 'tap_pub_schema', 'added', 'schemas rp', 'TABLES IN SCHEMA');
SELECT pg_temp.change_is('ALTER PUBLICATION tap_pub_schema ADD TABLES IN SCHEMA rp2',
  'publication', 'tap_pub_schema', 'changed', 'schemas: rp → rp, rp2', 'a schema added');
SELECT pg_temp.change_is('CREATE PUBLICATION tap_pub_all FOR ALL TABLES',
  'publication', 'tap_pub_all', 'added', 'all tables, owner', 'FOR ALL TABLES');
SELECT pg_temp.stamp_refuses('ALTER PUBLICATION tap_pub DROP TABLE rp.u',
  'publication tap_pub changed: ', 'the stamp refuses a changed publication');

-- Subscriptions.
SELECT pg_temp.change_is($$CREATE SUBSCRIPTION tap_sub CONNECTION 'host=pub.example dbname=app password=hunter2'
    PUBLICATION tap_a WITH (connect = false)$$,
  'subscription', 'tap_sub', 'added', 'conninfo dbname=app host=pub.example, conninfo secrets password',
  'a subscription: its connection string without the password');
SELECT squash_snapshot('tap_sub_secret') AS fp_sub \gset
SELECT unalike(squash_snapshot_export('tap_sub_secret')::text, '%hunter2%', 'no password in the snapshot');
SELECT pg_temp.no_change($$ALTER SUBSCRIPTION tap_sub CONNECTION 'host=pub.example dbname=app password=other'$$,
  'a new password is no difference');
SELECT pg_temp.change_is($$ALTER SUBSCRIPTION tap_sub CONNECTION 'postgresql://rep:other@pub.example:5433/app'$$,
  'subscription', 'tap_sub', 'changed', 'conninfo: dbname=app host=pub.example → dbname=app host=pub.example port=5433 user=rep',
  'the connection string');
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub SET PUBLICATION tap_a, tap_b WITH (refresh = false)',
  'subscription', 'tap_sub', 'changed', 'publications: tap_a → tap_a, tap_b', 'its publications');
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub SET (binary = true)',
  'subscription', 'tap_sub', 'changed', 'binary: false → true', 'binary');
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub SET (streaming = true)',
  'subscription', 'tap_sub', 'changed', 'streaming: off → on', 'streaming');
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub SET (disable_on_error = true)',
  'subscription', 'tap_sub', 'changed', 'disable_on_error: false → true', 'disable_on_error');
SELECT pg_temp.change_is($$ALTER SUBSCRIPTION tap_sub SET (synchronous_commit = 'remote_apply')$$,
  'subscription', 'tap_sub', 'changed', 'synchronous_commit: off → remote_apply', 'synchronous_commit');
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub SET (slot_name = NONE)',
  'subscription', 'tap_sub', 'changed', 'slot_name: tap_sub → NONE', 'slot_name');
SELECT pg_temp.change_is($$ALTER SUBSCRIPTION tap_sub SET (slot_name = 'other_slot')$$,
  'subscription', 'tap_sub', 'changed', 'slot_name: NONE → other_slot', 'slot_name again');
-- Enabled here and rolled back with the test: no apply worker ever starts.
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub ENABLE',
  'subscription', 'tap_sub', 'changed', 'enabled: false → true', 'enabled');
SELECT matches(g, '-- subscription tap_sub \(created disabled, without connecting: ALTER SUBSCRIPTION tap_sub ENABLE once the publisher is reachable\)\nCREATE SUBSCRIPTION tap_sub CONNECTION ''dbname=app host=pub.example port=5433 user=rep'' PUBLICATION tap_a, tap_b WITH \(connect = false, slot_name = ''other_slot'', binary = ''true'', streaming = ''on''',
  'the revision creates an enabled subscription disabled, without connecting, and says why')
  FROM squash_generate_migration(format => 'sql') g;
SELECT pg_temp.change_is('ALTER SUBSCRIPTION tap_sub OWNER TO tap_rp_owner',
  'subscription', 'tap_sub', 'changed', 'owner: ', 'its owner');
SELECT pg_temp.change_is($$CREATE SUBSCRIPTION tap_sub2 CONNECTION 'host=x' PUBLICATION p WITH (connect = false, two_phase = true)$$,
  'subscription', 'tap_sub2', 'added', 'two phase', 'two_phase');
SELECT pg_temp.stamp_refuses('ALTER SUBSCRIPTION tap_sub SET (binary = false)',
  'subscription tap_sub changed: ', 'the stamp refuses a changed subscription');
SELECT pg_temp.nothing_unmodelled('publications and subscriptions: nothing is unmodelled');

SELECT * FROM finish();
ROLLBACK;
