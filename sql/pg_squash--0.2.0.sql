-- pg_squash 0.2.0 install script.
--
-- Security model (docs/security.md): squash_admin reads the state tables and writes them
-- only through these functions, which write as the extension owner; user objects are
-- queried as their owners under a security-restricted operation.
\echo Use "CREATE EXTENSION pg_squash" to load this file. \quit

-- State lives here, whatever schema the functions were installed into.
CREATE SCHEMA squash;
REVOKE ALL ON SCHEMA squash FROM PUBLIC;

CREATE TABLE squash.install_info (
  key text PRIMARY KEY,
  value text NOT NULL
);
REVOKE ALL ON squash.install_info FROM PUBLIC;

-- The role that may run everything mutating. Roles are cluster-wide: it is created only
-- when missing, and DROP EXTENSION drops it only if this installation created it and it
-- holds nothing else (squash.drop_admin_role below).
DO $role$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'squash_admin') THEN
    CREATE ROLE squash_admin NOLOGIN;
    INSERT INTO squash.install_info VALUES ('created_role', 'true');
  ELSE
    INSERT INTO squash.install_info VALUES ('created_role', 'false');
  END IF;
END
$role$;
GRANT USAGE ON SCHEMA squash TO squash_admin;
GRANT SELECT ON squash.install_info TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Foundation
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.squash_version() RETURNS text
  AS '$libdir/pg_squash', 'squash_version'
  LANGUAGE C STRICT STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_version() IS 'Version of the loaded pg_squash library';

