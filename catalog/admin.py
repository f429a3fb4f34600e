from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog.models import ModelOption
from catalog.services import (
    catalog_prices_refresh,
    mark_hand_entered_price_date,
    mark_hand_entered_prices,
    price_history_record,
)
from catalog.tasks import refresh_prices as refresh_prices_task
from catalog.vocabulary import DEFAULT_SCORE, score_range_text
from portal.queueing import task_enqueue


@admin.action(description="Refresh API prices from genai-prices")
def refresh_prices(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ModelOption]
) -> None:
    report = catalog_prices_refresh(options=queryset)
    modeladmin.message_user(request, f"Prices refreshed: {report.summary()}.", messages.SUCCESS)
    for line in report.lines():
        level = messages.WARNING if line.startswith("unknown") else messages.INFO
        modeladmin.message_user(request, line, level)


@admin.action(description="Refresh all API prices in the background")
def refresh_prices_later(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ModelOption]
) -> None:
    if task_enqueue(refresh_prices_task):
        modeladmin.message_user(
            request, "Price refresh queued: a worker applies it in a moment.", messages.SUCCESS
        )
    else:
        modeladmin.message_user(
            request,
            "The task queue is unreachable, so nothing was queued. Try again in a moment.",
            messages.ERROR,
        )


@admin.register(ModelOption)
class ModelOptionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "provider",
        "kind",
        "is_active",
        "input_price_per_mtok",
        "output_price_per_mtok",
        "instance_hourly_cost",
        "score_cost",
        "score_performance",
        "score_customization",
        "score_data_privacy",
        "score_time_to_market",
        "score_maintenance",
    ]
    list_filter = [
        "kind",
        "is_active",
        "fine_tuning",
        "function_calling",
        "vision",
        "streaming",
        "self_hosting",
        "data_privacy",
        "latency_control",
        "custom_tokenizer",
    ]
    search_fields = ["name", "provider", "pricing_ref"]
    list_per_page = 50
    actions = [refresh_prices, refresh_prices_later]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: ModelOption, form: Any, change: bool) -> None:
        changed = set(form.changed_data)
        mark_hand_entered_prices(obj, changed, by=request.user.get_username())
        mark_hand_entered_price_date(obj, changed)
        old = form.initial if change else {}
        super().save_model(request, obj, form, change)
        price_history_record(
            obj, old_input=old.get("input_price_per_mtok"), old_output=old.get("output_price_per_mtok")
        )

    fieldsets = [
        (None, {"fields": ["name", "provider", "kind", "is_active", "notes"]}),
        (
            f"Scores ({score_range_text()}; empty counts as {DEFAULT_SCORE} and shows as default)",
            {
                "fields": [
                    ("score_cost", "score_performance", "score_customization"),
                    ("score_data_privacy", "score_time_to_market", "score_maintenance"),
                ]
            },
        ),
        (
            "API prices (USD per 1M tokens)",
            {
                "fields": [
                    ("input_price_per_mtok", "output_price_per_mtok"),
                    ("pricing_ref", "pricing_provider"),
                    ("price_source", "price_effective_date"),
                ]
            },
        ),
        (
            "Self-hosting profile",
            {
                "fields": [
                    ("gpu_instance", "gpus_per_instance", "instance_hourly_cost"),
                    ("throughput_tokens_per_s", "prefill_tokens_per_s", "concurrent_requests_per_instance"),
                    ("setup_hours", "monthly_ops_hours", "engineering_hourly_rate"),
                    ("hosting_source", "hosting_effective_date"),
                    "capacity_source",
                ]
            },
        ),
        (
            "Capabilities (empty means unknown)",
            {
                "fields": [
                    "max_context_tokens",
                    ("fine_tuning", "function_calling"),
                    ("vision", "streaming"),
                    ("self_hosting", "data_privacy", "latency_control"),
                    "custom_tokenizer",
                    "capability_source",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
