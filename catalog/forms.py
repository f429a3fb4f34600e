from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms

from catalog.models import ModelKind
from catalog.selectors import CATALOG_SORTS
from catalog.vocabulary import PRIORITIES, PRIORITY_LABELS


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ModelKind.choices], required=False)


# The catalog table's columns: (sort key, heading, numeric).
CATALOG_COLUMNS: list[tuple[str, str, bool]] = [
    ("name", "Model", False),
    ("provider", "Provider", False),
    ("kind", "Kind", False),
    ("input_price", "Input $/1M", True),
    ("output_price", "Output $/1M", True),
    ("instance_cost", "Instance $/h", True),
    *((p, PRIORITY_LABELS[p], True) for p in PRIORITIES),
]


class CatalogSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=120, label="Search by name or provider")
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ModelKind.choices], required=False, label="Kind")
    sort = forms.ChoiceField(choices=[(k, k) for k in CATALOG_SORTS], required=False, label="Sort by")
    desc = forms.BooleanField(required=False, label="Descending")

    def criteria(self) -> dict[str, Any]:
        """What to search for; nonsense values fall back to the defaults (the form shows the error)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "query": (data.get("q") or "").strip(),
            "kind": data.get("kind") or "",
            "sort": data.get("sort") or "name",
            "descending": bool(data.get("desc")),
        }

    def columns(self) -> list[dict[str, Any]]:
        """Each heading with the link that sorts by it (again: the other way) and its aria-sort."""
        criteria = self.criteria()
        out = []
        for key, heading, numeric in CATALOG_COLUMNS:
            current = criteria["sort"] == key
            descending = not criteria["descending"] if current else False
            params = {"q": criteria["query"], "kind": criteria["kind"], "sort": key}
            if descending:
                params["desc"] = "1"
            query = urlencode({k: v for k, v in params.items() if v})
            out.append(
                {
                    "key": key,
                    "heading": heading,
                    "numeric": numeric,
                    "query": query,
                    "aria_sort": ("descending" if criteria["descending"] else "ascending")
                    if current
                    else "none",
                }
            )
        return out
