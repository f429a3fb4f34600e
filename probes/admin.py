"""Admin views of probes; rounds and results are read-only records. A migration's schedule is a
django-celery-beat PeriodicTask, editable under Periodic tasks (default every 15 minutes)."""

from __future__ import annotations

from django.contrib import admin

from probes.models import Probe, ProbeResult, ProbeRound, ProbeSuite, RouteMigration


class ProbeInline(admin.TabularInline):
    model = Probe
    extra = 0
    fields = ["position", "name", "task_type", "prompt", "checks", "enabled"]


@admin.register(ProbeSuite)
class ProbeSuiteAdmin(admin.ModelAdmin):
    list_display = ["name", "route", "team"]
    list_select_related = ["route", "team"]
    inlines = [ProbeInline]


@admin.register(RouteMigration)
class RouteMigrationAdmin(admin.ModelAdmin):
    list_display = ["route", "team", "policy_mode", "target_share", "threshold", "paused", "stop_reason"]
    list_select_related = ["route", "team"]
    readonly_fields = ["last_good_share", "consecutive_failures"]


@admin.register(ProbeRound)
class ProbeRoundAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "route",
        "status",
        "done_calls",
        "total_calls",
        "cost_usd",
        "decision",
        "created_at",
    ]
    list_filter = ["status", "decision"]
    list_select_related = ["route"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):
    list_display = ["probe_name", "backend_name", "is_shadow", "score", "latency_ms", "cost_usd", "error"]
    list_filter = ["is_shadow", "backend_kind"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
