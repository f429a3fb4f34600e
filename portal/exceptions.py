"""One mapping from errors to HTTP for the API, in the one shape of ``portal.errors``.

Services raise Django's ValidationError / PermissionDenied; DRF raises its own exceptions; a
database or broker outage becomes a 503. Every answer is ``{"status", "code", "detail", "errors"}``,
``errors`` holding a validation error's messages by field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from portal.errors import OUTAGE_RETRY_AFTER, error_body, outage_of


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _shaped(status_code: int, exc: exceptions.APIException, data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and set(data) == {"detail"}:
        detail = data["detail"]
        return error_body(status_code, str(getattr(detail, "code", None) or exc.default_code), str(detail))
    # Messages by field (a list of messages counts as non-field errors).
    fields = data if isinstance(data, dict) else {"non_field_errors": data}
    if isinstance(exc, exceptions.ValidationError):
        return error_body(status_code, "invalid", "Invalid input: see the messages by field.", fields)
    return error_body(status_code, str(exc.default_code), str(exc.default_detail), fields)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    dependency = outage_of(exc)
    if dependency is not None:
        set_rollback()
        return Response(
            error_body(
                503,
                f"{dependency}_unavailable",
                f"The {dependency} is unreachable at the moment; nothing was changed. Please retry shortly.",
            ),
            status=503,
            headers={"Retry-After": str(OUTAGE_RETRY_AFTER)},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # the only kind DRF's handler answers
    response.data = _shaped(response.status_code, exc, response.data)
    return response
