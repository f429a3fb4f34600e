"""A team's gateway spend this month, counted so that many gateway processes agree.

* ``team_month_spend`` (database): the sum of the month's logged costs, for pages and reloads.
* ``RedisLedger``: with a Redis URL (``GATEWAY_REDIS_URL``), every process adds each request's cost to
  one counter per team and month (``INCRBY`` in micro-dollars) and reads it before serving, so N
  replicas cannot spend N times the limit. The counter starts from the database's figure.
* ``LocalLedger``: without Redis, the database's figure (refreshed after each log flush) plus what
  this process spent since and has not written yet.

Months are calendar months in UTC. A request is refused once the spend has reached the limit; the
request in flight when it is crossed still completes (its cost is unknown until it ends).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db.models import Sum

from routing.models import RequestLog

logger = logging.getLogger(__name__)

MICRO = Decimal(1_000_000)
KEY_TTL_S = 40 * 86_400


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def team_month_spend(*, team_id: int, now: dt.datetime | None = None) -> Decimal:
    """What the team's gateway requests cost this calendar month (UTC). Shadow calls are left out:
    they are counted apart and never spend the team's budget."""
    total = RequestLog.objects.filter(
        team_id=team_id, created_at__gte=month_start(now), is_shadow=False
    ).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal(0)


def teams_month_spend(*, team_ids: list[int]) -> dict[int, Decimal]:
    """The month's spend of several teams in one query (teams with no requests are 0)."""
    spend = dict.fromkeys(team_ids, Decimal(0))
    if team_ids:
        rows = (
            RequestLog.objects.filter(team_id__in=team_ids, created_at__gte=month_start(), is_shadow=False)
            .values("team_id")
            .annotate(total=Sum("cost_usd"))
        )
        for row in rows:
            spend[row["team_id"]] = row["total"] or Decimal(0)
    return spend


def to_micro(amount: Decimal) -> int:
    return int((amount * MICRO).to_integral_value())


def budget_key(
    team_id: int, now: dt.datetime | None = None, *, prefix: str = "modelwise:gateway:spend"
) -> str:
    return f"{prefix}:{team_id}:{month_start(now):%Y-%m}"


class LocalLedger:
    """Spend from the database (as of the last log flush) plus this process's unwritten costs."""

    def __init__(self) -> None:
        self.written: dict[int, Decimal] = {}
        self.pending: dict[int, Decimal] = {}

    async def spent(self, team_id: int) -> Decimal:
        return self.written.get(team_id, Decimal(0)) + self.pending.get(team_id, Decimal(0))

    async def add(self, team_id: int, cost: Decimal) -> None:
        self.pending[team_id] = self.pending.get(team_id, Decimal(0)) + cost

    def flushed(self, costs: dict[int, Decimal], spend: dict[int, Decimal]) -> None:
        """Rows with these costs were written and the database now says ``spend``."""
        for team_id, cost in costs.items():
            self.pending[team_id] = self.pending.get(team_id, Decimal(0)) - cost
        self.written.update(spend)

    async def close(self) -> None:
        return None


class RedisLedger(LocalLedger):
    """One counter per team and month in Redis, shared by every gateway process and replica.

    If Redis cannot be reached the ledger falls back to the local figures (and says so in the log),
    so an outage of the counter does not take the gateway down with it.
    """

    def __init__(self, url: str, *, prefix: str = "modelwise:gateway:spend") -> None:
        super().__init__()
        self._prefix = prefix
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._seeded: set[str] = set()

    async def _seed(self, key: str, team_id: int) -> None:
        if key not in self._seeded:
            # The first process to count this month starts the counter from the database's figure.
            await self._redis.set(key, to_micro(self.written.get(team_id, Decimal(0))), nx=True, ex=KEY_TTL_S)
            self._seeded.add(key)

    async def spent(self, team_id: int) -> Decimal:
        key = budget_key(team_id, prefix=self._prefix)
        try:
            await self._seed(key, team_id)
            value = await self._redis.get(key)
        except Exception as exc:  # any Redis failure: degrade to the local view
            logger.warning(
                "Budget counter unavailable (%s); using this process's figures.", type(exc).__name__
            )
            return await super().spent(team_id)
        return Decimal(int(value or 0)) / MICRO

    async def add(self, team_id: int, cost: Decimal) -> None:
        await super().add(team_id, cost)
        micro = to_micro(cost)
        if not micro:
            return
        key = budget_key(team_id, prefix=self._prefix)
        try:
            await self._seed(key, team_id)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incrby(key, micro)
                pipe.expire(key, KEY_TTL_S)
                await pipe.execute()
        except Exception as exc:
            logger.warning(
                "Budget counter unavailable (%s); the cost is counted locally.", type(exc).__name__
            )

    async def close(self) -> None:
        await self._redis.aclose()
