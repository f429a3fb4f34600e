"""The project's URLs: the portal's own pages, then whatever each app contributes (``portal.hooks``).

Nothing here names an app: an app's ``urls.py`` is included under ``t/<slug:team_slug>/`` (or its
AppConfig's ``urls_prefix``) and its ``api_urls.py`` under ``api/``, in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import errors, health, views
from portal.hooks import TEAM_URLS_PREFIX, app_hook_module, project_apps

team_patterns = [
    path("", views.team_detail, name="team-detail"),
    path("tokens/", views.team_tokens, name="team-tokens"),
    path("tokens/<int:token_id>/revoke/", views.team_token_revoke, name="team-token-revoke"),
    path("members/add/", views.team_member_add, name="team-member-add"),
    path("members/<int:member_id>/role/", views.team_member_role, name="team-member-role"),
    path("members/<int:member_id>/remove/", views.team_member_remove, name="team-member-remove"),
    path("invitations/", views.team_invitation_create, name="team-invitation-create"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.team_invitation_revoke,
        name="team-invitation-revoke",
    ),
]


def _app_pages() -> list[URLResolver]:
    """Each app's pages: under the team's prefix, or the prefix its AppConfig names."""
    return [
        path(getattr(config, "urls_prefix", TEAM_URLS_PREFIX), include(module))
        for config in project_apps()
        if (module := app_hook_module(config, "urls")) is not None
    ]


def _app_api() -> list[URLResolver]:
    return [
        path("api/", include(module))
        for config in project_apps()
        if (module := app_hook_module(config, "api_urls")) is not None
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:secret>/", views.invitation_accept_page, name="invitation-accept"),
    path(TEAM_URLS_PREFIX, include(team_patterns)),
    *_app_pages(),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    *_app_api(),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
