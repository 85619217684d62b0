#!/usr/bin/env bash
# Creates (or reuses) the project's pinned Python environment in .venv: models/requirements.txt, CPython 3.11.
# Reused as long as the requirements file is unchanged (its hash is kept in .venv/.requirements.sha256), so CI on
# one machine pays the ~2 minute install once; a fresh machine builds it from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
req=models/requirements.txt
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat .venv/.requirements.sha256 2>/dev/null)" = "$want" ]; then
  echo "venv: .venv up to date ($req)"
  exit 0
fi
py=${PYTHON:-python3}
"$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 10) else 1)' \
  || { echo "venv: need Python >= 3.10 for $req, found $("$py" --version 2>&1)" >&2; exit 1; }
rm -rf .venv
"$py" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$req"
echo "$want" > .venv/.requirements.sha256
echo "venv: .venv created from $req"
