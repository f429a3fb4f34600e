"""Hourly rollups of the request log, and the purge of raw logs past their retention.

A rollup row sums one hour of one team's requests per route, backend, task type and shadow flag.
Rolling up an hour replaces that hour's rows, so running it twice (or a late re-run after more logs
arrived) gives the same rows: the task is idempotent per hour bucket.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncHour

from routing.models import RequestLog, RequestRollup

BUCKET_FIELDS = ("team_id", "route_name", "backend_name", "task_type", "is_shadow")
MAX_HOURS_PER_RUN = 24 * 45


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def request_rollup_hour(*, hour: datetime) -> int:
    """(Re)build every team's rollup rows for the hour starting at ``hour``; returns the row count."""
    start = _hour_floor(hour)
    end = start + timedelta(hours=1)
    RequestRollup.objects.filter(hour=start).delete()
    rows = (
        RequestLog.objects.filter(created_at__gte=start, created_at__lt=end)
        .values(*BUCKET_FIELDS)
        .annotate(
            kind=Max("backend_kind"),
            requests=Count("id"),
            errors=Count("id", filter=Q(status_code__gte=400)),
            fallbacks=Count("id", filter=Q(fallback_used=True)),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cost_usd=Sum("cost_usd"),
            gpu_seconds=Sum("gpu_seconds"),
            latency_ms_sum=Sum("latency_ms"),
        )
        .order_by()
    )
    rollups = [
        RequestRollup(
            team_id=row["team_id"],
            hour=start,
            route_name=row["route_name"],
            backend_name=row["backend_name"],
            backend_kind=row["kind"] or "",
            task_type=row["task_type"],
            is_shadow=row["is_shadow"],
            requests=row["requests"],
            errors=row["errors"],
            fallbacks=row["fallbacks"],
            input_tokens=row["input_tokens"] or 0,
            output_tokens=row["output_tokens"] or 0,
            cost_usd=row["cost_usd"] or Decimal("0"),
            gpu_seconds=row["gpu_seconds"] or Decimal("0"),
            latency_ms_sum=row["latency_ms_sum"] or 0,
        )
        for row in rows
    ]
    RequestRollup.objects.bulk_create(rollups)
    return len(rollups)


def _log_hours(*, before: datetime) -> set[datetime]:
    return set(
        RequestLog.objects.filter(created_at__lt=before)
        .annotate(bucket=TruncHour("created_at", tzinfo=UTC))
        .values_list("bucket", flat=True)
        .distinct()
        .order_by()
    )


def _rolled_hours(*, before: datetime) -> set[datetime]:
    return set(
        RequestRollup.objects.filter(hour__lt=before).values_list("hour", flat=True).distinct().order_by()
    )


def request_rollups_catch_up(*, now: datetime) -> list[datetime]:
    """Roll up every complete hour that has logs and no rollup yet, oldest first.

    The last hour already rolled up is done again, so logs that reached the database late (the
    gateway writes in batches) are counted. The current, incomplete hour is left for the next run;
    the pages read it from the raw logs. Returns the hours rolled up.
    """
    current = _hour_floor(now)
    rolled = _rolled_hours(before=current)
    todo = _log_hours(before=current) - rolled
    if rolled:
        todo.add(max(rolled))
    hours = sorted(todo)[:MAX_HOURS_PER_RUN]
    for hour in hours:
        request_rollup_hour(hour=hour)
    return hours


def request_logs_purge(*, now: datetime, retention_days: int | None = None) -> int:
    """Delete raw logs older than the retention (``ROUTING_LOG_RETENTION_DAYS``, default 30), but
    never a log whose hour is not rolled up yet: the charts and figures outlive the raw rows."""
    days = retention_days if retention_days is not None else settings.ROUTING_LOG_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    unrolled = _log_hours(before=cutoff) - _rolled_hours(before=cutoff + timedelta(hours=1))
    logs = RequestLog.objects.filter(created_at__lt=cutoff)
    for hour in unrolled:
        logs = logs.exclude(created_at__gte=hour, created_at__lt=hour + timedelta(hours=1))
    deleted, _ = logs.delete()
    return deleted
