"""API routes for the lists incidents are filed against, at the top of the API:
/api/v1/locations/ and /api/v1/parties/ (included by `crsv/urls.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from incidents.api import views

urlpatterns: list[URLPattern] = [
    path("locations/", views.LocationListView.as_view(), name="location-list"),
    path("parties/", views.PartyListView.as_view(), name="party-list"),
]