-- Proves the C++/PostgreSQL boundary: modes cpp, pg, squash raise; live counts leaks.
CREATE FUNCTION squash.boundary_selftest(mode text) RETURNS bigint
  AS '$libdir/pg_squash', 'squash_boundary_selftest'
  LANGUAGE C STRICT VOLATILE
  SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION squash.boundary_selftest(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION squash.boundary_selftest(text) TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Snapshots, fingerprints, diff
-- ---------------------------------------------------------------------------------------

CREATE TABLE squash.snapshot_store (
  label          text PRIMARY KEY,
  fingerprint    text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  taken_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
  object_count   integer NOT NULL,
  server_version text NOT NULL,
  schemas        text[],          -- scope it was taken with; NULL: every user schema
  document       bytea NOT NULL   -- pg_squash's compact stored form (snapshot_codec.hpp);
                                  -- squash_snapshot_export() gives it as JSON
);
-- Snapshots of large schemas are megabytes of repetitive text: compress with lz4 where
-- the server has it (TOAST's pglz otherwise).
DO $lz4$
BEGIN
  ALTER TABLE squash.snapshot_store ALTER COLUMN document SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END
$lz4$;
REVOKE ALL ON squash.snapshot_store FROM PUBLIC;
GRANT SELECT ON squash.snapshot_store TO squash_admin;

CREATE VIEW squash.snapshots AS
  SELECT label, fingerprint, taken_at, object_count, server_version
    FROM squash.snapshot_store;
REVOKE ALL ON squash.snapshots FROM PUBLIC;
GRANT SELECT ON squash.snapshots TO squash_admin;

CREATE FUNCTION @extschema@.squash_snapshot(label text DEFAULT NULL, schemas text[] DEFAULT NULL)
  RETURNS text
  AS '$libdir/pg_squash', 'squash_snapshot'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_snapshot(text, text[]) IS
  'Reads the live schema, stores it as a snapshot under label, returns its fingerprint';

CREATE FUNCTION @extschema@.squash_fingerprint(schemas text[] DEFAULT NULL) RETURNS text
  AS '$libdir/pg_squash', 'squash_fingerprint'
  LANGUAGE C STABLE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_fingerprint(text[]) IS
  'Fingerprint (SHA-256, hex) of the live schema; nothing is stored';

CREATE FUNCTION @extschema@.squash_diff(source text, target text DEFAULT NULL)
  RETURNS TABLE(kind text, identity text, change text, detail text)
  AS '$libdir/pg_squash', 'squash_diff'
  LANGUAGE C STABLE ROWS 100
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_diff(text, text) IS
  'What turns snapshot source into target (a label; NULL: the live schema)';

CREATE FUNCTION @extschema@.squash_snapshot_export(label text) RETURNS jsonb
  AS '$libdir/pg_squash', 'squash_snapshot_export'
  LANGUAGE C STABLE
  SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.squash_snapshot_import(snapshot jsonb, label text) RETURNS text
  AS '$libdir/pg_squash', 'squash_snapshot_import'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.squash_snapshot_drop(label text) RETURNS void
  AS '$libdir/pg_squash', 'squash_snapshot_drop'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION @extschema@.squash_snapshot(text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_diff(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_snapshot_export(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_snapshot_import(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_snapshot_drop(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_snapshot(text, text[]) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_diff(text, text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_snapshot_export(text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_snapshot_import(jsonb, text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_snapshot_drop(text) TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Stamping alembic_version
-- ---------------------------------------------------------------------------------------

CREATE TABLE squash.stamp_history (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stamped_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
  stamped_by           text NOT NULL DEFAULT session_user,
  run_as               text NOT NULL DEFAULT current_user,
  version_table        text NOT NULL,      -- schema-qualified, quoted
  revision             text NOT NULL,      -- what the stamp wrote
  previous             text[] NOT NULL,    -- the rows it replaced (several heads possible)
  table_created        boolean NOT NULL,   -- the stamp created the version table
  expectation          text,               -- label or fingerprint passed as expect
  expected_fingerprint text,
  live_fingerprint     text NOT NULL,
  forced               boolean NOT NULL,   -- stamped without an expectation
  undone_at            timestamptz,
  undone_by            text
);
REVOKE ALL ON squash.stamp_history FROM PUBLIC;
GRANT SELECT ON squash.stamp_history TO squash_admin;

-- These two pin search_path themselves, after reading the caller's: an unqualified
-- pg_squash.version_table is found where Alembic would find it.
CREATE FUNCTION @extschema@.squash_stamp(revision text, expect text DEFAULT NULL,
                                         force boolean DEFAULT false) RETURNS text
  AS '$libdir/pg_squash', 'squash_stamp'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.squash_stamp(text, text, boolean) IS
  'Rewrites the Alembic version table to revision, only if the live schema matches expect';

CREATE FUNCTION @extschema@.squash_unstamp() RETURNS text
  AS '$libdir/pg_squash', 'squash_unstamp'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.squash_unstamp() IS 'Undoes the last stamp, once';

REVOKE ALL ON FUNCTION @extschema@.squash_stamp(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_unstamp() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_stamp(text, text, boolean) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_unstamp() TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Data fingerprints
-- ---------------------------------------------------------------------------------------

-- One row per table and label: what squash_data_snapshot() saw.
CREATE TABLE squash.data_snapshots (
  label     text NOT NULL,
  relation  text NOT NULL,          -- schema-qualified, quoted
  row_count bigint NOT NULL CHECK (row_count >= 0),
  hash      text NOT NULL CHECK (hash ~ '^[0-9a-f]{32}$'),
  taken_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (label, relation)
);
REVOKE ALL ON squash.data_snapshots FROM PUBLIC;
GRANT SELECT ON squash.data_snapshots TO squash_admin;

-- "genes has at least 571 rows": checked by squash_validate().
CREATE TABLE squash.expectations (
  relation    text PRIMARY KEY,     -- schema-qualified, quoted
  min_rows    bigint NOT NULL CHECK (min_rows >= 0),
  recorded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  recorded_by text NOT NULL DEFAULT CURRENT_USER
);
REVOKE ALL ON squash.expectations FROM PUBLIC;
GRANT SELECT ON squash.expectations TO squash_admin;

CREATE FUNCTION @extschema@.squash_data_fingerprint(tables regclass[] DEFAULT NULL)
  RETURNS TABLE(relation text, row_count bigint, hash text)
  AS '$libdir/pg_squash', 'squash_data_fingerprint'
  LANGUAGE C VOLATILE ROWS 100
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_data_fingerprint(regclass[]) IS
  'Row count and order-independent hash of every row, per table (NULL: every user table)';

CREATE FUNCTION @extschema@.squash_data_snapshot(label text) RETURNS integer
  AS '$libdir/pg_squash', 'squash_data_snapshot'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_data_snapshot(text) IS
  'Stores the data fingerprint of every user table under label; returns the number of tables';

CREATE FUNCTION @extschema@.squash_expect(relation regclass, min_rows bigint) RETURNS void
  AS '$libdir/pg_squash', 'squash_expect'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_expect(regclass, bigint) IS
  'Records that relation must hold at least min_rows rows (checked by squash_validate)';

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

REVOKE ALL ON FUNCTION @extschema@.squash_data_fingerprint(regclass[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_data_snapshot(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_expect(regclass, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_data_fingerprint(regclass[]) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_data_snapshot(text) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_expect(regclass, bigint) TO squash_admin;
REVOKE ALL ON FUNCTION @extschema@.squash_expect_drop(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_data_snapshot_drop(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_expect_drop(regclass) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_data_snapshot_drop(text) TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Managed views
-- ---------------------------------------------------------------------------------------

-- The view set squash_refresh_views() maintains: one row per view or materialized view,
-- written by squash_view_capture() (from the live catalogs) and squash_view_register()
-- (a definition by hand); squash_view_unregister() removes one from the set.
CREATE TABLE squash.managed_views (
  identity        text PRIMARY KEY,     -- schema-qualified, quoted: app.scores
  schema_name     text NOT NULL,
  view_name       text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('view', 'materialized')),
  definition      text NOT NULL,        -- the query: pg_get_viewdef(oid, true), or as registered
  column_names    text[],               -- in order; NULL until the definition has been built
  column_types    text[],               -- format_type of each column
  options         text[],               -- reloptions: check_option, security_barrier,
                                        -- security_invoker; storage parameters of an MV
  owner           text,                 -- role name; the view's queries run as this role
  indexes         jsonb,                -- MVs: [{"name", "definition" (pg_get_indexdef)}]
  comment         text,
  column_comments jsonb,                -- {"column": "comment"}
  grants          jsonb,                -- [{"grantee" (null: PUBLIC), "privilege", "grantable",
                                        --   "grantor"}]; NULL: default privileges
  column_grants   jsonb,                -- [{"column", "grantee", "privilege", ...}]
  extra_ddl       text[],               -- triggers, rules and column defaults on the view
  source          text NOT NULL CHECK (source IN ('capture', 'register')),
  captured_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  refreshed_at    timestamptz,          -- last successful squash_refresh_views()
  UNIQUE (schema_name, view_name)
);
REVOKE ALL ON squash.managed_views FROM PUBLIC;
GRANT SELECT ON squash.managed_views TO squash_admin;

-- The state is the user's data: a plain pg_dump of the database carries it (install_info
-- is a fact of this installation and is not dumped).
SELECT pg_catalog.pg_extension_config_dump('squash.snapshot_store', '');
SELECT pg_catalog.pg_extension_config_dump('squash.stamp_history', '');
SELECT pg_catalog.pg_extension_config_dump('squash.stamp_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('squash.data_snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('squash.expectations', '');
SELECT pg_catalog.pg_extension_config_dump('squash.managed_views', '');

CREATE FUNCTION @extschema@.squash_view_capture(schemas text[] DEFAULT NULL) RETURNS integer
  AS '$libdir/pg_squash', 'squash_view_capture'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_view_capture(text[]) IS
  'Registers every live view and materialized view of the user schemas (NULL: all) in squash.managed_views; returns how many';

CREATE FUNCTION @extschema@.squash_view_register(view_name text, definition text,
                                                 materialized boolean DEFAULT false)
  RETURNS void
  AS '$libdir/pg_squash', 'squash_view_register'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_view_register(text, text, boolean) IS
  'Registers (or replaces) the definition of one managed view; an unqualified name means public';

CREATE FUNCTION @extschema@.squash_refresh_views(concurrently boolean DEFAULT true)
  RETURNS TABLE(view text, kind text, action text, ms float8)
  AS '$libdir/pg_squash', 'squash_refresh_views'
  LANGUAGE C VOLATILE ROWS 100
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_refresh_views(boolean) IS
  'Creates, replaces, re-creates, refreshes and runs every managed view in dependency order; any failure rolls it all back';

CREATE FUNCTION @extschema@.squash_view_unregister(view_name text) RETURNS boolean
  AS '$libdir/pg_squash', 'squash_view_unregister'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_view_unregister(text) IS
  'Removes one view from the managed set (the view itself stays); false when it was not managed';

REVOKE ALL ON FUNCTION @extschema@.squash_view_capture(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_view_register(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.squash_refresh_views(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_view_capture(text[]) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_view_register(text, text, boolean) TO squash_admin;
GRANT EXECUTE ON FUNCTION @extschema@.squash_refresh_views(boolean) TO squash_admin;
REVOKE ALL ON FUNCTION @extschema@.squash_view_unregister(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_view_unregister(text) TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Validation
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.squash_validate(reference text DEFAULT NULL)
  RETURNS TABLE(check_name text, status text, detail text)
  AS '$libdir/pg_squash', 'squash_validate'
  LANGUAGE C VOLATILE ROWS 10
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.squash_validate(text) IS
  'The squash checklist: one row per check, status pass, fail, warn or skip; never raises for a failed check';
REVOKE ALL ON FUNCTION @extschema@.squash_validate(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.squash_validate(text) TO squash_admin;

-- ---------------------------------------------------------------------------------------
-- Generating the squashed revision
-- ---------------------------------------------------------------------------------------

-- Not STRICT: down_revision and the arrays may be NULL; a NULL revision or format is an error.
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
