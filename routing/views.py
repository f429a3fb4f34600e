from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def routing_page(request: HttpRequest, team_slug: str) -> HttpResponse:
    return HttpResponse("")
