#!/usr/bin/env bash
# Validates docker-compose.yml with `docker compose config -q` where the compose plugin exists; skips otherwise
# (the structure is also checked by dev.radar.deploy.ComposeFileTest, which needs no Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  # The aggregator's write token is required at `up` (no default on purpose); any value validates the file.
  RADAR_WEB_TOKEN="${RADAR_WEB_TOKEN:-check-only}" docker compose -f docker-compose.yml config -q
  echo "check-compose: docker-compose.yml is valid"
else
  echo "check-compose: skipped (no 'docker compose' plugin here)"
fi
