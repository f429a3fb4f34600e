"""Request logs written in bulk, off the request path.

The gateway appends one plain dict per request to an in-memory buffer; a background task writes the
buffer with one ``bulk_create`` every ``GATEWAY_LOG_FLUSH_S`` seconds (sooner once
``GATEWAY_LOG_BATCH`` rows wait), in the gateway's database thread. The same pass publishes changed
breaker states to ``BackendHealth``, records token use and refreshes the month's spend of teams with
a budget. A failed write keeps its rows for the next pass; a clean stop writes whatever is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q

from portal.models import ApiToken, Team
from routing.budget import teams_month_spend
from routing.models import Backend, BackendHealth, RequestLog, Route

logger = logging.getLogger(__name__)

MAX_BUFFERED_ROWS = 200_000  # beyond this (database down for a long time) the oldest rows are dropped


def _db_job(job: Callable[[], Any]) -> Any:
    """Run a database job in the gateway's database thread; a broken connection is reopened next time."""
    try:
        return job()
    except DatabaseError:
        connections.close_all()
        raise


def _write_rows(rows: list[dict[str, Any]]) -> None:
    try:
        with transaction.atomic():
            RequestLog.objects.bulk_create([RequestLog(**row) for row in rows])
        return
    except IntegrityError:
        pass
    # A team, route or backend was deleted after the request: keep the log, drop the dangling links.
    teams = set(Team.objects.filter(pk__in={r["team_id"] for r in rows}).values_list("pk", flat=True))
    routes = set(Route.objects.filter(pk__in={r["route_id"] for r in rows}).values_list("pk", flat=True))
    backends = set(
        Backend.objects.filter(pk__in={r["backend_id"] for r in rows}).values_list("pk", flat=True)
    )
    kept = []
    for row in rows:
        if row["team_id"] not in teams:
            continue
        if row["route_id"] not in routes:
            row["route_id"] = None
        if row["backend_id"] not in backends:
            row["backend_id"] = None
        kept.append(row)
    with transaction.atomic():
        RequestLog.objects.bulk_create([RequestLog(**row) for row in kept])


def _publish_health(health: list[dict[str, Any]]) -> None:
    existing = set(
        Backend.objects.filter(pk__in=[h["backend_id"] for h in health]).values_list("pk", flat=True)
    )
    for item in health:
        if item["backend_id"] not in existing:
            continue
        defaults = {k: v for k, v in item.items() if k != "backend_id" and v is not None}
        BackendHealth.objects.update_or_create(backend_id=item["backend_id"], defaults=defaults)


def _enqueue_shadows(shadows: list[dict[str, Any]]) -> None:
    """Hand sampled proprietary answers to the probes workers, by task name (routing does not import
    probes). A broker that is down costs these samples, never a caller's request."""
    from portal.celery import app

    for payload in shadows:
        try:
            app.send_task("probes.shadow_compare", kwargs={"payload": payload}, queue="probes")
        except Exception:
            logger.warning("Could not enqueue %d shadow comparison(s).", len(shadows), exc_info=True)
            return


def flush_job(
    rows: list[dict[str, Any]],
    health: list[dict[str, Any]],
    token_ids: set[int],
    limited_team_ids: list[int],
    shadows: list[dict[str, Any]] | None = None,
) -> dict[int, Decimal]:
    """One pass in the database thread; returns the month's spend of the teams with a budget."""
    if shadows:
        _enqueue_shadows(shadows)
    if rows:
        _write_rows(rows)
    if health:
        _publish_health(health)
    if token_ids:
        now = dt.datetime.now(dt.UTC)
        ApiToken.objects.filter(pk__in=token_ids).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1))
        ).update(last_used_at=now)
    return teams_month_spend(team_ids=limited_team_ids) if limited_team_ids else {}


class LogWriter:
    def __init__(
        self,
        *,
        executor: Executor,
        flush_interval_s: float,
        batch_size: int,
        collect_health: Callable[[], list[dict[str, Any]]],
        limited_team_ids: Callable[[], list[int]],
        on_flushed: Callable[[dict[int, Decimal], dict[int, Decimal]], None],
    ) -> None:
        self._executor = executor
        self._interval = flush_interval_s
        self._batch_size = batch_size
        self._collect_health = collect_health
        self._limited_team_ids = limited_team_ids
        self._on_flushed = on_flushed
        self.buffer: list[dict[str, Any]] = []
        self.shadows: list[dict[str, Any]] = []
        self._tokens: set[int] = set()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0

    def add(self, row: dict[str, Any], token_id: int) -> None:
        self.buffer.append(row)
        self._tokens.add(token_id)
        if len(self.buffer) >= self._batch_size:
            self._wake.set()

    def add_shadow(self, payload: dict[str, Any]) -> None:
        """A sampled proprietary answer to compare with the open-source backend (sent with the next batch)."""
        if len(self.shadows) < MAX_BUFFERED_ROWS:
            self.shadows.append(payload)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="gateway-log-writer")

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # keep writing later; the rows are still buffered
                logger.exception("Writing request logs failed; will retry.")

    async def flush(self) -> None:
        """Write everything buffered so far (one pass at a time)."""
        async with self._lock:
            rows, self.buffer = self.buffer, []
            tokens, self._tokens = self._tokens, set()
            shadows, self.shadows = self.shadows, []
            health = self._collect_health()
            limited = self._limited_team_ids()
            costs: dict[int, Decimal] = {}
            for row in rows:
                costs[row["team_id"]] = costs.get(row["team_id"], Decimal(0)) + row["cost_usd"]
            loop = asyncio.get_running_loop()
            try:
                spend = await loop.run_in_executor(
                    self._executor, _db_job, lambda: flush_job(rows, health, tokens, limited, shadows)
                )
            except BaseException:
                # Put the rows back in front of anything logged meanwhile; bound the backlog.
                self.buffer = (rows + self.buffer)[-MAX_BUFFERED_ROWS:]
                self._tokens |= tokens
                raise
            self.written += len(rows)
            self._on_flushed(costs, spend)

    async def stop(self) -> None:
        """Stop the background task and write what is left (a clean shutdown loses no log)."""
        # Let the task finish its current pass rather than cancel it mid-write (which could write a
        # batch twice: the database thread would finish it while the rows went back to the buffer).
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        for _ in range(3):
            try:
                await self.flush()
                return
            except Exception:
                logger.exception("Writing request logs at shutdown failed; retrying.")
                await asyncio.sleep(0.5)
        logger.error("Lost %d request logs at shutdown: the database did not accept them.", len(self.buffer))
