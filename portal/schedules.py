"""What an app's ``schedules.py`` hook returns: one periodic task for beat to run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PeriodicTaskSpec:
    """A periodic task: a crontab expression (``"5 * * * *"``) or an interval in seconds."""

    name: str
    task: str
    crontab: str | None = None
    interval_seconds: int | None = None
    queue: str = "default"
    kwargs: dict[str, Any] = field(default_factory=dict)
