from __future__ import annotations

from django.contrib import admin

from portal.models import ApiToken, Invitation, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "prefix", "access", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["access"]
    list_select_related = ["team"]
    search_fields = ["name", "prefix", "team__name"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at", "created_by"]

    def has_add_permission(self, request: object) -> bool:
        # Tokens are created on the team's page, where the secret is shown once.
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["team", "role", "created_by", "created_at", "expires_at", "used_by", "revoked_at"]
    list_select_related = ["team", "created_by", "used_by"]
    search_fields = ["team__name"]
    readonly_fields = ["digest", "created_at", "created_by", "used_at", "used_by"]

    def has_add_permission(self, request: object) -> bool:
        # Links are made on the team's page, where the secret is shown once.
        return False
