"""API routes for survivor cases: /api/v1/survivors/... (public ids only, never a value)."""

from __future__ import annotations

from django.urls import URLPattern, path

from survivors.api import views

urlpatterns: list[URLPattern] = [
    path("", views.SurvivorCollectionView.as_view(), name="survivor-list"),
    path("<uuid:public_id>/", views.SurvivorDetailView.as_view(), name="survivor-detail"),
    path("<uuid:public_id>/assign/", views.SurvivorAssignView.as_view(), name="survivor-assign"),
    path("<uuid:public_id>/consents/", views.ConsentCollectionView.as_view(), name="survivor-consents"),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/withdraw/",
        views.ConsentWithdrawView.as_view(),
        name="survivor-consent-withdraw",
    ),
]
