from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from catalog.api import ModelOptionViewSet
from portal import views

router = DefaultRouter()
router.register("catalog/models", ModelOptionViewSet, basename="catalog-model")

team_patterns = [
    path("", views.team_detail, name="team-detail"),
    path("tokens/", views.team_tokens, name="team-tokens"),
    path("tokens/<int:token_id>/revoke/", views.team_token_revoke, name="team-token-revoke"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("catalog/", include("catalog.urls")),
    path("t/<slug:team_slug>/", include(team_patterns)),
    path("t/<slug:team_slug>/", include("evaluations.urls")),
    path("t/<slug:team_slug>/", include("probes.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("evaluations.api_urls")),
    path("api/", include("probes.api_urls")),
    path("api/", include(router.urls)),
]
