"""Routing's periodic work: thin Celery tasks over ``routing.rollups``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from routing.rollups import request_logs_purge, request_rollups_catch_up


@shared_task(name="routing.rollup_requests")
def rollup_requests() -> str:
    """Hourly: roll up the complete hours of the request log not rolled up yet."""
    hours = request_rollups_catch_up(now=timezone.now())
    return f"rolled up {len(hours)} hour(s)"


@shared_task(name="routing.purge_request_logs")
def purge_request_logs() -> str:
    """Daily: delete raw request logs past ROUTING_LOG_RETENTION_DAYS (rolled-up hours only)."""
    deleted = request_logs_purge(now=timezone.now())
    return f"deleted {deleted} request log(s)"
