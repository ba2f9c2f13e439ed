"""API routes for the service directory: /api/v1/providers/... (included by `crsv/urls.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from referrals.api import directory

urlpatterns: list[URLPattern] = [
    path("", directory.ProviderCollectionView.as_view(), name="provider-list"),
    path("<uuid:public_id>/", directory.ProviderDetailView.as_view(), name="provider-detail"),
]
