from __future__ import annotations

from decimal import Decimal

from django import template

from catalog.vocabulary import DEFAULT_SCORE

register = template.Library()


@register.filter
def usd(value: Decimal | None) -> str:
    """Money for display: '$10.00', or 'unknown' when the figure is missing."""
    if value is None:
        return "unknown"
    return f"${value:,.2f}"


@register.filter
def score(value: int | None) -> str:
    """A model's score on a priority, or the default it counts as when it has none."""
    return f"{DEFAULT_SCORE} (default)" if value is None else str(value)
