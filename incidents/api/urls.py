"""API routes for incidents: /api/v1/incidents/... (public ids only).

The lists incidents are filed against (/api/v1/locations/, /api/v1/parties/) are in
`location_party_urls.py`.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from incidents.api import views

urlpatterns: list[URLPattern] = [
    path("", views.IncidentCollectionView.as_view(), name="incident-list"),
    path("<uuid:public_id>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path(
        "<uuid:public_id>/transitions/",
        views.IncidentTransitionView.as_view(),
        name="incident-transitions",
    ),
    path("<uuid:public_id>/history/", views.IncidentHistoryView.as_view(), name="incident-history"),
]
