#!/usr/bin/env bash
# Makes a PostgreSQL database available for tests and benchmarks.
# With TEST_DATABASE_URL set, uses it as it is. Otherwise starts Debian's cluster (installing
# `postgresql` where it is missing), creates the role `ikono` and a fresh database `ikono_test`.
# `--url` prints the URL to use instead of preparing anything.
set -euo pipefail

DEFAULT_URL="postgres://ikono:ikono@127.0.0.1:5432/ikono_test"
if [[ "${1:-}" == "--url" ]]; then
    echo "${TEST_DATABASE_URL:-$DEFAULT_URL}"
    exit 0
fi
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    exit 0
fi

SUDO=""
[[ "$(id -u)" == 0 ]] || SUDO="sudo"

if ! command -v pg_lsclusters >/dev/null; then
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
fi

read -r version cluster status < <(pg_lsclusters --no-header | awk '{print $1, $2, $4; exit}')
if [[ -z "${version:-}" ]]; then
    $SUDO pg_createcluster --start 15 main
    read -r version cluster status < <(pg_lsclusters --no-header | awk '{print $1, $2, $4; exit}')
fi
if [[ "$status" != online* ]]; then
    $SUDO pg_ctlcluster "$version" "$cluster" start
fi

as_postgres() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

for _ in $(seq 1 30); do
    as_postgres psql -qAt -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
done

# Each node keeps about thirty connections (log, read store, listener, one per leader lock) and
# the multi-node tests run several nodes at once beside other tests: Debian's default of 100 is short.
if (( $(as_postgres psql -qAt -c "SHOW max_connections") < 400 )); then
    as_postgres psql -q -c "ALTER SYSTEM SET max_connections = 400"
    $SUDO pg_ctlcluster "$version" "$cluster" restart
    for _ in $(seq 1 30); do
        as_postgres psql -qAt -c "SELECT 1" >/dev/null 2>&1 && break
        sleep 1
    done
fi

as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ikono') THEN
        CREATE ROLE ikono LOGIN PASSWORD 'ikono';
    END IF;
END
$$;
-- The benchmarks start each contender's run from a checkpoint, so that none pays for the
-- pages another dirtied (eventlog-peers).
GRANT pg_checkpoint TO ikono;
DROP DATABASE IF EXISTS ikono_test WITH (FORCE);
CREATE DATABASE ikono_test OWNER ikono;
SQL
