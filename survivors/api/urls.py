"""API routes for survivor cases: /api/v1/survivors/..."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
