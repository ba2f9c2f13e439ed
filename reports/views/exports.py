"""The de-identified exports' page and downloads: adapters over `reports.exports.statistics_export`.

A GET form, submitted to the download route (GET too): an export is a read, its URL holds only
the kind, the fixed period and the format (never survivor data), so it can be bookmarked and run
again for the next period, needs no CSRF token, and the browser stays on the page while the file
downloads. Bad input comes back as the page (400), with each error beside its field and what was
typed kept; a role without exports gets 403 (the service's PermissionDenied, before the input is
read). Every file is sent with `Cache-Control: no-store`, streamed as it is written.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from reports.disclosure import suppression_threshold
from reports.exports import ExportFormat, ExportKind, exports_authorize, statistics_export
from reports.exports.forms import ExportForm, last_quarter


def _downloads(period: str) -> list[dict[str, object]]:
    """A download link per export and format, for `period` (a valid fixed period)."""
    url = reverse("reports:exports_download")
    return [
        {
            "kind": kind,
            "label": label,
            "links": [
                (label_format, f"{url}?{urlencode({'kind': kind, 'period': period, 'format': file_format})}")
                for file_format, label_format in ExportFormat.choices
            ],
        }
        for kind, label in ExportKind.choices
    ]


def _page(
    request: AuthenticatedHttpRequest, form: ExportForm, period: str, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "period": period,
        "downloads": _downloads(period) if period else [],
        "threshold": suppression_threshold(),
    }
    return render(request, "reports/exports.html", context, status=status)


@never_cache
@require_GET
def export_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    exports_authorize(request.user)
    period = last_quarter(timezone.localdate())
    initial = {"period": period, "format": ExportFormat.CSV, "kind": ExportKind.MARA}
    return _page(request, ExportForm(initial=initial), period)


@never_cache
@require_GET
def export_download(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    exports_authorize(request.user)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, form, form.cleaned_data.get("period", ""), status=400)
    values = form.cleaned_data
    try:
        export = statistics_export(
            actor=request.user,
            kind=values["kind"],
            period=values["period"],
            file_format=values["format"],
            request=request,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return _page(request, form, "", status=400)
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
