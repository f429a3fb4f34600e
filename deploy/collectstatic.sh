#!/bin/sh
# Build step: collect and fingerprint static files (the image runs it once; CI runs it as well).
set -eu
cd "$(dirname "$0")/.."
exec python manage.py collectstatic --noinput --verbosity "${VERBOSITY:-1}"
