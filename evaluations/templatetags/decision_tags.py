from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from evaluations.presentation import field_label as _field_label
from evaluations.scoring import PRIORITY_LABELS

register = template.Library()


@register.filter
def money(value: str | Decimal | None) -> str:
    """'$10,500.00' from a decimal string or Decimal; '—' when the figure does not apply."""
    if value is None or value == "":
        return "—"
    try:
        return f"${Decimal(value):,.2f}"
    except InvalidOperation:
        return str(value)


@register.filter
def priority_label(name: str) -> str:
    return PRIORITY_LABELS.get(name, name)


@register.filter
def field_label(name: str) -> str:
    return _field_label(name)


@register.filter
def kind_label(kind: str) -> str:
    return {"open_source": "Open source", "proprietary": "Proprietary"}.get(kind, kind)
