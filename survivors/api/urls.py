"""API routes for survivor cases: /api/v1/survivors/... (public ids only, never a value)."""

from __future__ import annotations

from django.urls import URLPattern, path

from survivors.api import views

urlpatterns: list[URLPattern] = [
    path("", views.SurvivorCollectionView.as_view(), name="survivor-list"),
    path("search/", views.SurvivorSearchView.as_view(), name="survivor-search"),
    path("<uuid:public_id>/", views.SurvivorDetailView.as_view(), name="survivor-detail"),
    path("<uuid:public_id>/assign/", views.SurvivorAssignView.as_view(), name="survivor-assign"),
    path("<uuid:public_id>/access/", views.SurvivorAccessView.as_view(), name="survivor-access"),
    path("<uuid:public_id>/grants/", views.SurvivorGrantView.as_view(), name="survivor-grants"),
    path(
        "<uuid:public_id>/grants/<str:username>/revoke/",
        views.SurvivorRevokeView.as_view(),
        name="survivor-grant-revoke",
    ),
    path(
        "<uuid:public_id>/break-glass/", views.SurvivorBreakGlassView.as_view(), name="survivor-break-glass"
    ),
    path("<uuid:public_id>/erase/", views.SurvivorEraseView.as_view(), name="survivor-erase"),
    path("<uuid:public_id>/consents/", views.ConsentCollectionView.as_view(), name="survivor-consents"),
    path(
        "<uuid:public_id>/consents/<uuid:consent_id>/withdraw/",
        views.ConsentWithdrawView.as_view(),
        name="survivor-consent-withdraw",
    ),
]
