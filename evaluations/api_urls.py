"""Decision endpoints, mounted under /api/ ahead of the shared router."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from evaluations import api

app_name = "evaluations-api"

router = SimpleRouter()
router.register("profiles", api.PriorityProfileViewSet, basename="profile")
router.register("usage-patterns", api.UsagePatternViewSet, basename="usage-pattern")
router.register("evaluations", api.EvaluationViewSet, basename="evaluation")

urlpatterns = [
    path("recommendations/", api.RecommendationView.as_view(), name="recommendations"),
    path("cost-reports/", api.CostReportView.as_view(), name="cost-reports"),
    *router.urls,
]
