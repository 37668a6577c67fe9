#!/bin/sh
# First start: a cluster whose user and database are $POSTGRES_USER (dcgan),
# password-protected over TCP. Then runs postgres in the foreground.
set -eu
bin=/usr/lib/postgresql/15/bin
user=${POSTGRES_USER:-dcgan}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "set POSTGRES_PASSWORD" >&2; exit 1; }
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pw
  "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile=/tmp/pw --auth-local=trust \
    --auth-host=scram-sha-256 >/dev/null
  rm -f /tmp/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  "$bin/pg_ctl" -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
  "$bin/createdb" -U "$user" "$user"
  "$bin/pg_ctl" -D "$PGDATA" -w stop >/dev/null
fi
exec "$bin/postgres" -D "$PGDATA" -p "$PGPORT" -c "listen_addresses=${POSTGRES_LISTEN:-*}"
