"""The incident list: filters, ordering, keyset pagination, de-identified for analysts.

This page is on a throughput budget (issue 3: at least 15% of a bare WSGI app serving the same
50 rows). Rendering 50 rows through the template engine, with `get_FOO_display` and `{% url %}`
per row, costs more than the whole budget, so the rows are rendered here, once, by
`incident_rows_html`: labels are looked up in dicts of the choices, links are a reversed
prefix plus the public id, and every value is escaped with `html.escape` (Django's `escape`
minus its lazy-string wrapper, which cost more than the rest of a row). The rest of the
page is an ordinary template; the filters' selects use `FastSelect` for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import MISSION_WIDE_ROLES
from crsv.http import AuthenticatedHttpRequest
from crsv.pagination import BadCursor, keyset_page
from incidents import permissions, selectors
from incidents.forms import IncidentFilterForm, add_service_errors
from incidents.models import TALLY_FIELDS, Incident, Violation

PAGE_SIZE = 50
# The location and its two ancestors: enough to coarsen an admin-4 village to its territory.
_PLACES = ("location", "location__parent", "location__parent__parent")
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


@dataclass(frozen=True)
class RowLabels:
    """The choices' labels in the active language, looked up once per page."""

    status: dict[str, str]
    verification: dict[str, str]
    violation: dict[str, str]
    draft: str
    unassigned: str

    @classmethod
    def current(cls) -> RowLabels:
        return cls(
            status={value: str(label) for value, label in Incident.Status.choices},
            verification={value: str(label) for value, label in Incident.VerificationStatus.choices},
            violation={value: str(label) for value, label in Violation.Form.choices},
            draft=_("Draft"),
            unassigned="—",
        )


def incident_dates_text(incident: Incident) -> str:
    """The incident's date as precise as it is known: 2026-03-02, 2026-03, or a range."""
    start, end = incident.incident_date_start, incident.incident_date_end
    if start is None:
        return "—"
    if incident.date_precision == Incident.DatePrecision.MONTH:
        return start.isoformat()[:7]
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} – {end.isoformat()}"


def incident_rows_html(
    rows: Iterable[Incident], *, user: User, office_codes: dict[int, str], deidentified: bool
) -> SafeString:
    """The table rows of the list (see the module docstring). Rows come from
    `selectors.incident_list` through `_for_rows`; nothing here queries. `office_codes`: the
    code of every office the rows can be in, by id."""
    labels = RowLabels.current()
    head, tail = reverse("incidents:detail", args=[_PLACEHOLDER]).split(_PLACEHOLDER)

    def cells(incident: Incident) -> tuple[str | int, ...]:
        location = selectors.incident_location_for(user=user, incident=incident)
        forms = incident.violation_forms  # type: ignore[attr-defined]  # annotated in the view
        common = (
            head + str(incident.public_id) + tail,
            incident.reference or labels.draft,
            labels.status[incident.status],
            labels.verification[incident.verification_status],
            office_codes.get(incident.field_office_id, "—"),
            incident_dates_text(incident),
            location.name if location is not None else "—",
            ", ".join(labels.violation[form] for form in forms or ()),
            incident.tally_total,
        )
        if deidentified:
            return common
        assignee = incident.assigned_wpa
        return (*common, assignee.display_name if assignee is not None else labels.unassigned)

    row = _ROW_DEIDENTIFIED if deidentified else _ROW
    html = "\n".join(row.format(*(escape(str(value)) for value in cells(incident))) for incident in rows)
    return mark_safe(html)  # noqa: S308  # the row markup is constant and every value in it escaped


# The columns a row shows or needs (to coarsen the location, to test the viewer's rights on
# it, to page on any ordering); the reporter and the mission are not loaded, only their ids.
ROW_COLUMNS = (
    "public_id",
    "reference",
    "status",
    "verification_status",
    "created_at",
    "reported_on",
    "date_precision",
    "incident_date_start",
    "incident_date_end",
    *TALLY_FIELDS,
    "is_sea",
    "mission",
    "reported_by",
    "field_office",
    "assigned_wpa__username",
    "assigned_wpa__first_name",
    "assigned_wpa__last_name",
    *(f"{place}__{column}" for place in _PLACES for column in ("name", "pcode", "admin_level", "parent")),
)


def _for_rows(rows: QuerySet[Incident], *, deidentified: bool) -> QuerySet[Incident]:
    """The list's rows, lean: only the relations and columns shown (each model instance and
    column costs on the budget; office codes come from the filter's offices), and each
    row's violation forms in the same query. No assignee for a de-identified list."""
    if deidentified:
        relations, columns = [_PLACES[-1]], [c for c in ROW_COLUMNS if not c.startswith("assigned_wpa__")]
    else:
        relations, columns = ["assigned_wpa", _PLACES[-1]], list(ROW_COLUMNS)
    return (
        rows.select_related(None)
        .select_related(*relations)
        .only(*columns)
        .annotate(
            violation_forms=ArraySubquery(
                Violation.objects.filter(incident=OuterRef("pk")).order_by("id").values("form")
            )
        )
    )


def _offices_to_filter(user: User) -> list[FieldOffice]:
    """The offices a user's list can hold: their missions' for mission-wide roles, else their own.

    Reference data, not records: it reveals nothing about incidents.
    """
    if user.has_role(*MISSION_WIDE_ROLES):
        offices = FieldOffice.objects.filter(mission_id__in=user.mission_ids())
    else:
        offices = FieldOffice.objects.filter(id__in=user.office_ids())
    return list(offices.order_by("name"))


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
    offices = _offices_to_filter(user)
    form = IncidentFilterForm(request.GET, offices=offices)
    rows_html, next_cursor = SafeString(""), None
    if form.is_valid():
        ordering = form.ordering_name()
        try:
            rows = selectors.incident_list(user=user, filters=form.filters(), ordering=ordering)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            rows = _for_rows(rows, deidentified=deidentified)
            keys = selectors.ORDERINGS[ordering]
            try:
                page = keyset_page(rows, cursor=request.GET.get("after"), size=PAGE_SIZE, ordering=keys)
            except BadCursor:
                page = keyset_page(rows, cursor=None, size=PAGE_SIZE, ordering=keys)
            office_codes = {office.pk: office.code for office in offices}
            rows_html = incident_rows_html(
                page.rows, user=user, office_codes=office_codes, deidentified=deidentified
            )
            next_cursor = page.next_cursor
    params = list(request.GET.items())
    context = {
        "form": form,
        "rows_html": rows_html,
        "deidentified": deidentified,
        "can_create": permissions.can_create_incident(user),
        "next_url": _page_url(params, after=next_cursor) if next_cursor else None,
        "first_url": _page_url(params, after=None) if request.GET.get("after") else None,
    }
    return render(request, "incidents/list.html", context)
