"""API routes of reports: /api/v1/reports/... (public ids only)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports.api import dashboard, exports
from reports.identifiable import api as identifiable

urlpatterns: list[URLPattern] = [
    # The statistics dashboard (issue 13 item 2).
    path("dashboard/", dashboard.DashboardView.as_view(), name="reports-dashboard"),
    # Identifiable exports (issue 13 item 5); no download here (see reports.identifiable.api).
    path(
        "identifiable-exports/", identifiable.ExportCollectionView.as_view(), name="identifiable-export-list"
    ),
    path(
        "identifiable-exports/<uuid:public_id>/",
        identifiable.ExportDetailView.as_view(),
        name="identifiable-export-detail",
    ),
    path(
        "identifiable-exports/<uuid:public_id>/approve/",
        identifiable.ExportApproveView.as_view(),
        name="identifiable-export-approve",
    ),
    path(
        "identifiable-exports/<uuid:public_id>/refuse/",
        identifiable.ExportRefuseView.as_view(),
        name="identifiable-export-refuse",
    ),
    # De-identified exports (issue 13 item 5).
    path("exports/<str:kind>/", exports.ExportView.as_view(), name="reports-export"),
]
