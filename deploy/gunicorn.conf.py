"""gunicorn settings for deploy/web.sh; bind and worker count come from the command line."""

from __future__ import annotations

import os

# uvicorn's worker class, maintained as its own package; uvloop and httptools are installed with
# uvicorn[standard] and picked automatically.
worker_class = "uvicorn_worker.UvicornWorker"
# A request that takes longer than this gets its worker restarted (the database statement timeout
# and connect timeout are far shorter, so this only catches a wedged worker).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
# Seconds an idle keep-alive connection stays open.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Recycling a worker after N requests (0: never) closes its idle keep-alive connections, and a client
# that sends on one at that instant gets a reset: 2 of 7,851 requests in a load run (see
# docs/benchmarks.md). Off by default; set it only to contain a leak.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Load the application in each worker (not the master): a crashed or recycled worker starts clean
# and no database connection is ever shared across a fork.
preload_app = False
# Addresses whose X-Forwarded-* headers uvicorn believes (client address and scheme). Empty: none,
# whatever connects directly. Behind a proxy set WEB_FORWARDED_ALLOW_IPS to its address.
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "")
# One listening socket per worker with SO_REUSEPORT: the kernel spreads new connections evenly over
# the workers. With one shared socket, the first worker to wake accepts a whole burst of keep-alive
# connections and keeps them (measured in docs/benchmarks.md).
reuse_port = os.environ.get("WEB_REUSE_PORT", "true").lower() in {"1", "true", "yes", "on"}
