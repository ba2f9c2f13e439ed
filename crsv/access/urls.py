from __future__ import annotations

from django.urls import include, path

app_name = "access"

urlpatterns = [
    path("", include("crsv.access.users_urls")),
    path("invitations/", include("crsv.access.invitations_urls")),
    path("review/", include("crsv.access.review_urls")),
]
