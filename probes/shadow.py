"""Shadow comparisons: a sampled fraction of the requests the proprietary backend served are sent to
the route's open-source backend too, after the caller has its answer, and scored by agreement.

The gateway samples a proprietary-served response once it is complete and hands the payload to its
log writer, which enqueues ``probes.shadow_compare`` by name off the response path (routing never
imports probes); portal code calls ``shadow_maybe_enqueue``. The decision to sample is a hash of the
request id, so every gateway process and replica agrees without sharing state. The comparison runs
on the ``probes`` Celery queue (``probes.shadow_compare``): it records a shadow ``ProbeResult`` and
a ``RequestLog`` row with ``is_shadow=True``, which spend and budgets leave out.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone

from probes.checks import checks_run, probe_score
from probes.models import ProbeResult
from routing.models import RequestLog, Route
from routing.picking import shadow_sampled

logger = logging.getLogger(__name__)

DEFAULT_AGREEMENT = {"type": "agreement", "mode": "overlap", "threshold": 0.8, "weight": 1.0}


def shadow_should_sample(rate: float | Decimal, request_id: str) -> bool:
    """The gateway's sampling decision (``routing.picking.shadow_sampled``), for callers in the portal."""
    return shadow_sampled(rate, request_id)


def shadow_payload(
    *,
    team_id: int,
    route_id: int,
    request_id: str,
    messages: list[dict[str, Any]],
    reference_text: str,
    task_type: str = "",
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """The task's payload: plain JSON, everything the comparison needs (no secret)."""
    return {
        "team_id": team_id,
        "route_id": route_id,
        "request_id": request_id,
        "messages": messages,
        "reference_text": reference_text,
        "task_type": task_type,
        "max_tokens": max_tokens,
    }


def shadow_maybe_enqueue(*, rate: float | Decimal, payload: dict[str, Any]) -> bool:
    """Sample and, if sampled, enqueue the comparison; returns whether it was enqueued. Never raises:
    a broker hiccup costs a shadow sample, never a caller's request."""
    if not shadow_should_sample(rate, str(payload.get("request_id", ""))):
        return False
    from probes.tasks import shadow_compare

    try:
        shadow_compare.apply_async(kwargs={"payload": payload}, queue="probes")
    except Exception:  # the broker being down must not reach the gateway
        logger.warning("Could not enqueue a shadow comparison", exc_info=True)
        return False
    return True


async def _call_once(target: Any, messages: list[dict[str, Any]], max_tokens: int | None) -> Any:
    from routing.calls import backend_call

    async with httpx.AsyncClient() as client:
        return await backend_call(client=client, target=target, messages=messages, max_tokens=max_tokens)


def shadow_compare_run(*, payload: dict[str, Any]) -> ProbeResult | None:
    """Call the open-source backend with the request, score agreement with the proprietary answer,
    record the result and a shadow request log. Idempotent per (route, request id)."""
    from routing.calls import backend_target

    route_id, team_id = payload.get("route_id"), payload.get("team_id")
    if not isinstance(route_id, int) or not isinstance(team_id, int):
        return None
    route = (
        Route.objects.select_related("team", "open_source_backend__catalog_model")
        .filter(pk=route_id, team_id=team_id)
        .first()
    )
    request_id = str(payload.get("request_id", ""))[:40]
    if route is None or route.open_source_backend is None or not request_id:
        return None
    if ProbeResult.objects.filter(route=route, is_shadow=True, request_id=request_id).exists():
        return None
    backend = route.open_source_backend
    messages = payload.get("messages") or []
    target = backend_target(backend)
    # In a thread of its own, so a caller that already runs an event loop can call this too.
    with ThreadPoolExecutor(1) as pool:
        call = pool.submit(asyncio.run, _call_once(target, messages, payload.get("max_tokens"))).result()
    outcomes = checks_run([DEFAULT_AGREEMENT], call.text, reference=payload.get("reference_text"))
    score = 0.0 if call.error else probe_score(outcomes)
    try:
        with transaction.atomic():
            result = ProbeResult.objects.create(
                team_id=route.team_id,
                route=route,
                probe_name="shadow",
                backend=backend,
                backend_name=backend.name,
                backend_kind=backend.kind,
                is_shadow=True,
                request_id=request_id,
                output=call.text or "",
                check_outcomes=[o.as_dict() for o in outcomes],
                score=score,
                latency_ms=call.latency_ms,
                input_tokens=call.input_tokens,
                output_tokens=call.output_tokens,
                cost_usd=call.cost_usd,
                error=call.error[:300],
            )
            RequestLog.objects.create(
                team_id=route.team_id,
                created_at=timezone.now(),
                request_id=request_id,
                route=route,
                route_name=route.name,
                backend=backend,
                backend_name=backend.name,
                backend_kind=backend.kind,
                task_type=str(payload.get("task_type") or "")[:60],
                is_shadow=True,
                status_code=call.status or (200 if not call.error else 502),
                error=call.error[:300],
                latency_ms=call.latency_ms,
                input_tokens=call.input_tokens,
                output_tokens=call.output_tokens,
                tokens_estimated=call.tokens_estimated,
                cost_usd=call.cost_usd,
                gpu_seconds=call.gpu_seconds,
            )
    except IntegrityError:  # a second delivery recorded it meanwhile
        return None
    return result
