#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1:55432 for the tests (installs it from Debian
# when missing) and print the URL to use as LEXPERT_TEST_PG_URL. Idempotent.
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGDATA=${PGDATA:-/tmp/lexpert-pgdata}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"; [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
  as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" -l "$PGDATA/log" -w start >/dev/null
fi
as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='lexpert_test'" | grep -q 1 \
  || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres lexpert_test
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/lexpert_test"
