"""API routes for referrals: /api/v1/referrals/... (public ids only). The service directory's
routes (/api/v1/providers/...) are in `provider_urls.py`."""

from __future__ import annotations

from django.urls import URLPattern, path

from referrals.api import views

urlpatterns: list[URLPattern] = [
    path("", views.ReferralCollectionView.as_view(), name="referral-list"),
    path("<uuid:public_id>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path(
        "<uuid:public_id>/transitions/", views.ReferralTransitionView.as_view(), name="referral-transitions"
    ),
]
