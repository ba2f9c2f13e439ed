"""The incident list: filters, ordering, keyset pagination, de-identified for analysts.

This page is on a throughput budget (issue 3: at least 15% of a bare WSGI app serving the same
50 rows). So it reads its rows as the list API does, through `incidents.api.listing`'s one-query
fast path (same selector, same scope, same redaction, one tested layer for both), and renders
them here, once, by `incident_rows_html`: labels already looked up, links a reversed prefix plus
the public id, every value escaped with `html.escape` (Django's `escape` minus its lazy-string
wrapper, which cost more than the rest of a row). The rest of the page is an ordinary
template; the filters' selects use `FastSelect` for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError as BadCursor

from crsv.accounts.selectors import field_office_scope
from crsv.http import AuthenticatedHttpRequest
from incidents import permissions
from incidents.api import listing, pagination
from incidents.forms import IncidentFilterForm, add_service_errors
from incidents.models import TALLY_FIELDS, Incident

PAGE_SIZE = 50
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"

# One row; the de-identified row has no assignee column. Every {} is filled escaped.
_ROW = (
    '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td></tr>'
)
_ROW_DEIDENTIFIED = (
    '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td>{}</td><td>{}</td><td class="num">{}</td></tr>'
)


def incident_dates_text(row: dict[str, Any]) -> str:
    """The incident's date as precise as it is known: 2026-03-02, 2026-03, or a range."""
    start, end = row["incident_date_start"], row["incident_date_end"]
    if start is None:
        return "—"
    if row["date_precision"] == Incident.DatePrecision.MONTH:
        return start.isoformat()[:7]
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} – {end.isoformat()}"


def incident_rows_html(rows: Iterable[dict[str, Any]], *, deidentified: bool) -> SafeString:
    """The table rows of the list, from `listing.incident_page`'s rows (see the module doc);
    nothing here queries."""
    draft = _("Draft")
    head, tail = reverse("incidents:detail", args=[_PLACEHOLDER]).split(_PLACEHOLDER)

    def cells(row: dict[str, Any]) -> tuple[str | int, ...]:
        location = row["location"]
        common = (
            head + row["public_id"] + tail,
            # No reference for those who see none (the key is absent): the public id names the row.
            (row["reference"] or draft) if "reference" in row else row["public_id"],
            row["status_label"],
            row["verification_status_label"],
            row["field_office"] or "—",
            incident_dates_text(row),
            location["name"] if location is not None else "—",
            ", ".join(violation["form_label"] for violation in row["violations"]),
            sum(row[name] for name in TALLY_FIELDS),
        )
        return common if deidentified else (*common, row.get("assigned_wpa") or "—")

    template = _ROW_DEIDENTIFIED if deidentified else _ROW
    html = "\n".join(template.format(*(escape(str(value)) for value in cells(row))) for row in rows)
    return mark_safe(html)  # noqa: S308  # the row markup is constant and every value in it escaped


def _page_url(params: Iterable[tuple[str, Any]], *, after: str | None) -> str:
    """This page's query with another cursor: the filters and ordering stay."""
    kept = [(key, str(value)) for key, value in params if key != "after" and value]
    if after:
        kept.append(("after", after))
    return "?" + urlencode(kept)


@never_cache
@require_GET
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_list_incidents(user):
        raise PermissionDenied
    deidentified = permissions.is_deidentified_viewer(user)
    offices = list(field_office_scope(user=user).order_by("name"))
    show_reference = permissions.can_view_references(user)
    form = IncidentFilterForm(request.GET, offices=offices, references=show_reference)
    rows_html, next_cursor = SafeString(""), None
    if form.is_valid():
        ordering = form.ordering_name()
        start_after = None
        if request.GET.get("after"):
            try:
                start_after = pagination.cursor_decode(request.GET["after"], ordering=ordering)
            except BadCursor:
                start_after = None  # a stale or edited link: show the first page
        try:
            page = listing.incident_page(
                user=user, filters=form.filters(), ordering=ordering, start_after=start_after, size=PAGE_SIZE
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            rows_html = incident_rows_html(page.results, deidentified=deidentified)
            next_cursor = pagination.cursor_encode(ordering, page.next) if page.next else None
    params = list(request.GET.items())
    context = {
        "form": form,
        "rows_html": rows_html,
        "deidentified": deidentified,
        "show_reference": show_reference,
        "can_create": permissions.can_create_incident(user),
        "next_url": _page_url(params, after=next_cursor) if next_cursor else None,
        "first_url": _page_url(params, after=None) if request.GET.get("after") else None,
    }
    return render(request, "incidents/list.html", context)
