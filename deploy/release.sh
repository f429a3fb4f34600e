#!/bin/sh
# Release step, once per deployment before web/worker/beat start: apply migrations and install the
# shipped catalog with its schedules (both idempotent).
set -eu
cd "$(dirname "$0")/.."
PY=python
"$PY" manage.py migrate --noinput
"$PY" manage.py catalog_load
if "$PY" manage.py help schedules_install >/dev/null 2>&1; then
  "$PY" manage.py schedules_install
fi
