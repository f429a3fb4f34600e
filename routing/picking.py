"""Which backend of a route serves a request: by the route's open-source share, sticky per caller.

Pure (no Django): the gateway, the tests and the benchmark call the same functions.

A caller (OpenAI's ``user`` field or an ``X-Session-Id`` header) is hashed with the route's key into
one of 10,000 buckets; the route sends buckets ``0 .. share x 100 - 1`` to its open-source backend and
the rest to the proprietary one. The hash is a keyed BLAKE2b digest, identical in every process and
on every replica, so any gateway worker picks the same backend for the same caller. Moving the share
from ``a`` % to ``b`` % moves exactly the callers whose bucket lies between ``a x 100`` and ``b x 100``
(|b - a| % of them) and nobody else. Requests that name no caller draw a random bucket.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

BUCKETS = 10_000
BUCKETS_PER_PERCENT = BUCKETS // 100


@dataclass(frozen=True)
class RoutePair:
    """The part of a route that picking needs: its stable key, its two backends and the share."""

    key: str
    proprietary_backend_id: int | None
    open_source_backend_id: int | None
    open_source_share: int


def caller_bucket(*, route_key: str, caller: str) -> int:
    """Bucket 0..9,999 of this caller on this route: the first 8 bytes of BLAKE2b(route_key, caller)."""
    digest = hashlib.blake2b(caller.encode(), key=route_key.encode()[:64], digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def random_bucket(rng: random.Random | None = None) -> int:
    return (rng or random).randrange(BUCKETS)


def bucket_goes_open_source(*, bucket: int, share: int) -> bool:
    """True when the bucket falls inside the open-source share: ``bucket < share x 100``."""
    return bucket < share * BUCKETS_PER_PERCENT


def route_choose_backend(
    pair: RoutePair, *, caller: str = "", rng: random.Random | None = None
) -> tuple[int | None, int | None]:
    """(chosen backend id, the other backend id) for one request.

    With a caller the choice is sticky (hash bucket); without one it is random. A route with only one
    backend always answers that one (the other side is None), whatever the share says.
    """
    if pair.open_source_backend_id is None:
        return pair.proprietary_backend_id, None
    if pair.proprietary_backend_id is None:
        return pair.open_source_backend_id, None
    bucket = caller_bucket(route_key=pair.key, caller=caller) if caller else random_bucket(rng)
    if bucket_goes_open_source(bucket=bucket, share=pair.open_source_share):
        return pair.open_source_backend_id, pair.proprietary_backend_id
    return pair.proprietary_backend_id, pair.open_source_backend_id


SHADOW_RATE_CEILING = Decimal("0.10")
_SCALE = 2**64


def shadow_sampled(rate: float | Decimal, request_id: str) -> bool:
    """Whether a proprietary-served request is also sent to the open-source backend for comparison:
    the first 8 bytes of SHA-256(request id), as a fraction of 2^64, fall below ``rate`` (clamped to
    0..10 %). Deterministic, so every replica agrees without shared state, and uniform."""
    rate = min(max(Decimal(str(rate)), Decimal("0")), SHADOW_RATE_CEILING)
    if rate <= 0 or not request_id:
        return False
    bucket = int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big")
    return bucket < int(rate * _SCALE)
