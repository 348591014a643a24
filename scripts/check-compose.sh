#!/usr/bin/env bash
# Validates docker/compose.yaml with whichever Compose is here (no Docker engine is needed for `config`).
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker/compose.yaml config >/dev/null
elif command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker/compose.yaml config >/dev/null
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null
  docker-compose -f docker/compose.yaml config >/dev/null
else
  echo "check-compose: no docker compose here; skipped" >&2
  exit 0
fi
echo "docker/compose.yaml: valid"
