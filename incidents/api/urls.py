"""API routes for incidents: /api/v1/incidents/... (public ids only).

The lists incidents are filed against (/api/v1/locations/, /api/v1/parties/) are in
`location_party_urls.py`.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from incidents.api import accountability, alerts, views

urlpatterns: list[URLPattern] = [
    path("", views.IncidentCollectionView.as_view(), name="incident-list"),
    path("<uuid:public_id>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path(
        "<uuid:public_id>/transitions/",
        views.IncidentTransitionView.as_view(),
        name="incident-transitions",
    ),
    path("<uuid:public_id>/history/", views.IncidentHistoryView.as_view(), name="incident-history"),
    # Justice and accountability (issue 13 item 6).
    path(
        "<uuid:public_id>/accountability/",
        accountability.AccountabilityCollectionView.as_view(),
        name="incident-accountability",
    ),
    path(
        "<uuid:public_id>/accountability/<uuid:step_id>/",
        accountability.AccountabilityStepView.as_view(),
        name="incident-accountability-step",
    ),
    # Early-warning alerts (issue 13 item 4).
    path("alerts/", alerts.AlertCollectionView.as_view(), name="alert-list"),
    path("alerts/<uuid:public_id>/", alerts.AlertDetailView.as_view(), name="alert-detail"),
    path(
        "alerts/<uuid:public_id>/transitions/", alerts.AlertTransitionView.as_view(), name="alert-transitions"
    ),
    path("alerts/<uuid:public_id>/incidents/", alerts.AlertIncidentsView.as_view(), name="alert-incidents"),
]
