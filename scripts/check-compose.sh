#!/usr/bin/env bash
# Validates docker/compose.yaml with whichever Compose is here (no Docker engine is needed for `config`).
# No Compose is a failure, never a skip: `make test` counts this check as done.
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker/compose.yaml config >/dev/null
elif command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker/compose.yaml config >/dev/null
else
  echo "check-compose: Docker Compose is missing, so docker/compose.yaml cannot be validated. Install it" \
    "(Debian/Ubuntu: apt-get install docker-compose; elsewhere https://docs.docker.com/compose/install/);" \
    "make test installs it itself when run as root on Debian/Ubuntu" >&2
  exit 1
fi
echo "docker/compose.yaml: valid"
