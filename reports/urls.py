"""The reports pages: /reports/... (public ids only)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports.identifiable import views as identifiable
from reports.views import dashboard, exports

app_name = "reports"

urlpatterns: list[URLPattern] = [
    # The statistics dashboard (issue 13 item 2).
    path("", dashboard.dashboard, name="dashboard"),
    # Identifiable exports (issue 13 item 5).
    path("identifiable/", identifiable.export_list, name="identifiable_list"),
    path("identifiable/new/", identifiable.export_request, name="identifiable_new"),
    path("identifiable/<uuid:public_id>/", identifiable.export_detail, name="identifiable_detail"),
    path("identifiable/<uuid:public_id>/approve/", identifiable.export_approve, name="identifiable_approve"),
    path("identifiable/<uuid:public_id>/refuse/", identifiable.export_refuse, name="identifiable_refuse"),
    path("identifiable/<uuid:public_id>/prepare/", identifiable.export_prepare, name="identifiable_prepare"),
    path(
        "identifiable/<uuid:public_id>/download/", identifiable.export_download, name="identifiable_download"
    ),
    # De-identified exports (issue 13 item 5).
    path("exports/", exports.export_page, name="exports"),
    path("exports/download/", exports.export_download, name="exports_download"),
]
