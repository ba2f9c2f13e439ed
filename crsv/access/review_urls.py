"""/access/review/: the access review and its CSV export (namespace `access`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from crsv.access import review_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", review_views.access_review, name="review"),
    path("export.csv", review_views.access_review_csv, name="review_export"),
]
