"""Migration pages, mounted under /t/<team_slug>/."""

from __future__ import annotations

from django.urls import path

from probes import views

app_name = "probes"
urlpatterns = [
    path("migrations/", views.migration_list, name="migration-list"),
    path("routes/<int:route_id>/migration/", views.migration_page, name="migration"),
    path("routes/<int:route_id>/migration/run/", views.migration_run, name="migration-run"),
    path(
        "routes/<int:route_id>/migration/settings/",
        views.migration_settings,
        name="migration-settings",
    ),
    path(
        "routes/<int:route_id>/migration/<slug:action>/",
        views.migration_control,
        name="migration-control",
    ),
    path("routes/<int:route_id>/probes/", views.suite_page, name="suite"),
    path("routes/<int:route_id>/probes/export/", views.suite_export_view, name="suite-export"),
    path("routes/<int:route_id>/probes/new/", views.probe_form, name="probe-create"),
    path("routes/<int:route_id>/probes/<int:probe_id>/edit/", views.probe_form, name="probe-edit"),
    path(
        "routes/<int:route_id>/probes/<int:probe_id>/delete/",
        views.probe_delete_view,
        name="probe-delete",
    ),
]
