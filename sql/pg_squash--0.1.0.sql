-- pg_squash 0.1.0 install script.
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
