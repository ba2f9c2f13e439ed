"""URL configuration.

Public endpoints (no login) are exactly these, and `tests/crsv/test_public_endpoints.py`
walks every route to check it: /healthz, the login and logout pages (the admin site's login
page too), the language switch (/i18n/setlang/), POST /api/v1/auth/token/, /api/schema/, and
static files; and, under PUBLIC_PREFIXES, the one-time answer links e-mailed to providers
(`/r/<token>/`) and the invitations e-mailed to new users (`/accounts/invitation/<token>/`): the
token is the credential. Everything else requires login
(`DELETE /api/v1/auth/token/` too: it is authenticated by the bearer token it revokes).

The apps' routes are included by dotted path: the platform imports no app (pyproject.toml,
import-linter).
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from crsv import views
from crsv.accounts import views as account_views
from crsv.accounts.api.views import TokenObtainView

PUBLIC_PATHS = (
    "/healthz",
    "/accounts/login/",
    "/accounts/logout/",
    "/i18n/setlang/",
    "/api/v1/auth/token/",
    "/api/schema/",
    "/admin/login/",
)
# Every route under these is public: guarded by a token in the path, not by a session.
PUBLIC_PREFIXES = (
    "/r/",  # referrals.link_urls: a provider's one-time answer link
    "/accounts/invitation/",  # crsv.accounts.invitation_views: a new user's invitation
)

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainView.as_view(), name="token"),
    path("survivors/", include("survivors.api.urls")),
    path("incidents/", include("incidents.api.urls")),
    path("", include("incidents.api.location_party_urls")),
    path("referrals/", include("referrals.api.urls")),
    path("providers/", include("referrals.api.provider_urls")),
    path("notifications/", include("crsv.notifications.api_urls")),
    path("reports/", include("reports.api.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("crsv.accounts.urls")),
    path("incidents/", include("incidents.urls")),
    path("survivors/", include("survivors.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("crsv.notifications.urls")),
    path("audit/", include("crsv.audit.urls")),
    path("access/", include("crsv.access.urls")),
    path("r/", include("referrals.link_urls")),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("admin/", admin.site.urls),
]
