#!/bin/sh
# Celery worker for both queues: `default` and `probes` (probe rounds and shadow calls).
set -eu
cd "$(dirname "$0")/.."
exec celery -A portal worker \
  --queues "${WORKER_QUEUES:-default,probes}" \
  --concurrency "${WORKER_CONCURRENCY:-2}" \
  --loglevel "${LOG_LEVEL:-INFO}" \
  --without-mingle --without-gossip
