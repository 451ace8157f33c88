-- The role requests run as: reads and writes the records, appends to the audit trail and
-- reads it, and nothing more. Migrations run as the owner; the owner alone can alter tables,
-- disable triggers or truncate. A role is cluster-wide, so it is made once and shared by every
-- cit-api database on the server; its password is set by the service at start when it derives
-- the request URL (see README "Database roles"), or by the operator.

DO $$
BEGIN
    -- A role made beforehand by a superuser is used as it is (the owner then needs no
    -- CREATEROLE).
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cit_app') THEN
        CREATE ROLE cit_app LOGIN;
    END IF;
EXCEPTION
    -- Another database's migration made it first (or at the same moment).
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO cit_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cit_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cit_app;
-- The migrations table: readable (readiness checks it), never writable by requests.
REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM cit_app;
-- The audit trail: append and read only.
REVOKE UPDATE, DELETE ON audit_events FROM cit_app;

-- Tables and sequences later migrations make get the same plain grants; a migration that adds
-- an append-only table revokes what it must.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cit_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO cit_app;
