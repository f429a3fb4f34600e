"""Routing pages, mounted under /t/<team_slug>/."""

from __future__ import annotations

from django.urls import path

from routing import views

app_name = "routing"
urlpatterns = [
    path("routing/", views.routing_page, name="page"),
    path("routing/backends/new/", views.backend_create_view, name="backend-create"),
    path("routing/backends/<int:backend_id>/edit/", views.backend_edit, name="backend-edit"),
    path("routing/backends/<int:backend_id>/delete/", views.backend_delete_view, name="backend-delete"),
    path("routing/routes/new/", views.route_create_view, name="route-create"),
    path("routing/routes/defaults/", views.routes_defaults, name="route-defaults"),
    path("routing/routes/pair/", views.route_pair, name="route-pair"),
    path("routing/routes/<int:route_id>/edit/", views.route_edit, name="route-edit"),
    path("routing/routes/<int:route_id>/delete/", views.route_delete_view, name="route-delete"),
    path("routing/routes/<int:route_id>/share/", views.route_share, name="route-share"),
    path("routing/budget/", views.budget_update, name="budget"),
]
