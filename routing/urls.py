"""Routing pages, mounted under /t/<team_slug>/."""

from __future__ import annotations

from django.urls import path

from routing import views

app_name = "routing"
urlpatterns = [
    path("routing/", views.routing_page, name="page"),
]
