#!/bin/sh
# Celery beat: schedules live in the database (django-celery-beat), so no state file to keep.
set -eu
cd "$(dirname "$0")/.."
exec celery -A portal beat --loglevel "${LOG_LEVEL:-INFO}" --pidfile=
