#!/usr/bin/env bash
# The gateway's added latency, throughput and CPU per request against LiteLLM and a Starlette+httpx
# floor, all measured in this run with the shared harness (../shared/bench, see its README).
#
#   make bench-gateway                      # or: bash bench/gateway.sh
#   ROUNDS=3 PEERS="floor" WORKERS_LIST="1" bash bench/gateway.sh   # shorter
#
# Our gateway is `uvicorn routing.gateway.asgi:application` (the data plane alone) with 1 and then 2
# workers, pinned to CPU $GATEWAY_CPU; the harness pins itself and the fake upstream to CPU 0. The
# database is a throwaway SQLite file (or DATABASE_URL), set up by bench/gateway_setup.py. Knobs:
# ROUNDS [5], N [500], CONCURRENCIES ["1 8 32"], MODES, UPSTREAM_PORT [18780], GATEWAY_PORT [18781],
# GATEWAY_CPU [1], WORKERS_LIST ["1 2"], PEERS ["litellm-default floor"], BENCH_DIR [../shared/bench].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/bench}"
PY="${PY:-$ROOT/.venv/bin/python}"
UPSTREAM_PORT="${UPSTREAM_PORT:-18780}"
GATEWAY_PORT="${GATEWAY_PORT:-18781}"
GATEWAY_CPU="${GATEWAY_CPU:-1}"
WORKERS_LIST="${WORKERS_LIST:-1 2}"
PEERS="${PEERS:-litellm-default floor}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_ROOT="${OUT_ROOT:-$ROOT/var/bench-gateway/$STAMP}"
export UPSTREAM_PORT ROUNDS="${ROUNDS:-5}" N="${N:-500}"
mkdir -p "$OUT_ROOT"

WORK="$(mktemp -d /tmp/modelwise-gateway-bench.XXXXXX)"
export MODELWISE_VAR_DIR="${MODELWISE_VAR_DIR:-$WORK}"
export LOG_LEVEL=WARNING
GW_PID=""
cleanup() {
  if [[ -n "$GW_PID" ]]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

TOKEN="$("$PY" "$ROOT/bench/gateway_setup.py" --upstream "http://127.0.0.1:$UPSTREAM_PORT/v1")"
TASKSET=()
command -v taskset >/dev/null && [[ "$(nproc)" -ge 2 ]] && TASKSET=(taskset -c "$GATEWAY_CPU")

DIRS=()
for workers in $WORKERS_LIST; do
  label="modelwise-${workers}w"
  (cd "$ROOT" && exec "${TASKSET[@]}" "$PY" -m uvicorn routing.gateway.asgi:application --host 127.0.0.1 \
      --port "$GATEWAY_PORT" --workers "$workers" --no-access-log --log-level warning) \
      > "$OUT_ROOT/$label-gateway.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 1 100); do curl -sf -m 1 "http://127.0.0.1:$GATEWAY_PORT/health" >/dev/null && break; sleep 0.2; done
  sleep 1  # every worker up
  OUT_DIR="$OUT_ROOT/$label" GATEWAY_PIDS="$GW_PID" API_KEY="$TOKEN" \
    bash "$BENCH_DIR/gateway_overhead.sh" "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" "$label"
  DIRS+=("$OUT_ROOT/$label")
  kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=""
done

for peer in $PEERS; do
  # Peers run in a loopback-only network namespace of their own, where LiteLLM's shared config expects
  # the fake upstream on its default port 18080: no clash with anything outside.
  OUT_DIR="$OUT_ROOT/$peer" INSTALL=0 UPSTREAM_PORT="${PEER_UPSTREAM_PORT:-18080}" \
    bash "$BENCH_DIR/peers/run_peer.sh" "$peer"
  DIRS+=("$OUT_ROOT/$peer")
done

files=()
for d in "${DIRS[@]}"; do files+=("$d/results.jsonl"); done
python3 "$BENCH_DIR/summarize.py" "${files[@]}" | tee "$OUT_ROOT/summary.md"
echo "results: $OUT_ROOT"
