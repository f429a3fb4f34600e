"""The concurrent part of a probe round: every probe against both backends, bounded, with timeouts.

It runs an asyncio loop with one ``httpx.AsyncClient`` (one keep-alive pool for the whole round) in a
thread of its own and hands each scored answer to the caller's thread through a queue, so the
database work stays in ordinary synchronous Django code. Backends are called through
``routing.calls.backend_call``: what is probed is exactly what the gateway serves.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from probes.checks import CheckOutcome, checks_run, probe_score
from routing.calls import BackendTarget, CallResult, backend_call

PROPRIETARY = "proprietary"
OPEN_SOURCE = "open_source"


@dataclass(frozen=True)
class ProbeJob:
    """One probe to answer: which backend kinds still need an answer, and the reference answer
    (the proprietary one) when an earlier delivery of the round already recorded it."""

    probe_id: int
    messages: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    max_tokens: int | None
    kinds: tuple[str, ...]
    reference: str | None = None


@dataclass(frozen=True)
class ScoredAnswer:
    probe_id: int
    backend_kind: str
    call: CallResult
    outcomes: list[CheckOutcome]
    score: float | None


@dataclass
class RunOptions:
    concurrency: int = 50
    call_timeout_s: float = 30.0
    budget_usd: Decimal | None = None  # stop starting calls once this much has been spent
    spent_usd: Decimal = field(default=Decimal("0"))


BUDGET_SPENT = object()  # queued when the run stopped starting calls for lack of budget
_DONE = object()


def _timeout_result(seconds: float) -> CallResult:
    return CallResult(
        text=None,
        input_tokens=0,
        output_tokens=0,
        tokens_estimated=False,
        latency_ms=int(seconds * 1000),
        cost_usd=Decimal("0"),
        gpu_seconds=None,
        error=f"No answer within the probe timeout of {seconds:g} s.",
        status=None,
    )


def _crash_result(exc: BaseException) -> CallResult:
    return CallResult(
        text=None,
        input_tokens=0,
        output_tokens=0,
        tokens_estimated=False,
        latency_ms=0,
        cost_usd=Decimal("0"),
        gpu_seconds=None,
        error=f"The probe call failed: {type(exc).__name__}.",
        status=None,
    )


async def _run(
    jobs: list[ProbeJob], targets: dict[str, BackendTarget], options: RunOptions, out: queue.Queue[Any]
) -> None:
    semaphore = asyncio.Semaphore(max(1, options.concurrency))
    stopped = False
    limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency)

    async with httpx.AsyncClient(limits=limits) as client:

        async def call(kind: str, job: ProbeJob) -> CallResult | None:
            nonlocal stopped
            async with semaphore:
                if options.budget_usd is not None and options.spent_usd >= options.budget_usd:
                    stopped = True
                    return None
                try:
                    result = await asyncio.wait_for(
                        backend_call(
                            client=client,
                            target=targets[kind],
                            messages=job.messages,
                            max_tokens=job.max_tokens,
                        ),
                        timeout=options.call_timeout_s,
                    )
                except TimeoutError:
                    result = _timeout_result(options.call_timeout_s)
                except Exception as exc:  # a bug in an adapter is a failed result, never a crashed round
                    result = _crash_result(exc)
                options.spent_usd += result.cost_usd
                return result

        async def answer(job: ProbeJob) -> None:
            calls = await asyncio.gather(*(call(kind, job) for kind in job.kinds))
            by_kind = dict(zip(job.kinds, calls, strict=True))
            reference = job.reference
            proprietary = by_kind.get(PROPRIETARY)
            if proprietary is not None:
                reference = proprietary.text
            for kind, result in by_kind.items():
                if result is None:
                    continue
                outcomes = checks_run(
                    job.checks, result.text, reference=reference, is_reference=kind == PROPRIETARY
                )
                out.put(ScoredAnswer(job.probe_id, kind, result, outcomes, probe_score(outcomes)))

        await asyncio.gather(*(answer(job) for job in jobs))
    if stopped:
        out.put(BUDGET_SPENT)


def run_jobs(
    jobs: list[ProbeJob], targets: dict[str, BackendTarget], options: RunOptions
) -> Iterator[list[Any]]:
    """Yield batches of ``ScoredAnswer`` as soon as they are scored (everything that arrived since the
    last batch, so the caller writes in bulk), and ``BUDGET_SPENT`` if the budget ran out. The calls
    run concurrently in a background thread."""
    out: queue.Queue[Any] = queue.Queue()

    def thread_main() -> None:
        try:
            asyncio.run(_run(jobs, targets, options, out))
        finally:
            out.put(_DONE)

    thread = threading.Thread(target=thread_main, name="probe-round", daemon=True)
    thread.start()
    finished = False
    while not finished:
        batch = [out.get()]
        while True:
            try:
                batch.append(out.get_nowait())
            except queue.Empty:
                break
        if batch[-1] is _DONE:
            batch.pop()
            finished = True
        if batch:
            yield batch
    thread.join()
