#!/bin/sh
# Release step, once per deployment before web/worker/beat start: apply migrations, install the
# shipped catalog and every app's periodic tasks (all idempotent).
set -eu
cd "$(dirname "$0")/.."
python manage.py migrate --noinput
python manage.py catalog_load
python manage.py schedules_install
