from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from catalog.vocabulary import PRIORITY_LABELS
from catalog.vocabulary import kind_label as _kind_label
from evaluations.presentation import field_label as _field_label

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
    return _kind_label(kind)
