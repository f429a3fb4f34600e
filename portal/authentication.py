"""API authentication by team token: ``Authorization: Bearer mw_...``.

A token belongs to a team, not a person: the request's user stays anonymous and ``request.auth``
carries the token, from which the team is resolved.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portal.models import ApiToken
from portal.selectors import api_token_get_active
from portal.services import api_token_touch
from portal.throttling import AuthFailureThrottle
from portal.tokens import token_looks_valid


class TeamTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        # An address that keeps sending bad tokens is refused before any lookup.
        failures = AuthFailureThrottle()
        wait = failures.wait_if_blocked(request)
        if wait is not None:
            raise exceptions.Throttled(wait, "Too many invalid tokens from this address.")
        if len(header) != 2 or not token_looks_valid(header[1]):
            failures.record_failure()
            raise exceptions.AuthenticationFailed("Malformed token header: use 'Bearer mw_...'.")
        token = api_token_get_active(raw_token=header[1])
        if token is None:
            failures.record_failure()
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if token.gateway_only:
            raise exceptions.PermissionDenied(
                "This token may only call the gateway (/v1/ and /api/route/), not the REST API."
            )
        api_token_touch(token=token)
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
