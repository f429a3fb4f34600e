from __future__ import annotations

from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("matrix/", views.capability_matrix_page, name="matrix"),
    path("models/<int:model_id>/", views.model_detail, name="detail"),
]
