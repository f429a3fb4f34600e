#!/bin/sh
# Web: gunicorn supervising uvicorn workers (uvloop + httptools) serving the ASGI application.
# WEB_BIND, WEB_WORKERS, WEB_TIMEOUT, WEB_KEEPALIVE, WEB_KEEPALIVE_REQUESTS and WEB_MAX_REQUESTS tune it
# (see .env.example).
set -eu
cd "$(dirname "$0")/.."
exec gunicorn portal.asgi:application \
  --config deploy/gunicorn.conf.py \
  --bind "${WEB_BIND:-0.0.0.0:8000}" \
  --workers "${WEB_WORKERS:-3}"
