-- One database and one login role per service (no service can read another's tables).
--
-- Run once by the postgres image on an empty data volume (mounted into
-- /docker-entrypoint-initdb.d by docker-compose.yml). Passwords are not stored here: psql
-- reads them from the container environment (\getenv, psql 15+), where docker-compose.yml
-- puts INVOICE_DB_PASSWORD, DUNNING_DB_PASSWORD, CREDIT_DB_PASSWORD, NOTIFICATION_DB_PASSWORD.
-- The services build their DATABASE_URL from the same variables.
--
-- Each database is owned by its service role, so `<name>-service --migrate` (alembic) can
-- create and alter its tables in the public schema; PUBLIC loses CONNECT, so a role can
-- only reach its own database.

\set ON_ERROR_STOP on

\getenv invoice_password INVOICE_DB_PASSWORD
\getenv dunning_password DUNNING_DB_PASSWORD
\getenv credit_password CREDIT_DB_PASSWORD
\getenv notification_password NOTIFICATION_DB_PASSWORD

CREATE ROLE invoice LOGIN PASSWORD :'invoice_password';
CREATE DATABASE invoice OWNER invoice;
REVOKE ALL ON DATABASE invoice FROM PUBLIC;

CREATE ROLE dunning LOGIN PASSWORD :'dunning_password';
CREATE DATABASE dunning OWNER dunning;
REVOKE ALL ON DATABASE dunning FROM PUBLIC;

CREATE ROLE credit LOGIN PASSWORD :'credit_password';
CREATE DATABASE credit OWNER credit;
REVOKE ALL ON DATABASE credit FROM PUBLIC;

CREATE ROLE notification LOGIN PASSWORD :'notification_password';
CREATE DATABASE notification OWNER notification;
REVOKE ALL ON DATABASE notification FROM PUBLIC;
