"""DRF permissions. The default lets in signed-in users and team tokens, nobody else."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.request import Request

from portal.models import ApiToken


def request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class IsMemberOrTeamToken(BasePermission):
    message = "Sign in or send a team API token."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) or request_token(request) is not None


class ReadForMembersWriteForStaff(IsMemberOrTeamToken):
    """Shared reference data: anyone signed in (or any token) reads; writing needs a staff user with
    Django's model permission for the action (add/change/delete), exactly as the admin requires."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = "Only staff with the model's permissions can change the catalog."
        return bool(request.user and request.user.is_staff) and DjangoModelPermissions().has_permission(
            request, view
        )
