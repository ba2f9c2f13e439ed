"""The auditor's trail page: filter the audit trail and page through it (keyset); its CSV export."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.audit import selectors
from crsv.audit.export import audit_trail_export
from crsv.audit.forms import TrailFilterForm
from crsv.pagination import BadCursor


def _shown(row: selectors.TrailRow) -> dict[str, object]:
    """A row as the page shows it: times in the office's time zone, to the second (an audit
    line is read against others and against the export's UTC times, not as prose)."""
    local = timezone.localtime(row.occurred_at)
    return {
        "iso": local.isoformat(),
        "shown": local.strftime("%Y-%m-%d %H:%M:%S"),
        "actor": row.actor or "—",
        "action_label": row.action_label,
        "object_type": row.object_type,
        "object_id": row.object_public_id or "",
        "ip": row.ip_address or "",
        "changes": row.changes,
    }


@never_cache
@require_GET
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.trail_authorize(request.user)
    form = TrailFilterForm(request.GET)
    rows: list[selectors.TrailRow] = []
    next_cursor = None
    if form.is_valid():
        filters = form.trail_filter()
        try:
            rows, next_cursor = selectors.audit_trail_list(
                user=request.user, filters=filters, cursor=request.GET.get("cursor") or None
            )
        except BadCursor:  # a cursor this page did not make: the first page
            rows, next_cursor = selectors.audit_trail_list(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    first_query = query.urlencode()
    if next_cursor:
        query["cursor"] = next_cursor
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "filter_fields": form.field_views(),
            "rows": rows,
            "shown_rows": [_shown(row) for row in rows],
            "next_query": query.urlencode() if next_cursor else "",
            "first_query": first_query if request.GET.get("cursor") else None,
            # The export takes the page's filters (not its cursor); none while they are invalid.
            "export_query": first_query if form.is_valid() else None,
        },
    )


@never_cache
@require_GET
def audit_trail_export_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    selectors.trail_authorize(request.user)
    form = TrailFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("These filters are not valid: correct them on the audit trail page."),
            content_type="text/plain; charset=utf-8",
        )
    chunks = audit_trail_export(actor=request.user, filters=form.trail_filter(), request=request)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    name = f"audit-trail-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
