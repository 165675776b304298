-- pg_squash 0.1.0 -> 0.2.0: state is written only through the extension's functions.
\echo Use "ALTER EXTENSION pg_squash UPDATE TO '0.2.0'" to load this file. \quit

-- squash_admin reads the state tables; the functions write them as the extension owner.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON squash.snapshot_store FROM squash_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON squash.stamp_history FROM squash_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON squash.data_snapshots FROM squash_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON squash.expectations FROM squash_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON squash.managed_views FROM squash_admin;

-- What squash_admin did with DELETE before, as functions.
CREATE FUNCTION @extschema@.squash_expect_drop(relation regclass) RETURNS boolean
  AS '$libdir/pg_squash', 'squash_expect_drop'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_expect_drop(regclass) IS
  'Removes the expectation recorded for relation; false when there was none';

CREATE FUNCTION @extschema@.squash_data_snapshot_drop(label text) RETURNS boolean
  AS '$libdir/pg_squash', 'squash_data_snapshot_drop'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_data_snapshot_drop(text) IS
  'Removes the data snapshot stored under label; false when there was none';

CREATE FUNCTION @extschema@.squash_view_unregister(view_name text) RETURNS boolean
  AS '$libdir/pg_squash', 'squash_view_unregister'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_view_unregister(text) IS
  'Removes one view from the managed set (the view itself stays); false when it was not managed';

REVOKE ALL ON FUNCTION @extschema@.squash_expect_drop(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_data_snapshot_drop(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_view_unregister(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_expect_drop(regclass) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_data_snapshot_drop(text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_view_unregister(text) TO squash_admin;

-- squash_generate_migration gains create_roles (the revision checks the roles it names).
DROP FUNCTION @extschema@.squash_generate_migration(text, text, text, text[], text[], boolean, boolean);
CREATE FUNCTION @extschema@.squash_generate_migration(
    revision text DEFAULT '000_squashed_complete',
    format text DEFAULT 'alembic',
    down_revision text DEFAULT NULL,
    schemas text[] DEFAULT NULL,
    include_data text[] DEFAULT NULL,
    allow_partial boolean DEFAULT false,
    with_owners boolean DEFAULT false,
    create_roles boolean DEFAULT false)
  RETURNS text
  AS '$libdir/pg_squash', 'squash_generate_migration'
  LANGUAGE C STABLE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_generate_migration(text, text, text, text[], text[], boolean, boolean, boolean) IS
  'The squashed revision built from the live schema: an SQL script (format sql) or a self-contained Alembic revision file (format alembic)';
REVOKE ALL ON FUNCTION @extschema@.squash_generate_migration(text, text, text, text[], text[], boolean, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_generate_migration(text, text, text, text[], text[], boolean, boolean, boolean) TO squash_admin;

-- The state is the user's data: a plain pg_dump of the database carries it (install_info
-- is a fact of this installation and is not dumped).
SELECT pg_catalog.pg_extension_config_dump('squash.snapshot_store', '');
SELECT pg_catalog.pg_extension_config_dump('squash.stamp_history', '');
SELECT pg_catalog.pg_extension_config_dump('squash.stamp_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('squash.data_snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('squash.expectations', '');
SELECT pg_catalog.pg_extension_config_dump('squash.managed_views', '');
-- ---------------------------------------------------------------------------------------
-- From one schema to another: the machine-readable diff and the repair script
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.squash_diff_json(source text, target text DEFAULT NULL)
  RETURNS jsonb
  AS '$libdir/pg_squash', 'squash_diff_json'
  LANGUAGE C STABLE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_diff_json(text, text) IS
  'What turns snapshot source into target (a label; NULL: the live schema), one element per object with every attribute''s old and new value';

-- Not STRICT: target, down_revision and revision may be NULL.
CREATE FUNCTION @extschema@.squash_diff_sql(
    source text,
    target text DEFAULT NULL,
    allow_destructive boolean DEFAULT false,
    format text DEFAULT 'sql',
    down_revision text DEFAULT NULL,
    revision text DEFAULT NULL)
  RETURNS text
  AS '$libdir/pg_squash', 'squash_diff_sql'
  LANGUAGE C STABLE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_diff_sql(text, text, boolean, text, text, text) IS
  'A script (format sql) or Alembic revision (format alembic) that turns target (a label; NULL: the live schema) into the schema of snapshot source';

REVOKE ALL ON FUNCTION @extschema@.squash_diff_json(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_diff_sql(text, text, boolean, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_diff_json(text, text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_diff_sql(text, text, boolean, text, text, text) TO squash_admin;
