"""The auditor's trail page: filter the audit trail and page through it (keyset)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.audit import selectors
from crsv.audit.forms import TrailFilterForm
from crsv.pagination import BadCursor


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
            "rows": rows,
            "next_query": query.urlencode() if next_cursor else "",
            "first_query": first_query if request.GET.get("cursor") else None,
        },
    )
