#!/usr/bin/env bash
# CI driver: tiny real-architecture checkpoints -> contract-2 packages -> reference SDS (see make_hf_fixtures.py).
#   models/make_hf_fixtures.sh OUT [--bench DIR] [--families qwen2-vl,internvl3.5,llava-onevision,llava-onevision-projector]
# Python: $RADAR_PYTHON if set, else the project's pinned .venv (models/setup-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${RADAR_PYTHON:-}"
if [ -z "$py" ]; then
  [ -x "$here/../.venv/bin/python" ] && py="$here/../.venv/bin/python"
fi
[ -n "$py" ] || { echo "no Python environment: run models/setup-venv.sh or set RADAR_PYTHON" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 OUT [--bench DIR] [--families LIST]" >&2; exit 2; }
exec "$py" "$here/make_hf_fixtures.py" "$@"
