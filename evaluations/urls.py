"""Decision pages, mounted under /t/<team_slug>/."""

from __future__ import annotations

from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("profiles/", views.profile_list, name="profile-list"),
    path("profiles/<int:profile_id>/", views.profile_detail, name="profile-detail"),
    path("profiles/<int:profile_id>/edit/", views.profile_edit, name="profile-edit"),
    path("profiles/<int:profile_id>/move/", views.profile_move_view, name="profile-move"),
    path("profiles/<int:profile_id>/delete/", views.profile_delete_view, name="profile-delete"),
    path("recommendations/", views.recommendation, name="recommendation"),
    path("usage-patterns/", views.usage_pattern_list, name="usage-pattern-list"),
    path("usage-patterns/<int:pattern_id>/edit/", views.usage_pattern_edit, name="usage-pattern-edit"),
    path(
        "usage-patterns/<int:pattern_id>/delete/",
        views.usage_pattern_delete_view,
        name="usage-pattern-delete",
    ),
    path("cost-report/", views.cost_report, name="cost-report"),
    path("evaluations/", views.evaluation_list, name="evaluation-list"),
    path("evaluations/new/", views.evaluation_create_view, name="evaluation-create"),
    path("evaluations/compare/", views.evaluation_compare, name="evaluation-compare"),
    path("evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluations/<int:evaluation_id>/csv/", views.evaluation_csv, name="evaluation-csv"),
    path("evaluations/<int:evaluation_id>/edit/", views.evaluation_edit, name="evaluation-edit"),
    path("evaluations/<int:evaluation_id>/delete/", views.evaluation_delete_view, name="evaluation-delete"),
]
