#!/usr/bin/env bash
# Builds a PostgreSQL 15 image from Debian packages, with an entrypoint that honours
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB like the official image. Built from the same
# package archive apt uses, so the container tests pull no image.
set -euo pipefail
image="${1:-migration-guard-test/postgres:15}"
work="$(mktemp -d /tmp/mg-pgroot.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
[ -n "$mirror" ] || mirror="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
debootstrap --variant=minbase --include=postgresql-15 bookworm "$work/root" "$mirror" >/tmp/mg-debootstrap.log 2>&1 \
  || { echo "debootstrap failed; see /tmp/mg-debootstrap.log" >&2; exit 1; }
cat > "$work/root/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
set -e
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export PGDATA
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"; printf '%s\n' "${POSTGRES_PASSWORD:-postgres}" > "$pwfile"; chown postgres "$pwfile"
  su postgres -c "initdb -D '$PGDATA' -U '$POSTGRES_USER' --pwfile='$pwfile' --auth-local=trust --auth-host=scram-sha-256" >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -c "pg_ctl -D '$PGDATA' -o \"-c listen_addresses='' -k /var/run/postgresql\" -w start" >/dev/null
  if [ "$POSTGRES_DB" != "postgres" ]; then
    su postgres -c "psql -h /var/run/postgresql -U '$POSTGRES_USER' -d postgres -v ON_ERROR_STOP=1 -c 'CREATE DATABASE \"$POSTGRES_DB\"'" >/dev/null
  fi
  su postgres -c "pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
fi
echo "database system is ready to accept connections (entrypoint)"
exec su postgres -c "exec postgres -D '$PGDATA' -c listen_addresses='*' $*"
ENTRY
chmod +x "$work/root/usr/local/bin/docker-entrypoint.sh"
rm -rf "$work/root/var/cache/apt/archives/"*.deb
tar -C "$work/root" -c . | docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'EXPOSE 5432' - "$image" >/dev/null
echo "built $image" >&2
