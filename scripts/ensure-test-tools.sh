#!/usr/bin/env bash
# Says what `make test` needs besides npm packages, and gets what is missing: on Debian/Ubuntu as root it
# installs it with apt-get after saying so; anywhere else it stops, saying how to get it. Never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "make test needs: Node 20.19+ or 22.12+ (engines in package.json); pg_isready, pgbench (the benchmark wiring test) and a PostgreSQL server (TEST_DATABASE_URL, started if it is the" \
  "local cluster), with its server binaries initdb and pg_basebackup (the read-replica suites); Chromium at /usr/bin/chromium (the docs-page browser test); Docker Compose (validates" \
  "docker/compose.yaml, no Docker engine needed)"

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)'; then
  echo "Node $(node --version) is not supported: install Node 20.19+ or 22.12+ (https://nodejs.org/)" >&2
  exit 1
fi

packages=()
{ command -v pg_isready && command -v pgbench; } >/dev/null 2>&1 || packages+=(postgresql-client)
[ -x /usr/bin/chromium ] || packages+=(chromium)
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
# The read-replica suites make a private primary and streaming replica: initdb and pg_basebackup.
server_bin_dirs=("$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin)
has_server_tools=false
for dir in "${server_bin_dirs[@]}"; do
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_basebackup" ] && has_server_tools=true
done
$has_server_tools || packages+=(postgresql)

if [ "${#packages[@]}" = 0 ]; then
  echo "test tools: all present"
  exit 0
fi

how_to_get() {
  echo "Install them, then run make test again:"
  echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y ${packages[*]}"
  echo "  elsewhere: PostgreSQL client tools, Chromium as /usr/bin/chromium, Docker Compose (https://docs.docker.com/compose/install/)"
}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test tools missing: ${packages[*]}; installing them: apt-get update && apt-get install -y ${packages[*]}"
  apt_options=(-q -o DPkg::Lock::Timeout=300)
  if apt-get "${apt_options[@]}" update >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y --no-install-recommends "${packages[@]}" >/dev/null; then
    echo "test tools: installed ${packages[*]}"
    exit 0
  fi
  { echo "test tools: apt-get could not install ${packages[*]}."; how_to_get; } >&2
  exit 1
fi

{ echo "test tools missing: ${packages[*]}."; how_to_get; } >&2
exit 1
