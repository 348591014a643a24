#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers; starts the local cluster when it is down, saying so.
set -euo pipefail
url="${TEST_DATABASE_URL:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}}"
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "pg_isready is missing: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client)" >&2
  exit 1
fi
if pg_isready -d "$url" -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -n | tail -1)"
  echo "PostgreSQL at $url is down; starting the local cluster $version/main" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
else
  echo "PostgreSQL at $url is down and there is no local cluster to start (no pg_ctlcluster); waiting 30 s for it" >&2
fi
for _ in $(seq 1 30); do
  if pg_isready -d "$url" -q 2>/dev/null; then exit 0; fi
  sleep 1
done
echo "PostgreSQL at $url does not answer; set TEST_DATABASE_URL to a server the tests may create databases on" >&2
exit 1
