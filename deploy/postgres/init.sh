#!/usr/bin/env bash
# Creates one login role and one database per Saphan service, each database owned by its role.
# The postgres image runs this once, on an empty data directory (/docker-entrypoint-initdb.d);
# it is idempotent, so it can also be run again by hand against a running server.
# Passwords come from the environment (see .env.example), never from this file or the command line.
set -euo pipefail

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

# create_service_database ROLE DATABASE PASSWORD_VARIABLE
create_service_database() {
  local role="$1" database="$2" password_variable="$3"
  if [[ -z "${!password_variable:-}" ]]; then
    echo "init.sh: $password_variable is not set" >&2
    exit 1
  fi
  # psql reads the password itself (\getenv), so it never appears in a process list or a log.
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="$role" -v database="$database" -v password_variable="$password_variable" <<'SQL'
\getenv password :password_variable
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
-- Only the owning role (and the superuser) may connect: no service reads another's database.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SQL
  echo "init.sh: role $role owns database $database"
}

create_service_database intake    saphan_intake    INTAKE_DB_PASSWORD
create_service_database referral  saphan_referral  REFERRAL_DB_PASSWORD
create_service_database documents saphan_documents DOCUMENTS_DB_PASSWORD
create_service_database audit     saphan_audit     AUDIT_DB_PASSWORD
