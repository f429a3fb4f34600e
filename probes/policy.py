"""The migration policy: when a probe round moves a route's open-source share, as pure functions.

Two modes:

- ``article``: the source article's ``MigrationManager.update_split``: when the open-source quality
  (the round's mean score) is at or above the threshold, add ``step`` points, capped at the target
  (100 in the article); otherwise hold. No interval, no minimum number of results.
- ``statistical`` (the default): quality holds when the lower bound of the 95 % Wilson interval of
  the mean score is at or above the threshold, with at least ``min_results`` scored results. A clear
  regression (the interval's upper bound below the threshold, or an error rate above
  ``error_limit``) steps the share back to the last good share, and to 0 after ``max_failures``
  regressions in a row. Anything in between holds.

In both modes a paused migration never moves, and, when ``require_shadow`` is set, the shadow
comparisons (agreement scores on real traffic) must pass the same gate before the share advances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile


class PolicyMode(StrEnum):
    ARTICLE = "article"
    STATISTICAL = "statistical"


class Action(StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    STEP_BACK = "step_back"
    PAUSED = "paused"


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int


def wilson_interval(mean: float, n: int, z: float = Z_95) -> Interval:
    """Wilson score interval for a proportion p^ = ``mean`` observed over ``n`` trials
    (Wilson 1927; Brown, Cai & DasGupta 2001):

        centre = (p^ + z^2 / 2n) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p^ (1 - p^) / n + z^2 / 4n^2)

    A probe's score is a weighted pass fraction in [0, 1]; its mean over a round is treated as the
    proportion. With n = 0 the interval is [0, 1]."""
    if n <= 0:
        return Interval(mean=0.0, low=0.0, high=1.0, n=0)
    p = min(max(mean, 0.0), 1.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(mean=mean, low=max(0.0, centre - half), high=min(1.0, centre + half), n=n)


@dataclass(frozen=True)
class PolicySettings:
    mode: PolicyMode = PolicyMode.STATISTICAL
    threshold: float = 0.85
    min_results: int = 20
    step: int = 10
    target: int = 100
    error_limit: float = 0.2
    max_failures: int = 3
    require_shadow: bool = False


@dataclass(frozen=True)
class MigrationState:
    share: int
    last_good_share: int
    consecutive_failures: int = 0
    paused: bool = False


@dataclass(frozen=True)
class Evidence:
    """A round's open-source results: ``scores`` are the scored results, ``errors`` how many of
    all ``calls`` failed. ``shadow_scores`` are the recent shadow agreement scores."""

    scores: tuple[float, ...]
    errors: int
    calls: int
    shadow_scores: tuple[float, ...] = ()

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


@dataclass(frozen=True)
class Decision:
    action: Action
    state: MigrationState
    reason: str
    quality: Interval
    shadow: Interval | None = None

    @property
    def share(self) -> int:
        return self.state.share


def _advance(
    settings: PolicySettings, state: MigrationState, reason: str, quality: Interval, shadow: Interval | None
) -> Decision:
    new_share = min(state.share + settings.step, settings.target, 100)
    if new_share <= state.share:
        return Decision(
            Action.HOLD,
            replace(state, last_good_share=state.share, consecutive_failures=0),
            f"{reason}; the share is at its target of {settings.target} %",
            quality,
            shadow,
        )
    return Decision(
        Action.ADVANCE,
        replace(state, share=new_share, last_good_share=state.share, consecutive_failures=0),
        f"{reason}: {state.share} % -> {new_share} %",
        quality,
        shadow,
    )


def _step_back(
    settings: PolicySettings, state: MigrationState, why: str, quality: Interval, shadow: Interval | None
) -> Decision:
    failures = state.consecutive_failures + 1
    if failures >= settings.max_failures:
        new_share, last_good = 0, 0
        reason = f"{why}; {failures} failures in a row: back to 0 %"
    elif state.last_good_share < state.share:
        new_share, last_good = state.last_good_share, state.last_good_share
        reason = f"{why}: back to the last good share, {new_share} %"
    else:
        new_share, last_good = state.share, state.last_good_share
        reason = (
            f"{why}; already at the last good share "
            f"({failures} of {settings.max_failures} failures before 0 %)"
        )
    return Decision(
        Action.STEP_BACK,
        replace(state, share=new_share, last_good_share=last_good, consecutive_failures=failures),
        reason,
        quality,
        shadow,
    )


def _fmt(interval: Interval) -> str:
    return f"quality {interval.mean:.3f} (95 % CI {interval.low:.3f}-{interval.high:.3f}, n={interval.n})"


def migration_decide(settings: PolicySettings, state: MigrationState, evidence: Evidence) -> Decision:
    """What a finished probe round does to the share. Pure: the caller applies the new state."""
    quality = wilson_interval(evidence.mean, len(evidence.scores))
    shadow = (
        wilson_interval(
            sum(evidence.shadow_scores) / len(evidence.shadow_scores), len(evidence.shadow_scores)
        )
        if evidence.shadow_scores
        else None
    )
    if state.paused:
        return Decision(Action.PAUSED, state, "the migration is paused", quality, shadow)

    if evidence.calls and evidence.error_rate > settings.error_limit:
        why = f"error rate {evidence.error_rate:.0%} above the limit of {settings.error_limit:.0%}"
        return _step_back(settings, state, why, quality, shadow)

    if settings.mode == PolicyMode.ARTICLE:
        if evidence.scores and quality.mean >= settings.threshold:
            if settings.require_shadow and (shadow is None or shadow.mean < settings.threshold):
                return Decision(Action.HOLD, state, "shadow comparisons below the threshold", quality, shadow)
            return _advance(
                settings, state, f"quality {quality.mean:.3f} >= {settings.threshold:.2f}", quality, shadow
            )
        return Decision(
            Action.HOLD, state, f"quality {quality.mean:.3f} below {settings.threshold:.2f}", quality, shadow
        )

    if quality.n < settings.min_results:
        return Decision(
            Action.HOLD,
            state,
            f"{quality.n} scored results, fewer than the {settings.min_results} needed",
            quality,
            shadow,
        )
    if quality.high < settings.threshold:
        return _step_back(
            settings, state, f"regression: {_fmt(quality)} below {settings.threshold:.2f}", quality, shadow
        )
    if (
        settings.require_shadow
        and shadow is not None
        and shadow.n >= settings.min_results
        and shadow.high < settings.threshold
    ):
        return _step_back(settings, state, f"shadow regression: {_fmt(shadow)}", quality, shadow)
    if quality.low < settings.threshold:
        return Decision(
            Action.HOLD,
            state,
            f"{_fmt(quality)}: the lower bound is below {settings.threshold:.2f}",
            quality,
            shadow,
        )
    if settings.require_shadow:
        if shadow is None or shadow.n < settings.min_results:
            n = shadow.n if shadow else 0
            return Decision(
                Action.HOLD,
                state,
                f"waiting for shadow comparisons ({n} of {settings.min_results})",
                quality,
                shadow,
            )
        if shadow.low < settings.threshold:
            return Decision(
                Action.HOLD, state, f"shadow {_fmt(shadow)} not yet above the threshold", quality, shadow
            )
    return _advance(settings, state, f"{_fmt(quality)} holds at {settings.threshold:.2f}", quality, shadow)
