from __future__ import annotations

from django.contrib import admin

from evaluations.costing import USAGE_FIELDS
from evaluations.models import Evaluation, PriorityProfile, UsagePattern


@admin.register(PriorityProfile)
class PriorityProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "priorities", "updated_at"]
    list_filter = ["team"]
    list_select_related = ["team"]
    search_fields = ["name", "team__name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(UsagePattern)
class UsagePatternAdmin(admin.ModelAdmin):
    list_display = ["name", "team", *USAGE_FIELDS]
    list_filter = ["team", "days_per_month"]
    list_select_related = ["team"]
    search_fields = ["name", "team__name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "top_pick", "profile", "usage_pattern", "created_by", "created_at"]
    list_filter = ["team", "created_at"]
    list_select_related = ["team", "profile", "usage_pattern", "created_by"]
    search_fields = ["name", "team__name", "top_pick"]
    date_hierarchy = "created_at"
    # A saved evaluation is a record of what was decided: it is read, not edited.
    readonly_fields = [
        "team",
        "name",
        "profile",
        "usage_pattern",
        "priorities",
        "requirements",
        "snapshot",
        "top_pick",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
