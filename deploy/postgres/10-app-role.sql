-- Runs once, when the `db` service initialises an empty data volume (docker-entrypoint-initdb.d),
-- as the owner role (POSTGRES_USER, `crsv`), in the crsv database.
--
-- The app (web, worker, beat) connects as `crsv_app`: not a superuser and not the owner of any
-- table, so it can read and write rows but cannot alter tables, drop the audit trail's
-- append-only triggers or switch them off. Only the `migrate` service connects as the owner.

\set app_password `cat /run/secrets/db_app_password`

CREATE ROLE crsv_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

GRANT USAGE ON SCHEMA public TO crsv_app;
-- Every table and sequence the owner's migrations will create: row access, nothing more.
ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crsv_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO crsv_app;
