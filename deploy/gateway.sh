#!/bin/sh
# The gateway alone (/v1/ and /api/route/, plus /health): production traffic never waits behind a
# portal page. Same gunicorn settings as web (deploy/gunicorn.conf.py); GATEWAY_BIND, GATEWAY_WORKERS.
set -eu
cd "$(dirname "$0")/.."
exec gunicorn routing.gateway.asgi:application \
  --config deploy/gunicorn.conf.py \
  --bind "${GATEWAY_BIND:-0.0.0.0:8001}" \
  --workers "${GATEWAY_WORKERS:-2}" \
  --graceful-timeout 30
