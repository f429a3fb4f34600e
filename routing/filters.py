"""Filters of the request log, shared by ``/api/requests/`` and the routing page.

Routes and backends are filtered by id on the log's own columns, so another team's id simply
matches nothing: the filter never reveals whether it exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField

from routing.models import RequestLog

MAX_ID = 2**63 - 1
STATUS_CHOICES = [("ok", "Succeeded (2xx)"), ("error", "Failed (4xx/5xx)")]


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, normalised to UTC: a database need not understand odd offsets."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("Enter a date and time between the years 1 and 9999.") from exc


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class RequestLogFilter(django_filters.FilterSet):
    route = django_filters.NumberFilter(
        field_name="route_id", label="Route", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    backend = django_filters.NumberFilter(
        field_name="backend_id", label="Backend", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    task_type = django_filters.CharFilter(field_name="task_type", label="Task type")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label="Status")
    status_code = django_filters.NumberFilter(
        field_name="status_code", label="Status code", min_value=100, max_value=599, decimal_places=0
    )
    shadow = django_filters.BooleanFilter(field_name="is_shadow", label="Shadow calls")
    fallback = django_filters.BooleanFilter(field_name="fallback_used", label="Fallback used")
    since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", label="From")
    until = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt", label="Until")

    class Meta:
        model = RequestLog
        fields: list[str] = []

    def __init__(
        self, *args: Any, route_choices: Any = None, backend_choices: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # On a page the ids are picked from the team's own routes and backends.
        for name, choices in (("route", route_choices), ("backend", backend_choices)):
            if choices is not None:
                self.form.fields[name].widget = forms.Select(choices=[("", "Any"), *choices])
        shadow = self.form.fields["shadow"]
        shadow.widget = forms.Select(
            choices=[("", "Any"), ("false", "Served requests"), ("true", "Shadow calls")]
        )
        fallback = self.form.fields["fallback"]
        fallback.widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def filter_status(self, queryset: QuerySet[RequestLog], name: str, value: str) -> QuerySet[RequestLog]:
        if value == "ok":
            return queryset.filter(status_code__lt=400)
        if value == "error":
            return queryset.filter(status_code__gte=400)
        return queryset
