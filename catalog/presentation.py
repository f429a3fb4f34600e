"""How catalog values read on a page: unknowns say so, contexts read as '128K'."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import CAPABILITY_FIELDS, CAPABILITY_LABELS, ModelOption

UNKNOWN = "unknown"


def context_display(tokens: int | None) -> str:
    if tokens is None:
        return UNKNOWN
    if tokens % 1000 == 0:
        return f"{tokens // 1000}K"
    return f"{tokens:,}"


def capability_display(option: ModelOption, field: str) -> str:
    value = getattr(option, field)
    if field == "max_context_tokens":
        return context_display(value)
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(getattr(option, f"get_{field}_display")())


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: list[str]


def capability_matrix(options: list[ModelOption]) -> list[MatrixRow]:
    """Nine capability rows, one cell per model (models are the columns)."""
    return [
        MatrixRow(CAPABILITY_LABELS[field], [capability_display(o, field) for o in options])
        for field in CAPABILITY_FIELDS
    ]
