"""Routing endpoints, mounted under /api/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from routing import api

app_name = "routing-api"

router = SimpleRouter()
router.register("backends", api.BackendViewSet, basename="backend")
router.register("routes", api.RouteViewSet, basename="route")
router.register("requests", api.RequestLogViewSet, basename="request-log")

urlpatterns = router.urls
