"""Probe and migration endpoints, mounted under /api/."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from probes import api

app_name = "probes-api"

router = SimpleRouter()
router.register("probe-suites", api.ProbeSuiteViewSet, basename="probe-suite")
router.register("probes", api.ProbeViewSet, basename="probe")
router.register("probe-rounds", api.ProbeRoundViewSet, basename="probe-round")
router.register("probe-results", api.ProbeResultViewSet, basename="probe-result")

urlpatterns = [
    path("routes/<int:route_id>/migration/", api.MigrationView.as_view(), name="migration"),
    path("routes/<int:route_id>/migration/pause/", api.MigrationPauseView.as_view(), name="migration-pause"),
    path(
        "routes/<int:route_id>/migration/resume/", api.MigrationResumeView.as_view(), name="migration-resume"
    ),
    path(
        "routes/<int:route_id>/migration/set-share/",
        api.MigrationSetShareView.as_view(),
        name="migration-set-share",
    ),
    path(
        "routes/<int:route_id>/migration/rollback/",
        api.MigrationRollbackView.as_view(),
        name="migration-rollback",
    ),
    path(
        "routes/<int:route_id>/migration/run-round/",
        api.MigrationRunRoundView.as_view(),
        name="migration-run-round",
    ),
    *router.urls,
]
